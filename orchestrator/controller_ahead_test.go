package orchestrator_test

import (
	"slices"
	"testing"

	"github.com/ordset/ordset/orchestrator"
)

// A daemon killed while pod N+1 is created ahead (not started) leaves a created container:
// the restarted daemon adopts it, does not create it again, and starts it only once pod N
// is Ready.
func TestPreparedPodSurvivesDaemonDeath(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(3, withReadiness), 3)
	e.waiting("web", "web-0 not Ready")
	e.eventually("web-1 prepared", func() bool {
		c, ok := e.rt.Container("demo-web-1")
		return ok && c.State == orchestrator.StateCreated
	})
	e.stop()

	e2 := startOn(t, e.rt, e.clock)
	e2.m.Apply("demo", webSet(3, withReadiness), 3)
	e2.waiting("web", "web-0 not Ready")
	e2.m.Trigger()
	e2.waiting("web", "web-0 not Ready")
	if c, _ := e2.rt.Container("demo-web-1"); c.State != orchestrator.StateCreated {
		t.Fatalf("web-1 is %s while web-0 is not Ready", c.State)
	}
	if got := e2.rt.CallsTo("StartContainer"); !slices.Equal(got, []string{"demo-web-0"}) {
		t.Fatalf("started %v before web-0 was Ready", got)
	}
	e2.probe.set("web-0", true)
	e2.waiting("web", "web-1 not Ready")
	e2.probe.set("web-1", true)
	e2.waiting("web", "web-2 not Ready")
	e2.probe.set("web-2", true)
	e2.converged("web", 3)
	if got := e2.rt.CallsTo("CreateContainer"); !slices.Equal(got, []string{"demo-web-0", "demo-web-1", "demo-web-2"}) {
		t.Fatalf("creates %v, want each pod created once", got)
	}
	if got := e2.rt.CallsTo("StartContainer"); !slices.Equal(got, []string{"demo-web-0", "demo-web-1", "demo-web-2"}) {
		t.Fatalf("starts %v, want each pod started once, in order", got)
	}
}
