package orchestrator_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// A daemon that dies after taking a crash-looping pod's failed container out of the way but
// before creating its replacement must not forget the crash loop: the restarted daemon
// still finds the failed container (and its counters), so the replacement carries them on
// and the next crash backs off instead of restarting at once. Here the replacement is due
// because the restart in place failed (its start error: the container cannot start again).
func TestCrashLoopSurvivesDaemonDeathMidReplacement(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(1), 1)
	e.converged("web", 1)
	e.rt.Exit("demo-web-0", 1)
	e.eventually("first restart", func() bool { return e.restarts("web", 0) == 1 })
	e.converged("web", 1)

	// Second crash: after its 10 s backoff the restart in place fails to start, and the
	// replacement's create "dies with the daemon".
	e.clock.Advance(time.Minute)
	e.rt.Exit("demo-web-0", 1)
	e.waiting("web", "web-0 crash-looping, restart in 10s")
	e.rt.Fail("StartContainer", "demo-web-0", errors.New("cannot start"))
	e.rt.Fail("CreateContainer", "demo-web-0", errors.New("daemon killed"))
	e.clock.Advance(10 * time.Second)
	e.m.Trigger()
	e.waiting("web", "retrying after error: restart container demo-web-0: cannot start")
	e.clock.Advance(time.Second)
	e.m.Trigger()
	e.eventually("replacement attempted", func() bool { return len(e.rt.CallsTo("CreateContainer")) == 2 })
	e.stop()
	e.rt.Clear("CreateContainer", "demo-web-0")
	e.rt.Clear("StartContainer", "demo-web-0")

	e2 := startOn(t, e.rt, e.clock)
	e2.m.Apply("demo", webSet(1), 1)
	e2.converged("web", 1)
	if got := e2.label("demo-web-0", identity.LabelRestarts); got != "2" {
		t.Fatalf("replacement restarts label %q, want 2 (the crash loop was forgotten)", got)
	}
	// The retired container is kept as the previous one once its replacement exists (possibly
	// a pass after the set reads converged); the one it replaces goes.
	prev := "demo-web-0.previous-"
	e2.eventually("demo-web-0 and its previous container", func() bool {
		names := e2.rt.ContainerNames()
		return len(names) == 2 && names[0] == "demo-web-0" && strings.HasPrefix(names[1], prev)
	})
	e2.clock.Advance(time.Minute)
	e2.rt.Exit("demo-web-0", 1)
	e2.waiting("web", "web-0 crash-looping, restart in 20s")
}

// A daemon killed after recording a restart in place but before starting the container: the
// restarted daemon finds the record answering the very failure it sees, so it starts the
// container at once and counts that failure once, not twice.
func TestRestartCountedOnceWhenDaemonDiesBetweenRecordAndStart(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(1), 1)
	e.converged("web", 1)
	first, _ := e.rt.Container("demo-web-0")
	e.ledger.DieAfterNextRecord()
	e.rt.Exit("demo-web-0", 1)
	e.eventually("restart recorded", func() bool { return e.ledger.Records()[first.ID].Restarts == 1 })
	e.stop()
	if c, _ := e.rt.Container("demo-web-0"); c.State != orchestrator.StateExited {
		t.Fatalf("container %s before the restarted daemon, want exited (not started)", c.State)
	}

	e2 := startOn(t, e.rt, e.clock)
	e2.m.Apply("demo", webSet(1), 1)
	e2.converged("web", 1)
	if got := e2.restarts("web", 0); got != 1 {
		t.Fatalf("restarts %d, want 1 (one failure counted once)", got)
	}
	if c, _ := e2.rt.Container("demo-web-0"); c.ID != first.ID {
		t.Fatalf("container %s, want %s restarted in place", c.ID, first.ID)
	}
	// The backoff continues from the record: the next crash waits 10 s.
	e2.clock.Advance(time.Minute)
	e2.rt.Exit("demo-web-0", 1)
	e2.waiting("web", "web-0 crash-looping, restart in 10s")
}

// Restart records of containers that are gone are dropped.
func TestRestartRecordsOfRemovedContainersAreDropped(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(1), 1)
	e.converged("web", 1)
	first, _ := e.rt.Container("demo-web-0")
	e.rt.Exit("demo-web-0", 1)
	e.eventually("restart", func() bool { return e.restarts("web", 0) == 1 })
	e.m.Delete("demo", "web", false)
	e.eventually("record dropped", func() bool {
		_, ok := e.ledger.Records()[first.ID]
		return !ok && len(e.rt.ContainerNames()) == 0
	})
}

// A namespace network removed behind the controller's back without it hearing the event (the
// stream was down, or the engine dropped it) is recreated instead of failing every create:
// every pass observes the networks, so the create that needs it finds it missing beforehand.
func TestMissingNetworkIsRecreated(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(1), 1)
	e.converged("web", 1)
	if err := e.rt.RemoveNetwork(context.Background(), "demo"); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Scale("demo", "web", 2); err != nil {
		t.Fatal(err)
	}
	e.converged("web", 2)
	if got := e.rt.CallsTo("EnsureNetwork"); len(got) != 2 {
		t.Fatalf("EnsureNetwork calls %v, want one per missing network", got)
	}
	if errs := e.rt.CallsTo("CreateContainer"); len(errs) != 2 {
		t.Fatalf("creates %v, want one per pod (none failed on the missing network)", errs)
	}
}
