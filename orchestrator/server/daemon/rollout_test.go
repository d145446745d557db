package daemon

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/server/api"
)

func (h *harness) applySet(ns string, s *compose.StatefulSet) api.SetResult {
	h.t.Helper()
	resp, err := h.c.Apply(context.Background(), api.ApplyRequest{Namespace: ns, Sets: map[string]*compose.StatefulSet{"web": s}})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp.Sets[0]
}

// set waits until ns/web's rollout is complete and returns it.
func (h *harness) complete(ns string) api.StatefulSet {
	h.t.Helper()
	var out api.StatefulSet
	waitFor(h.t, "rollout complete", func() bool {
		sets, err := h.c.StatefulSets(context.Background(), ns)
		if err != nil || len(sets) != 1 {
			return false
		}
		out = sets[0]
		return out.Converged() && out.Status.CurrentRevision == out.Status.UpdateRevision
	})
	return out
}

func history(t *testing.T, h *harness, ns string) []string {
	t.Helper()
	d, err := h.c.Describe(context.Background(), ns, "web")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range d.Revisions {
		out = append(out, fmt.Sprintf("%d:%s", r.Number, r.Spec.Image))
	}
	return out
}

// Undo rolls back to the previous template and reuses its record under the next number;
// a change of a set-level field alone is applied and named.
func TestUndoAndSettingsChanges(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	img := func(image string, muts ...func(*compose.StatefulSet)) *compose.StatefulSet {
		s := testSet(2)
		s.Image = image
		for _, m := range muts {
			m(s)
		}
		return s
	}
	h.applySet("u1", img("app:1"))
	first := h.complete("u1")
	h.applySet("u1", img("app:2"))
	second := h.complete("u1")
	if second.Status.CurrentRevision == first.Status.CurrentRevision || second.Status.CurrentReplicas != 2 {
		t.Fatalf("after the rollout: %+v", second.Status)
	}
	r := h.applySet("u1", img("app:2", func(s *compose.StatefulSet) { s.UpdateStrategy.Partition = 1; s.MinReadySeconds = 3 }))
	if r.Action != api.Configured || !slices.Equal(r.Changes, []string{"partition 0 → 1", "minReadySeconds 0 → 3"}) {
		t.Fatalf("settings-only apply: %+v", r)
	}
	resp, err := h.c.Undo(context.Background(), api.UndoRequest{Namespace: "u1", Set: "web"})
	if err != nil || resp.From != 1 || resp.Revision != 3 {
		t.Fatalf("undo: %+v, %v; want revision 1 reused as 3", resp, err)
	}
	if got := history(t, h, "u1"); !slices.Equal(got, []string{"2:app:2", "3:app:1"}) {
		t.Fatalf("history %v", got)
	}
	// The partition (1) is kept by the undo: web-1 rolls back, web-0 stays at the current revision.
	waitFor(t, "web-1 back on app:1", func() bool {
		sets, _ := h.c.StatefulSets(context.Background(), "u1")
		return len(sets) == 1 && sets[0].Converged() && sets[0].Status.UpdatedReplicas == 1
	})
	if d, _ := h.c.Describe(context.Background(), "u1", "web"); d.Spec.Image != "app:1" || d.Spec.UpdateStrategy.Partition != 1 {
		t.Fatalf("spec after undo: image %s, partition %d", d.Spec.Image, d.Spec.UpdateStrategy.Partition)
	}
	if _, err := h.c.Undo(context.Background(), api.UndoRequest{Namespace: "u1", Set: "web", ToRevision: 7}); err == nil {
		t.Fatal("undo to a revision that does not exist succeeded")
	}
}

// A paused set does not roll a template change until resumed; its status says so.
func TestPauseHoldsTemplateChange(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	h.apply("p1", 2)
	h.complete("p1")
	if changed, err := h.c.Pause(context.Background(), api.PauseRequest{Namespace: "p1", Set: "web", Paused: true}); err != nil || !changed {
		t.Fatalf("pause: %v %v", changed, err)
	}
	s := testSet(2)
	s.Image = "app:2"
	h.applySet("p1", s)
	waitFor(t, "paused rollout reported complete", func() bool {
		sets, _ := h.c.StatefulSets(context.Background(), "p1")
		return len(sets) == 1 && sets[0].Paused && sets[0].Converged() && sets[0].Status.UpdatedReplicas == 0
	})
	if _, err := h.c.Pause(context.Background(), api.PauseRequest{Namespace: "p1", Set: "web"}); err != nil {
		t.Fatal(err)
	}
	if st := h.complete("p1"); st.Status.UpdatedReplicas != 2 {
		t.Fatalf("after resume: %+v", st.Status)
	}
}

// The current revision is durable: a restarted daemon recreates a pod deleted below the
// partition from it, not from the newest template.
func TestCurrentRevisionSurvivesRestart(t *testing.T) {
	dir, rt := shortDir(t), fakeruntime.New(nil)
	h := start(t, dir, rt)
	s := testSet(2)
	s.Image = "app:1"
	h.applySet("c1", s)
	h.complete("c1")
	s = testSet(2)
	s.Image, s.UpdateStrategy.Partition = "app:2", 1
	h.applySet("c1", s)
	waitFor(t, "web-1 updated", func() bool {
		c, ok := rt.Container("c1-web-1")
		sets, _ := h.c.StatefulSets(context.Background(), "c1")
		return ok && c.Image == "app:2" && len(sets) == 1 && sets[0].Converged()
	})
	h.stop()

	h2 := start(t, dir, rt)
	if !rt.RemoveByName("c1-web-0") {
		t.Fatal("c1-web-0 not found")
	}
	waitFor(t, "web-0 back", func() bool {
		c, ok := rt.Container("c1-web-0")
		return ok && c.State == "running"
	})
	if c, _ := rt.Container("c1-web-0"); c.Image != "app:1" {
		t.Fatalf("web-0 recreated from %s after a restart, want the current revision's app:1", c.Image)
	}
	sets, _ := h2.c.StatefulSets(context.Background(), "c1")
	if len(sets) != 1 || sets[0].Status.CurrentRevision == sets[0].Status.UpdateRevision {
		t.Fatalf("status after restart: %+v", sets)
	}
}
