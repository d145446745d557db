package orchestrator_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
)

// graceRecorder is the fake engine, noting the grace each stop was given and whether the
// hook server had been called by then.
type graceRecorder struct {
	*fakeruntime.Runtime
	mu       sync.Mutex
	graces   []time.Duration
	hookHit  func() bool
	hitFirst []bool
}

func (g *graceRecorder) StopContainer(ctx context.Context, id string, grace time.Duration) error {
	g.mu.Lock()
	g.graces = append(g.graces, grace)
	g.hitFirst = append(g.hitFirst, g.hookHit())
	g.mu.Unlock()
	return g.Runtime.StopContainer(ctx, id, grace)
}

// hookServer answers GETs on 127.0.0.1 after delay (or never, until the request is
// abandoned, when delay < 0), counting the paths it was asked for.
func hookServer(t *testing.T, status int, delay time.Duration) (port int, hits func() []string) {
	t.Helper()
	var mu sync.Mutex
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if delay < 0 {
			<-r.Context().Done()
			return
		}
		time.Sleep(delay)
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	_, p, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ = strconv.Atoi(p)
	return port, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), paths...) }
}

func httpHooks(port int) func(*compose.StatefulSet) {
	return func(s *compose.StatefulSet) {
		get := func(path string) *compose.LifecycleHandler {
			return &compose.LifecycleHandler{HTTPGet: &compose.HTTPGetAction{Path: path, Port: compose.PortRef{Number: port}}}
		}
		s.Main().Lifecycle = &compose.Lifecycle{PostStart: get("/started"), PreStop: get("/stopping")}
	}
}

// TestHTTPGetHooks: postStart is sent to the pod's IP after the start; a delete sends preStop
// before the stop, and the stop gets the grace period less the hook's time. Any HTTP answer
// (even 500) counts as done, as for the kubelet.
func TestHTTPGetHooks(t *testing.T) {
	const hookTime = 300 * time.Millisecond
	port, hits := hookServer(t, http.StatusInternalServerError, hookTime)
	rt := &graceRecorder{Runtime: fakeruntime.New(nil)}
	rt.hookHit = func() bool { return len(hits()) == 2 }
	if _, err := rt.EnsureNetwork(context.Background(), "demo"); err != nil {
		t.Fatal(err)
	}
	rt.StartIP = "127.0.0.1"
	grace := int64(10)
	set := webSet(1, noVolumes, httpHooks(port), func(s *compose.StatefulSet) { s.Template.Spec.TerminationGracePeriodSeconds = &grace })
	e := orchestrator.Executor{RT: rt}
	tpl := orchestrator.PodTemplate{Namespace: "demo", Set: set, Revision: "r1", Network: "ordset-demo"}
	id, err := e.Do(context.Background(), tpl, orchestrator.Action{Kind: orchestrator.ActCreatePod, Pod: "web-0", Target: "demo-web-0"})
	if err != nil {
		t.Fatalf("create with a postStart answered 500: %v", err)
	}
	if got := hits(); len(got) != 1 || got[0] != "/started" {
		t.Fatalf("after the start the hook server saw %v, want [/started]", got)
	}
	if _, err := e.Do(context.Background(), tpl, orchestrator.Action{Kind: orchestrator.ActDeletePod, Pod: "web-0",
		Target: "demo-web-0", ContainerID: id, Grace: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if len(rt.graces) != 1 || !rt.hitFirst[0] {
		t.Fatalf("stops %v, preStop sent before each %v: want one stop, after the hook", rt.graces, rt.hitFirst)
	}
	if g := rt.graces[0]; g > 10*time.Second-hookTime {
		t.Errorf("the stop got %v of a 10s grace after a hook that took at least %v: the hook's time must count", g, hookTime)
	}
}

// TestPreStopOutlastingTheGrace: a hook that never answers is abandoned when the grace period
// ends, and the stop signal still gets the short floor the kubelet grants; a zero grace (a
// forced stop) runs no hook at all.
func TestPreStopOutlastingTheGrace(t *testing.T) {
	port, hits := hookServer(t, http.StatusOK, -1)
	rt := fakeruntime.New(nil)
	set := webSet(1, noVolumes, httpHooks(port))
	target := orchestrator.HookTarget{Namespace: "demo", ContainerID: "x", IP: "127.0.0.1"}
	tpl := orchestrator.PodTemplate{Namespace: "demo", Set: set}
	left, err := orchestrator.PreStop(context.Background(), rt, tpl, target, time.Second)
	if err == nil || left != 2*time.Second {
		t.Errorf("a hook that never answers: left %v, err %v; want 2s and an error", left, err)
	}
	if len(hits()) != 1 {
		t.Fatalf("hook server saw %v", hits())
	}
	if left, err := orchestrator.PreStop(context.Background(), rt, tpl, target, 0); left != 0 || err != nil || len(hits()) != 1 {
		t.Errorf("zero grace: left %v, err %v, hook calls %d; want no hook", left, err, len(hits()))
	}
}

// TestExecPreStopCountsInTheGrace: an exec preStop runs before the stop, and its time is taken
// from the grace period the stop signal gets, as for httpGet.
func TestExecPreStopCountsInTheGrace(t *testing.T) {
	const hookTime = 300 * time.Millisecond
	rt := &graceRecorder{Runtime: fakeruntime.New(nil)}
	var ran sync.Mutex
	hooked := false
	rt.ExecFunc = func(_ string, cmd []string) (orchestrator.ExecResult, error) {
		time.Sleep(hookTime)
		ran.Lock()
		hooked = true
		ran.Unlock()
		return orchestrator.ExecResult{}, nil
	}
	rt.hookHit = func() bool { ran.Lock(); defer ran.Unlock(); return hooked }
	if _, err := createThenStopWithPreStop(orchestrator.Executor{RT: rt}); err != nil {
		t.Fatal(err)
	}
	if len(rt.graces) != 1 || !rt.hitFirst[0] || rt.graces[0] > 10*time.Second-hookTime {
		t.Errorf("stops %v (hook done first: %v): want one stop after the hook, with at most 10s less the hook's %v", rt.graces, rt.hitFirst, hookTime)
	}
}

// TestFailedPreStopIsLogged: a preStop hook that fails does not hold the stop back, and the
// executor's log says so (naming the pod and the hook's error), as the kubelet's
// FailedPreStopHook event does.
func TestFailedPreStopIsLogged(t *testing.T) {
	rt := fakeruntime.New(nil)
	rt.ExecFunc = func(_ string, cmd []string) (orchestrator.ExecResult, error) {
		return orchestrator.ExecResult{ExitCode: 3, Output: []byte("drain refused")}, nil
	}
	var logged bytes.Buffer
	id, err := createThenStopWithPreStop(orchestrator.Executor{RT: rt, Log: slog.New(slog.NewTextHandler(&logged, nil))})
	if err != nil {
		t.Fatalf("create, then stop after a failed preStop: %v", err)
	}
	if c, err := rt.InspectContainer(context.Background(), id); err != nil || c.State == orchestrator.StateRunning {
		t.Errorf("container after the stop: %+v, %v; want stopped", c, err)
	}
	if out := logged.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "web-0") || !strings.Contains(out, "drain refused") {
		t.Errorf("log after a failed preStop:\n%s\nwant a warning naming web-0 and the hook's output", out)
	}
}

// createThenStopWithPreStop creates web-0 of a set whose main container has an exec preStop
// hook ("drain"), then stops it with a 10 s grace through e; it returns the container's ID.
func createThenStopWithPreStop(e orchestrator.Executor) (string, error) {
	set := webSet(1, noVolumes, func(s *compose.StatefulSet) {
		s.Main().Lifecycle = &compose.Lifecycle{PreStop: &compose.LifecycleHandler{Exec: &compose.ExecAction{Command: []string{"drain"}}}}
	})
	tpl := orchestrator.PodTemplate{Namespace: "demo", Set: set, Revision: "r1"}
	id, err := e.Do(context.Background(), tpl, orchestrator.Action{Kind: orchestrator.ActCreatePod, Pod: "web-0", Target: "demo-web-0"})
	if err != nil {
		return "", err
	}
	_, err = e.Do(context.Background(), tpl, orchestrator.Action{Kind: orchestrator.ActStopPod, Pod: "web-0",
		Target: "demo-web-0", ContainerID: id, Grace: 10 * time.Second})
	return id, err
}
