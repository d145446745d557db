package orchestrator_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator/identity"
)

// A daemon that dies after taking a crash-looping pod's failed container out of the way but
// before creating its replacement must not forget the crash loop: the restarted daemon
// still finds the failed container (and its counters), so the replacement carries them on
// and the next crash backs off instead of restarting at once.
func TestCrashLoopSurvivesDaemonDeathMidReplacement(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(1), 1)
	e.converged("web", 1)
	e.rt.Exit("demo-web-0", 1)
	e.eventually("first replacement", func() bool { return e.label("demo-web-0", identity.LabelRestarts) == "1" })
	e.converged("web", 1)

	// Second crash: after its 10 s backoff the replacement's create "dies with the daemon".
	e.rt.Exit("demo-web-0", 1)
	e.waiting("web", "web-0 crash-looping, restart in 10s")
	e.rt.Fail("CreateContainer", "demo-web-0", errors.New("daemon killed"))
	e.clock.Advance(10 * time.Second)
	e.m.Trigger()
	e.eventually("replacement attempted", func() bool { return len(e.rt.CallsTo("CreateContainer")) == 3 })
	e.stop()
	e.rt.Clear("CreateContainer", "demo-web-0")

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
	e2.rt.Exit("demo-web-0", 1)
	e2.waiting("web", "web-0 crash-looping, restart in 20s")
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
