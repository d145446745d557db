package daemon

import (
	"context"
	"errors"
	"testing"

	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// TestDeleteSurvivesDaemonStop: a daemon stopped while a set's pods are still being removed
// keeps the deletion in the store; the next daemon finishes it (pods and, as asked, volumes),
// and a `down` meanwhile still finds the set instead of saying there is nothing to delete.
func TestDeleteSurvivesDaemonStop(t *testing.T) {
	dir, rt := shortDir(t), fakeruntime.New(nil)
	ctx := context.Background()
	h := start(t, dir, rt)
	h.apply("t1", 2)
	h.readyPods("t1", 2)
	stuck := errors.New("engine busy")
	for _, op := range []string{"StopContainer", "RemoveContainer"} {
		rt.Fail(op, "t1-web-1", stuck)
	}
	if _, err := h.c.Delete(ctx, api.DeleteRequest{Namespace: "t1", RemoveVolumes: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a failed removal", func() bool { return len(rt.CallsTo("RemoveContainer"))+len(rt.CallsTo("StopContainer")) > 0 })
	h.stop() // as good as a kill for the store: nothing runs after the deletion was recorded

	st, err := store.Open(h.paths.DB)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Get("t1", "web")
	st.Close()
	if err != nil || rec.Deleting == nil || !rec.Deleting.RemoveVolumes {
		t.Fatalf("after a stop mid-deletion the store holds %+v, %v; want the set marked deleting with its volumes", rec, err)
	}
	if len(rt.ContainerNames()) == 0 {
		t.Fatal("the injected failure did not keep a pod; the test proves nothing")
	}

	h2 := start(t, dir, rt) // the pod is still stuck: the deletion cannot finish yet
	resp, err := h2.c.Delete(ctx, api.DeleteRequest{Namespace: "t1"})
	if err != nil || len(resp.Sets) != 1 {
		t.Errorf("down after the restart: %+v %v; want it to find the set being deleted", resp, err)
	}
	for _, op := range []string{"StopContainer", "RemoveContainer"} {
		rt.Clear(op, "t1-web-1")
	}
	waitFor(t, "set gone", func() bool { s, _ := h2.c.StatefulSets(ctx, "t1"); return len(s) == 0 })
	if c, v := rt.ContainerNames(), rt.VolumeNames(); len(c) != 0 || len(v) != 0 {
		t.Errorf("left after the resumed deletion: containers %v, volumes %v", c, v)
	}
	if _, err := h2.c.Delete(ctx, api.DeleteRequest{Namespace: "t1"}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("down once the set is gone: %v", err)
	}
}

// TestDeleteGraceSurvivesDaemonStop: "down -t 0" is part of the recorded deletion, so a daemon
// stopped mid-delete and started again still stops the remaining pods without a grace period
// (not with the set's terminationGracePeriodSeconds).
func TestDeleteGraceSurvivesDaemonStop(t *testing.T) {
	dir, rt := shortDir(t), fakeruntime.New(nil)
	ctx := context.Background()
	h := start(t, dir, rt)
	h.apply("t1", 2)
	h.readyPods("t1", 2)
	rt.Fail("StopContainer", "t1-web-1", errors.New("engine busy"))
	zero := int64(0)
	if _, err := h.c.Delete(ctx, api.DeleteRequest{Namespace: "t1", GraceSeconds: &zero}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a failed stop", func() bool { return len(rt.CallsTo("StopContainer")) > 0 })
	if g, _ := rt.StopGrace("t1-web-1"); g != 0 {
		t.Fatalf("first daemon stopped web-1 with grace %s, want 0", g)
	}
	h.stop()
	rt.ResetCalls()
	rt.Clear("StopContainer", "t1-web-1")

	h2 := start(t, dir, rt)
	waitFor(t, "set gone", func() bool { s, _ := h2.c.StatefulSets(ctx, "t1"); return len(s) == 0 })
	stops := rt.CallsTo("StopContainer")
	if len(stops) == 0 {
		t.Fatal("the restarted daemon stopped no pod; the test proves nothing")
	}
	for _, name := range stops {
		if g, _ := rt.StopGrace(name); g != 0 {
			t.Errorf("the restarted daemon stopped %s with grace %s, want the recorded 0", name, g)
		}
	}
}
