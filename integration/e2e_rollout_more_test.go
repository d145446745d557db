//go:build integration

package integration

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// ordinals.start 2 → 4 moves the pods as Kubernetes does (the new ordinals are created in
// order, then the old ones removed from the highest); maxUnavailable 2 updates two pods at a
// time and never has more than two unavailable.
func TestCLIOrdinalsStartAndMaxUnavailable(t *testing.T) {
	e := newRolloutEnv(t, "e2eord")
	e.up(2, "    ordinals: {start: 2}\n")
	if out := e.up(2, "    ordinals: {start: 4}\n"); !strings.Contains(out, "ordinals.start 2 → 4") {
		t.Fatalf("up said:\n%s", out)
	}
	pods := e.byName()
	if len(pods) != 2 || !pods["app-4"].Ready || !pods["app-5"].Ready {
		t.Fatalf("after ordinals.start 4: %+v", pods)
	}
	moves := e.podEvents("PodCreated", "PodDeleted")
	var moved []string
	for _, m := range moves {
		if m == "PodCreated app-4" || m == "PodCreated app-5" || m == "PodDeleted app-2" || m == "PodDeleted app-3" {
			moved = append(moved, m)
		}
	}
	if want := []string{"PodCreated app-4", "PodCreated app-5", "PodDeleted app-3", "PodDeleted app-2"}; !slices.Equal(moved, want) {
		t.Fatalf("pods moved in the order %v, want %v", moved, want)
	}

	// maxUnavailable 2 over four pods (the nested shape of Kubernetes).
	strategy := "    updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 2}}\n"
	e.up(4, "    env: {V: \"1\"}\n"+strategy)
	before := len(e.podEvents("PodCreated", "PodDeleted"))
	e.write(4, "    env: {V: \"2\"}\n"+strategy)
	e.must("up", "--no-wait")
	worst := 0
	e.eventually("every pod updated", func() bool {
		ready, updated := 0, 0
		st := e.sts()
		for _, p := range st.Pods {
			if p.Ready {
				ready++
			}
			if p.Ready && p.Revision == st.Status.UpdateRevision {
				updated++
			}
		}
		worst = max(worst, 4-ready)
		return updated == 4 && len(st.Pods) == 4
	})
	if worst > 2 {
		t.Fatalf("%d pods unavailable at once with maxUnavailable 2", worst)
	}
	steps := e.podEvents("PodCreated", "PodDeleted")[before:]
	if len(steps) != 8 {
		t.Fatalf("update steps %v, want 4 deletions and 4 creations", steps)
	}
	// Two at a time: both of the highest pair go before either comes back, then the lower pair.
	pairs := [][]string{{"PodDeleted app-3", "PodDeleted app-2"}, {"PodCreated app-2", "PodCreated app-3"},
		{"PodDeleted app-1", "PodDeleted app-0"}, {"PodCreated app-0", "PodCreated app-1"}}
	for i, pair := range pairs {
		got := slices.Clone(steps[2*i : 2*i+2])
		slices.Sort(got)
		want := slices.Clone(pair)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("update steps %v: step pair %d is %v, want %v", steps, i, got, want)
		}
	}
	for n, p := range e.byName() {
		if envV(t, p) != "2" {
			t.Errorf("%s runs V=%s", n, envV(t, p))
		}
	}
}

// rollout pause holds a template change (a paused set still scales, at the current
// revision) until resume; availableReplicas lags readyReplicas by minReadySeconds; a pod
// stuck not Ready on a broken revision is replaced once the template is fixed, without a
// manual delete.
func TestCLIPauseMinReadyForcedRollback(t *testing.T) {
	e := newRolloutEnv(t, "e2epause")
	e.up(2, "    env: {V: \"1\"}\n")
	if r := e.must("rollout", "pause", "app", "-n", e.ns); !strings.Contains(r.stdout, "paused") {
		t.Fatalf("pause said %q", r.stdout)
	}
	ids := map[string]string{}
	for n, p := range e.byName() {
		ids[n] = p.ContainerID
	}
	e.up(2, "    env: {V: \"2\"}\n") // returns: a paused set is complete once its pods are Ready
	e.must("scale", "app", "3", "-n", e.ns, "--timeout", "2m")
	st := e.sts()
	if !st.Paused || st.Status.UpdatedReplicas != 0 || st.Status.CurrentReplicas != 3 {
		t.Fatalf("paused set after a template change and a scale: %+v", st.Status)
	}
	for n, p := range e.byName() {
		if envV(t, p) != "1" || (ids[n] != "" && ids[n] != p.ContainerID) {
			t.Fatalf("%s changed while paused: V=%s, container %s (was %s)", n, envV(t, p), p.ContainerID, ids[n])
		}
	}
	e.must("rollout", "resume", "app", "-n", e.ns)
	if r := e.must("rollout", "status", "app", "-n", e.ns, "--timeout", "2m"); !strings.Contains(r.stdout, "roll out complete: 3 pods") {
		t.Fatalf("rollout status after resume: %q", r.stdout)
	}
	for n, p := range e.byName() {
		if envV(t, p) != "2" {
			t.Errorf("%s runs V=%s after resume", n, envV(t, p))
		}
	}

	// minReadySeconds: a new pod is Ready before it is Available.
	e.up(3, "    env: {V: \"2\"}\n    minReadySeconds: 3\n")
	e.write(4, "    env: {V: \"2\"}\n    minReadySeconds: 3\n")
	e.must("up", "--no-wait")
	lagged := false
	e.eventually("four available pods", func() bool {
		s := e.sts().Status
		lagged = lagged || s.ReadyReplicas == 4 && s.AvailableReplicas == 3
		return s.AvailableReplicas == 4
	})
	if !lagged {
		t.Fatal("availableReplicas never lagged readyReplicas for the new pod")
	}

	// Forced rollback: a broken template leaves app-3 never Ready; fixing the template heals
	// it at once (Kubernetes would wait for a manual delete).
	e.write(4, "    env: {V: \"3\", NOT_READY_FILE: /data}\n")
	e.must("up", "--no-wait")
	broken := ""
	e.eventually("app-3 on the broken revision, not Ready", func() bool {
		st := e.sts()
		for _, p := range st.Pods {
			if p.Name == "app-3" && p.Revision == st.Status.UpdateRevision && p.ContainerID != "" && !p.Ready {
				broken = p.Revision
				return true
			}
		}
		return false
	})
	e.up(4, "    env: {V: \"4\"}\n")
	for n, p := range e.byName() {
		if envV(t, p) != "4" || p.Revision == broken {
			t.Errorf("%s after the fix: V=%s revision %s", n, envV(t, p), p.Revision)
		}
	}
	r := e.must("events", "-n", e.ns, "-o", "json")
	var evs []api.Event
	if err := json.Unmarshal([]byte(r.stdout), &evs); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(evs, func(ev api.Event) bool {
		return ev.Object == "pod/app-3" && strings.Contains(ev.Message, "forced rollback")
	}) {
		t.Fatal("no forced rollback of app-3 in the events")
	}
}
