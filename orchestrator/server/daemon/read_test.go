package daemon

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/server/api"
)

func TestPodsOf(t *testing.T) {
	pod := func(ns, set string, ord int) orchestrator.PodStatus {
		return orchestrator.PodStatus{Namespace: ns, Set: set, Ordinal: ord}
	}
	tests := []struct {
		name string
		sets []orchestrator.SetStatus
		want string
	}{
		{"none", nil, ""},
		{"set without pods", []orchestrator.SetStatus{{Namespace: "a", Name: "web"}}, ""},
		{"ordinals sorted within each set, sets kept in order", []orchestrator.SetStatus{
			{Namespace: "a", Name: "db", Pods: []orchestrator.PodStatus{pod("a", "db", 2), pod("a", "db", 0), pod("a", "db", 1)}},
			{Namespace: "a", Name: "web", Pods: []orchestrator.PodStatus{pod("a", "web", 1), pod("a", "web", 0)}},
			{Namespace: "b", Name: "cache", Pods: []orchestrator.PodStatus{pod("b", "cache", 0)}},
		}, "a/db/0 a/db/1 a/db/2 a/web/0 a/web/1 b/cache/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range podsOf(tt.sets) {
				got = append(got, p.Namespace+"/"+p.StatefulSet+"/"+strconv.Itoa(p.Ordinal))
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Errorf("got %q, want %q", s, tt.want)
			}
		})
	}
}

// TestPodsAgreeWithStatefulSets: Pods skips the store, and must still list exactly the pods
// of StatefulSets, in the same order.
func TestPodsAgreeWithStatefulSets(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	ctx := context.Background()
	for _, ns := range []string{"p2", "p1"} {
		sets := map[string]*compose.StatefulSet{"web": testSet(3), "db": testSet(2)}
		sets["db"].ServiceName = "db"
		if _, err := h.c.Apply(ctx, api.ApplyRequest{Namespace: ns, Sets: sets}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ns := range []string{"p1", ""} {
		var pods, fromSets []api.Pod
		waitFor(t, "every pod Ready", func() bool {
			sets, err := h.c.StatefulSets(ctx, ns)
			if err != nil {
				t.Fatal(err)
			}
			fromSets = nil
			for _, s := range sets {
				fromSets = append(fromSets, s.Pods...)
			}
			if pods, err = h.c.Pods(ctx, ns); err != nil {
				t.Fatal(err)
			}
			want := 5
			if ns == "" {
				want = 10
			}
			// Both answers, taken one after the other, must show every pod Ready: a set
			// still starting changes between them.
			return allReady(pods, want) && allReady(fromSets, want)
		})
		if !slices.EqualFunc(pods, fromSets, func(a, b api.Pod) bool {
			return a.Namespace == b.Namespace && a.Name == b.Name && a.ContainerID == b.ContainerID
		}) {
			t.Errorf("namespace %q: Pods %v, StatefulSets' pods %v", ns, names(pods), names(fromSets))
		}
	}
}

// allReady reports want pods, every one Ready.
func allReady(pods []api.Pod, want int) bool {
	ready := 0
	for _, p := range pods {
		if p.Ready {
			ready++
		}
	}
	return len(pods) == want && ready == want
}

func names(pods []api.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Namespace+"/"+p.Name)
	}
	return out
}
