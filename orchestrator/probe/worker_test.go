package probe

import (
	"context"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
)

// testUnit makes one probe "second" 10 ms, so threshold tests run in milliseconds.
const testUnit = 10 * time.Millisecond

// recorder collects OnChange calls.
type recorder struct {
	mu  sync.Mutex
	all []Status
	ch  chan Status
}

func newRecorder() *recorder { return &recorder{ch: make(chan Status, 100)} }

func (r *recorder) onChange(s Status) {
	r.mu.Lock()
	r.all = append(r.all, s)
	r.mu.Unlock()
	r.ch <- s
}

func (r *recorder) calls() []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Status(nil), r.all...)
}

// waitFor returns the first reported status satisfying ok, failing after a deadline.
func (r *recorder) waitFor(t *testing.T, what string, ok func(Status) bool) Status {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case s := <-r.ch:
			if ok(s) {
				return s
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s; calls: %+v", what, r.calls())
		}
	}
}

// switchExec is a fake ExecFunc whose answer per command can be flipped and whose calls are counted.
type switchExec struct {
	mu    sync.Mutex
	ok    map[string]bool
	calls map[string]int
}

func newSwitchExec() *switchExec {
	return &switchExec{ok: map[string]bool{}, calls: map[string]int{}}
}

func (f *switchExec) set(cmd string, ok bool) {
	f.mu.Lock()
	f.ok[cmd] = ok
	f.mu.Unlock()
}

func (f *switchExec) count(cmd string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[cmd]
}

func (f *switchExec) exec(_ context.Context, _ string, cmd []string) (int, []byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[cmd[0]]++
	if f.ok[cmd[0]] {
		return 0, nil, nil
	}
	return 1, []byte(cmd[0] + " says no"), nil
}

func execProbe(cmd string, period, success, failure int) *compose.Probe {
	return &compose.Probe{Exec: &compose.ExecAction{Command: []string{cmd}},
		PeriodSeconds: period, TimeoutSeconds: 10, SuccessThreshold: success, FailureThreshold: failure}
}

func startWorker(t *testing.T, cfg WorkerConfig) *Worker {
	t.Helper()
	if cfg.unit == 0 {
		cfg.unit = testUnit
	}
	w := NewWorker(cfg)
	w.Start(context.Background())
	t.Cleanup(w.Stop)
	return w
}

func TestWorkerNoProbesIsReadyAtOnce(t *testing.T) {
	rec := newRecorder()
	w := startWorker(t, WorkerConfig{OnChange: rec.onChange})
	s := rec.waitFor(t, "ready", func(s Status) bool { return s.Ready })
	if !s.Started || !s.Live || s.ReadySince.IsZero() || s.Changed.IsZero() {
		t.Fatalf("status %+v, want started, live, ready with timestamps", s)
	}
	if got := w.Status(); !got.Ready {
		t.Fatalf("Status() = %+v, want ready", got)
	}
}

func TestWorkerReadinessThresholds(t *testing.T) {
	f := newSwitchExec()
	rec := newRecorder()
	w := startWorker(t, WorkerConfig{Readiness: execProbe("ready", 1, 3, 2), Exec: f.exec, OnChange: rec.onChange})

	rec.waitFor(t, "started", func(s Status) bool { return s.Started && !s.Ready })
	f.set("ready", true)
	before := f.count("ready")
	rec.waitFor(t, "ready", func(s Status) bool { return s.Ready })
	if n := f.count("ready") - before; n < 3 {
		t.Fatalf("ready after %d successful attempts, want successThreshold 3", n)
	}

	f.set("ready", false)
	before = f.count("ready")
	s := rec.waitFor(t, "not ready", func(s Status) bool { return !s.Ready })
	if n := f.count("ready") - before; n < 2 {
		t.Fatalf("not ready after %d failed attempts, want failureThreshold 2", n)
	}
	if s.Reason == "" || !s.Live || !s.ReadySince.IsZero() {
		t.Fatalf("status %+v, want a reason, live, no ReadySince", s)
	}
	_ = w
}

func TestWorkerOnChangeOnlyOnChanges(t *testing.T) {
	f := newSwitchExec()
	f.set("ready", true)
	rec := newRecorder()
	startWorker(t, WorkerConfig{Readiness: execProbe("ready", 1, 1, 3), Exec: f.exec, OnChange: rec.onChange})
	rec.waitFor(t, "ready", func(s Status) bool { return s.Ready })
	// Let many more successful attempts happen; none may produce a callback.
	for deadline := time.Now().Add(5 * time.Second); f.count("ready") < 10; {
		if time.Now().After(deadline) {
			t.Fatal("probe stopped running")
		}
		time.Sleep(testUnit)
	}
	if n := len(rec.calls()); n != 2 { // started, then ready
		t.Fatalf("OnChange called %d times (%+v), want 2", n, rec.calls())
	}
}

func TestWorkerStartupGatesOtherProbes(t *testing.T) {
	f := newSwitchExec()
	f.set("ready", true)
	f.set("live", true)
	rec := newRecorder()
	startWorker(t, WorkerConfig{
		Startup:   execProbe("started", 1, 1, 1000),
		Readiness: execProbe("ready", 1, 1, 3),
		Liveness:  execProbe("live", 1, 1, 3),
		Exec:      f.exec, OnChange: rec.onChange,
	})
	for deadline := time.Now().Add(5 * time.Second); f.count("started") < 5; {
		if time.Now().After(deadline) {
			t.Fatal("startup probe not retried")
		}
		time.Sleep(testUnit)
	}
	if f.count("ready") != 0 || f.count("live") != 0 || len(rec.calls()) != 0 {
		t.Fatalf("readiness/liveness ran (%d/%d) or status changed (%v) before startup passed",
			f.count("ready"), f.count("live"), rec.calls())
	}
	f.set("started", true)
	s := rec.waitFor(t, "ready", func(s Status) bool { return s.Ready })
	if !s.Started || !s.Live {
		t.Fatalf("status %+v", s)
	}
}

func TestWorkerStartupFailureThresholdKeepsKubernetesWindow(t *testing.T) {
	f := newSwitchExec()
	rec := newRecorder()
	start := time.Now()
	startWorker(t, WorkerConfig{
		Startup:   execProbe("started", 5, 1, 4), // 4 x 50 ms window
		Readiness: execProbe("ready", 1, 1, 3),
		Exec:      f.exec, OnChange: rec.onChange,
	})
	s := rec.waitFor(t, "not live", func(s Status) bool { return !s.Live })
	elapsed := time.Since(start)
	// Failures count at most once per period: attempts at 0, 50, 100, 150 ms.
	if elapsed < 150*time.Millisecond {
		t.Fatalf("killed after %v, before failureThreshold x period", elapsed)
	}
	if s.Started || s.Ready || s.Reason == "" {
		t.Fatalf("status %+v, want not started, not ready, with reason", s)
	}
	if f.count("started") <= 4 {
		t.Fatalf("only %d startup attempts: the start-up phase should retry fast", f.count("started"))
	}
}

func TestWorkerLivenessFailureIsTerminal(t *testing.T) {
	f := newSwitchExec()
	f.set("ready", true)
	f.set("live", true)
	rec := newRecorder()
	w := startWorker(t, WorkerConfig{Readiness: execProbe("ready", 1, 1, 3), Liveness: execProbe("live", 1, 1, 3),
		Exec: f.exec, OnChange: rec.onChange})
	rec.waitFor(t, "ready", func(s Status) bool { return s.Ready })
	f.set("live", false)
	s := rec.waitFor(t, "not live", func(s Status) bool { return !s.Live })
	if s.Ready || s.Reason == "" {
		t.Fatalf("status %+v, want not ready with a reason", s)
	}
	n := f.count("live")
	f.set("live", true)
	time.Sleep(5 * testUnit) // a period or more, to prove nothing probes any more
	if f.count("live") != n || w.Status().Live {
		t.Fatalf("probing continued after the pod was declared dead (%d -> %d)", n, f.count("live"))
	}
}

func TestWorkerInitialDelay(t *testing.T) {
	f := newSwitchExec()
	f.set("ready", true)
	rec := newRecorder()
	p := execProbe("ready", 1, 1, 3)
	p.InitialDelaySeconds = 10 // 100 ms
	start := time.Now()
	startWorker(t, WorkerConfig{Readiness: p, Exec: f.exec, OnChange: rec.onChange})
	rec.waitFor(t, "ready", func(s Status) bool { return s.Ready })
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("ready after %v, before initialDelaySeconds", d)
	}
}

func TestWorkerStopEndsCallbacks(t *testing.T) {
	f := newSwitchExec()
	rec := newRecorder()
	w := startWorker(t, WorkerConfig{Readiness: execProbe("ready", 1, 1, 3), Exec: f.exec, OnChange: rec.onChange})
	rec.waitFor(t, "started", func(s Status) bool { return s.Started })
	w.Stop()
	n := len(rec.calls())
	f.set("ready", true)
	time.Sleep(5 * testUnit)
	if len(rec.calls()) != n {
		t.Fatalf("OnChange called after Stop: %+v", rec.calls())
	}
}

// TestReadyDetectionDelay checks that the worker notices a server that starts accepting
// without waiting for the probe's period (periodSeconds 10, Kubernetes' real time units):
// while a pod is not yet Ready it probes on a fast start-up schedule. The bound is half the
// period, which only a worker that slept through a period misses; how fast it really is
// belongs to the benchmarks, so the delays are only logged.
func TestReadyDetectionDelay(t *testing.T) {
	for _, kind := range []string{"tcpSocket", "httpGet"} {
		delays := readyDelays(t, kind)
		t.Logf("%s: ready detected %v after the server accepted (app start-up 0/30/120/400 ms)", kind, delays)
		if worst := delays[len(delays)-1]; worst >= 5*time.Second {
			t.Errorf("%s: ready detected %v after the server accepted, want well within one probe period (10s)", kind, worst)
		}
	}
}

func readyDelays(t *testing.T, kind string) []time.Duration {
	var delays []time.Duration
	for _, after := range []time.Duration{0, 30 * time.Millisecond, 120 * time.Millisecond, 400 * time.Millisecond} {
		addr := closedPort(t)
		ip, port := hostPort(t, addr)
		p := &compose.Probe{PeriodSeconds: 10, TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
		if kind == "tcpSocket" {
			p.TCPSocket = &compose.TCPSocketAction{Port: compose.PortRef{Number: port}}
		} else {
			p.HTTPGet = &compose.HTTPGetAction{Path: "/", Port: compose.PortRef{Number: port}}
		}
		readyAt := make(chan time.Time, 1)
		var once atomic.Bool
		w := NewWorker(WorkerConfig{Target: Target{IP: ip}, Readiness: p, OnChange: func(s Status) {
			if s.Ready && once.CompareAndSwap(false, true) {
				readyAt <- time.Now()
			}
		}})
		w.Start(context.Background())
		time.Sleep(after) // the application's start-up time, not synchronisation
		l, err := net.Listen("tcp", addr)
		if err != nil {
			w.Stop()
			t.Fatalf("re-listen on %s: %v", addr, err)
		}
		accepting := time.Now()
		srv := &http.Server{Handler: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})}
		go srv.Serve(l)
		select {
		case at := <-readyAt:
			delays = append(delays, at.Sub(accepting))
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: not ready 5s after the server started", kind)
		}
		w.Stop()
		srv.Close()
	}
	sort.Slice(delays, func(i, j int) bool { return delays[i] < delays[j] })
	return delays
}

func TestWorkerStopFromCallback(t *testing.T) {
	f := newSwitchExec()
	done := make(chan struct{})
	var w *Worker
	w = NewWorker(WorkerConfig{Liveness: execProbe("live", 1, 1, 1), Exec: f.exec, unit: testUnit,
		OnChange: func(s Status) {
			if !s.Live {
				w.Stop() // must not deadlock
				close(done)
			}
		}})
	w.Start(context.Background())
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop from OnChange deadlocked")
	}
	w.Stop()
	w.Start(context.Background()) // after Stop: nothing runs
	if w.Status().Live {
		t.Fatal("status must stay not live")
	}
}

func TestWorkerFakeClockOnlyStampsStatus(t *testing.T) {
	fake := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newSwitchExec()
	f.set("ready", true)
	rec := newRecorder()
	p := execProbe("ready", 1, 1, 3)
	p.InitialDelaySeconds = 1
	startWorker(t, WorkerConfig{Readiness: p, Exec: f.exec, OnChange: rec.onChange,
		Now: func() time.Time { return fake }, StartedAt: time.Now()})
	s := rec.waitFor(t, "ready", func(s Status) bool { return s.Ready })
	if !s.ReadySince.Equal(fake) || !s.Changed.Equal(fake) {
		t.Fatalf("status times %v / %v, want the injected clock's %v", s.ReadySince, s.Changed, fake)
	}
}
