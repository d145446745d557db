//go:build integration

package integration

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// TestEngineCrashLoop: a pod that keeps crashing is restarted in place (the same container),
// with growing delays (first restart immediate, then 10 s, then 20 s), and its siblings are
// untouched.
func TestEngineCrashLoop(t *testing.T) {
	e := newEngine(t, "crash")
	e.m.Apply(e.ns, e.testappSet(3, ""), 3)
	before := e.waitReady(3, 90*time.Second)
	victim := e.pod("app-1")
	// The crash switch lives on app-1's own volume: every restart finds it and exits 1.
	if code, _ := podHTTP(t, "PUT", victim.IP, "/data/crash", "1"); code/100 != 2 {
		t.Fatalf("PUT /data/crash: %d", code)
	}
	tk := time.Now()
	e.killContainer(victim.ContainerID)

	var restarted []time.Time
	e.waitFor("three restarts of app-1", 120*time.Second, func(orchestrator.SetStatus) bool {
		restarted = restarted[:0]
		for _, ev := range e.eventsSince(tk, orchestrator.EventPodRestarted) {
			if ev.Pod == "app-1" {
				restarted = append(restarted, ev.Time)
			}
		}
		return len(restarted) >= 3
	})
	first, gap1, gap2 := restarted[0].Sub(tk), restarted[1].Sub(restarted[0]), restarted[2].Sub(restarted[1])
	t.Logf("restarts of app-1: %s after the kill, then +%s, then +%s", first, gap1, gap2)
	if first > 5*time.Second {
		t.Errorf("first restart came %s after the kill, want an immediate restart", first)
	}
	if gap1 < orchestrator.BackoffInitial-time.Second {
		t.Errorf("second restart after %s, want the %s crash-loop backoff", gap1, orchestrator.BackoffInitial)
	}
	if gap2 < gap1+orchestrator.BackoffInitial/2 {
		t.Errorf("backoff did not grow: %s then %s", gap1, gap2)
	}

	// PodRestarted is published when the action finishes; the status shows the count from
	// the pass that follows it.
	e.waitFor("app-1 status showing the third restart", 30*time.Second, func(orchestrator.SetStatus) bool {
		return e.pod("app-1").Restarts >= 3
	})
	p := e.pod("app-1")
	if p.Container != victim.Container {
		t.Errorf("app-1 runs in %s, want %s", p.Container, victim.Container)
	}
	c, err := e.cli.ContainerInspect(context.Background(), victim.Container)
	if err != nil {
		t.Fatalf("inspect %s: %v", victim.Container, err)
	}
	if c.ID != victim.ContainerID {
		t.Errorf("%s is container %.12s, want the killed %.12s restarted in place", victim.Container, c.ID, victim.ContainerID)
	}
	st := e.waitFor("app-1 reported as crash-looping", 30*time.Second, func(st orchestrator.SetStatus) bool {
		return e.pod("app-1").Status == orchestrator.PhaseCrashLoop && strings.Contains(st.Waiting, "app-1")
	})
	for _, name := range []string{"app-0", "app-2"} {
		if got := e.pod(name); got.ContainerID != podIDs(before)[name] || !got.Ready || got.Restarts != 0 {
			t.Errorf("sibling %s was touched: %s", name, describeSet(st))
		}
	}
}

// TestEngineParallelStart: Parallel creates every pod at once, without waiting for readiness.
func TestEngineParallelStart(t *testing.T) {
	e := newEngine(t, "parallel")
	t0 := time.Now()
	e.m.Apply(e.ns, e.testappSet(4, "    podManagementPolicy: Parallel\n    env: {READY_DELAY: 3s}\n"), 4)
	st := e.waitReady(4, 90*time.Second)
	var first, last time.Time
	for _, p := range st.Pods {
		if first.IsZero() || p.CreatedAt.Before(first) {
			first = p.CreatedAt
		}
		if p.CreatedAt.After(last) {
			last = p.CreatedAt
		}
	}
	if spread := last.Sub(first); spread >= 3*time.Second {
		t.Errorf("Parallel pods were created over %s, not at once (READY_DELAY is 3s)", spread)
	}
	ready := e.eventsSince(t0, orchestrator.EventPodReady)
	if len(ready) == 0 {
		t.Fatal("no PodReady event")
	}
	for _, p := range st.Pods {
		if p.CreatedAt.After(ready[0].Time) {
			t.Errorf("%s created at %s, after the first pod was Ready (%s): creation waited for readiness",
				p.Name, p.CreatedAt, ready[0].Time)
		}
	}
}

// TestEngineNeverReadyBlocks: with OrderedReady a pod that never becomes Ready stops the set,
// and the Waiting reason names it. The next pod may be prepared ahead (created, shown as
// Pending) but never started.
func TestEngineNeverReadyBlocks(t *testing.T) {
	e := newEngine(t, "blocked")
	e.m.Apply(e.ns, e.testappSet(3, "    env: {READY_DELAY: 1h}\n"), 3)
	e.waitFor("waiting on app-0", 60*time.Second, func(st orchestrator.SetStatus) bool {
		return strings.Contains(st.Waiting, "app-0") && e.pod("app-0").Status == "Running"
	})
	e.holds("app-1 is not started while app-0 is not Ready", 3*time.Second, func(st orchestrator.SetStatus) bool {
		return st.Ready == 0 && strings.Contains(st.Waiting, "app-0") && e.pod("app-1").Status != "Running" &&
			e.pod("app-2").ContainerID == ""
	})
	ci, err := e.cli.ContainerInspect(context.Background(), e.ns+"-app-1")
	if err == nil && (ci.State.Status != "created" || !strings.HasPrefix(ci.State.StartedAt, "0001-")) {
		t.Errorf("container %s-app-1 is %s (started %s) although app-0 never became Ready", e.ns, ci.State.Status, ci.State.StartedAt)
	}
}

// TestEngineForeignContainer: a container ordset does not own that holds a pod's name is
// refused and left as it is; removing it lets the set proceed.
func TestEngineForeignContainer(t *testing.T) {
	e := newEngine(t, "foreign")
	ctx := context.Background()
	name := e.ns + "-app-1"
	created, err := e.cli.ContainerCreate(ctx, &container.Config{Image: testenv.Image("testapp"), Labels: testenv.Labels()},
		nil, nil, nil, name)
	if err != nil {
		t.Fatalf("create foreign %s: %v", name, err)
	}
	if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		t.Fatalf("start foreign %s: %v", name, err)
	}

	t0 := time.Now()
	e.m.Apply(e.ns, e.testappSet(3, ""), 3)
	e.waitFor("refusal of the foreign app-1", 60*time.Second, func(st orchestrator.SetStatus) bool {
		return st.Ready == 1 && strings.Contains(st.Waiting, "app-1")
	})
	e.holds("the set stops at the foreign container", 2*time.Second, func(st orchestrator.SetStatus) bool {
		return st.Current == 1 && strings.Contains(st.Waiting, "app-1")
	})
	refused := false
	for _, ev := range e.eventsSince(t0, orchestrator.EventError, orchestrator.EventWaiting) {
		refused = refused || strings.Contains(ev.Message, "not managed by ordset")
	}
	if !refused {
		t.Errorf("no event says %s is not managed by ordset; waiting: %q", name, e.status().Waiting)
	}
	c, err := e.cli.ContainerInspect(ctx, name)
	if err != nil {
		t.Fatalf("foreign container is gone: %v", err)
	}
	if c.ID != created.ID || !c.State.Running || identity.Owned(c.Config.Labels) {
		t.Fatalf("foreign container was changed: id %.12s (was %.12s), running %v, labels %v",
			c.ID, created.ID, c.State.Running, c.Config.Labels)
	}

	e.removeContainer(created.ID)
	e.waitReady(3, 90*time.Second)
}

// TestEngineBadSpecChangesNothing: a file that fails validation never reaches the engine, so a
// running namespace keeps its pods and a new one gets no Docker object at all.
func TestEngineBadSpecChangesNothing(t *testing.T) {
	e := newEngine(t, "badspec")
	e.m.Apply(e.ns, e.testappSet(2, ""), 2)
	before := e.waitReady(2, 60*time.Second)
	fresh := testenv.UniqueNamespace(t, "badspecnew")
	for _, ns := range []string{e.ns, fresh} {
		doc := "namespace: " + ns + `
statefulsets:
  app:
    replicas: 3
    podManagementPolicy: Sometimes
    image: ` + testenv.Image("testapp") + `
    volumeMounts: [{name: nope, mountPath: /data}]
`
		_, err := compose.LoadBytes("bad.yaml", []byte(doc), compose.LoadOptions{})
		if err == nil {
			t.Fatalf("invalid file for %s loaded without error", ns)
		}
		if !strings.Contains(err.Error(), "bad.yaml:") {
			t.Errorf("validation error does not name the file and position: %v", err)
		}
	}
	if got := namespaceObjects(t, e.cli, fresh); len(got) != 0 {
		t.Errorf("a rejected file created objects: %v", got)
	}
	e.holds("the running set is untouched", 2*time.Second, func(st orchestrator.SetStatus) bool {
		return st.Ready == 2 && len(st.Pods) == 2 && podIDs(st)["app-0"] == podIDs(before)["app-0"] &&
			podIDs(st)["app-1"] == podIDs(before)["app-1"]
	})
}
