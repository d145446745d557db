package orchestrator_test

import (
	"testing"

	"github.com/ordset/ordset/orchestrator"
)

// A paused pod shows Paused and is not Ready (so DNS drops it and an OrderedReady scale-up
// waits below it); it is neither replaced nor stopped, and unpausing makes it Ready again
// as the same container.
func TestPausedPodIsNotReadyAndComesBack(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(2), 2)
	e.converged("web", 2)
	before, _ := e.rt.Container("demo-web-0")

	if !e.rt.Pause("demo-web-0", true) {
		t.Fatal("pause demo-web-0")
	}
	e.waiting("web", "web-0 paused")
	st := e.status("web")
	if p := st.Pods[0]; p.Status != orchestrator.PhasePaused || p.Ready || st.Ready != 1 {
		t.Fatalf("paused pod: %+v (set Ready %d)", p, st.Ready)
	}
	e.m.Apply("demo", webSet(3), 3)
	e.waiting("web", "web-0 paused")
	if _, ok := e.rt.Container("demo-web-2"); ok {
		t.Fatal("web-2 created above a paused pod (OrderedReady)")
	}

	if !e.rt.Pause("demo-web-0", false) {
		t.Fatal("unpause demo-web-0")
	}
	e.converged("web", 3)
	if after, _ := e.rt.Container("demo-web-0"); after.ID != before.ID {
		t.Fatal("the paused pod was replaced instead of waited for")
	}
	for _, op := range []string{"StopContainer", "RemoveContainer"} {
		for _, n := range e.rt.CallsTo(op) {
			if n == "demo-web-0" {
				t.Fatalf("%s demo-web-0 while it was paused", op)
			}
		}
	}
}
