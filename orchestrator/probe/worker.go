package probe

import (
	"context"
	"github.com/ordset/ordset/orchestrator/identity"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ordset/ordset/compose"
)

// Status is what the probes say about one pod.
type Status struct {
	// Started is true once the startup probe succeeded (at once when there is none).
	Started bool
	// Ready is true while the readiness probe passes (Started, when there is no readiness probe).
	Ready bool
	// Live turns false for good when the liveness or startup probe exhausts its failureThreshold:
	// the controller must restart the pod.
	Live bool
	// Reason explains the latest failure that shaped the status ("" when ready and live).
	Reason string
	// ReadySince is when Ready last became true (zero while not ready).
	ReadySince time.Time
	// Changed is when Started, Ready or Live last changed.
	Changed time.Time
}

// WorkerConfig configures the probes of one pod.
type WorkerConfig struct {
	Target                       Target
	Readiness, Liveness, Startup *compose.Probe
	Exec                         ExecFunc
	// OnChange is called, in order and never concurrently, whenever Started, Ready or Live changes.
	OnChange func(Status)
	Logger   *slog.Logger
	// Now stamps Status.Changed and ReadySince (a controller may pass its own clock).
	// Probe scheduling always follows the real clock.
	Now func() time.Time
	// StartedAt is when the container started; initialDelaySeconds counts from it. Zero means
	// the moment Start is called. A restarted daemon passes the real start time so pods that are
	// long past their initial delay are probed at once.
	StartedAt time.Time
	// FastLimit caps the start-up retry interval while the pod is not Ready yet (see Worker).
	// Zero means 40 ms for tcpSocket/httpGet and 200 ms for exec probes, which cost a docker exec.
	FastLimit time.Duration

	// unit is the length of one "second" in the probe fields; tests shrink it.
	unit time.Duration
}

// Worker probes one pod like a kubelet probe worker, with one difference: until the pod is
// first Ready (and while the startup probe has not passed) it retries fast, 5 ms doubling up
// to min(periodSeconds, max(FastLimit, 5% of the time since start)), so readiness is noticed
// within a few tens of milliseconds of the application without probing a slow starter hard.
// Failures in that phase count towards failureThreshold at most once per periodSeconds, so
// thresholds keep their Kubernetes meaning (a startup probe still allows
// failureThreshold x periodSeconds).
type Worker struct {
	cfg WorkerConfig
	log *slog.Logger

	notifyMu   sync.Mutex // orders OnChange calls
	inCallback atomic.Bool
	stopped    atomic.Bool
	mu         sync.Mutex
	st         Status

	started  chan struct{} // closed once Started
	startMu  sync.Once
	stopOnce sync.Once
	cancel   context.CancelFunc
	done     sync.WaitGroup
	t0       time.Time
}

// NewWorker prepares a worker; nothing runs until Start.
func NewWorker(cfg WorkerConfig) *Worker {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.unit == 0 {
		cfg.unit = time.Second
	}
	cfg.Readiness, cfg.Liveness, cfg.Startup = defaulted(cfg.Readiness), defaulted(cfg.Liveness), defaulted(cfg.Startup)
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{
		cfg:     cfg,
		log:     log.With("component", "probe", "container", identity.ShortID(cfg.Target.ContainerID)),
		st:      Status{Live: true},
		started: make(chan struct{}),
		cancel:  func() {},
	}
}

// Start launches the probe loops; they end when ctx ends, Stop is called or the pod is not Live.
// Start after Stop does nothing.
func (w *Worker) Start(ctx context.Context) {
	if w.stopped.Load() {
		return
	}
	w.startMu.Do(func() {
		ctx, cancel := context.WithCancel(ctx)
		w.mu.Lock()
		w.cancel = cancel
		w.mu.Unlock()
		w.t0 = w.cfg.StartedAt
		if w.t0.IsZero() {
			w.t0 = time.Now()
		}
		w.spawn(func() { w.startupLoop(ctx) })
		w.spawn(func() { w.readinessLoop(ctx) })
		if w.cfg.Liveness != nil {
			w.spawn(func() { w.livenessLoop(ctx) })
		}
	})
}

// Stop ends the probe loops and waits for them; OnChange is not called after Stop returns.
// Stop may be called from OnChange (a controller reacting to Live=false); it then returns at
// once, and so it does when another goroutine's OnChange is running, which may finish after.
func (w *Worker) Stop() {
	w.stopOnce.Do(func() {
		w.stopped.Store(true)
		w.mu.Lock()
		cancel := w.cancel
		w.mu.Unlock()
		cancel()
		if w.inCallback.Load() {
			return
		}
		// A barrier: a callback about to start sees stopped and skips.
		w.notifyMu.Lock()
		//lint:ignore SA2001 the empty critical section waits for a running callback's lock
		w.notifyMu.Unlock()
		w.done.Wait()
	})
}

// Status returns the current status.
func (w *Worker) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.st
}

func (w *Worker) spawn(f func()) {
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		f()
	}()
}

// update applies f to the status and reports a change of Started, Ready or Live.
func (w *Worker) update(ctx context.Context, f func(*Status)) {
	w.notifyMu.Lock()
	defer w.notifyMu.Unlock()
	if ctx.Err() != nil || w.stopped.Load() {
		return // stopped: the owner no longer listens
	}
	w.mu.Lock()
	old := w.st
	f(&w.st)
	changed := old.Started != w.st.Started || old.Ready != w.st.Ready || old.Live != w.st.Live
	if changed {
		now := w.cfg.Now()
		w.st.Changed = now
		if w.st.Ready && !old.Ready {
			w.st.ReadySince = now
		}
		if !w.st.Ready {
			w.st.ReadySince = time.Time{}
		}
	}
	st := w.st
	w.mu.Unlock()
	if changed {
		w.log.Debug("probe status changed", "started", st.Started, "ready", st.Ready, "live", st.Live, "reason", st.Reason)
		if w.cfg.OnChange != nil && !w.stopped.Load() {
			w.inCallback.Store(true)
			w.cfg.OnChange(st)
			w.inCallback.Store(false)
		}
	}
}

func (w *Worker) markStarted(ctx context.Context) {
	w.update(ctx, func(s *Status) {
		s.Started = true
		if w.cfg.Readiness == nil {
			s.Ready = true
			s.Reason = ""
		}
	})
	close(w.started)
}

// kill marks the pod not live (terminal) and ends every loop.
func (w *Worker) kill(ctx context.Context, reason string) {
	w.update(ctx, func(s *Status) {
		s.Live = false
		s.Ready = false
		s.Reason = reason
	})
	w.mu.Lock()
	cancel := w.cancel
	w.mu.Unlock()
	cancel()
}

func (w *Worker) startupLoop(ctx context.Context) {
	p := w.cfg.Startup
	if p == nil {
		w.markStarted(ctx)
		return
	}
	w.probeLoop(ctx, "startup", p, true, func(ok bool, run int, msg string) bool {
		if ok {
			w.markStarted(ctx)
			return false
		}
		if run >= p.FailureThreshold {
			w.kill(ctx, "startup probe failed: "+msg)
			return false
		}
		return true
	})
}

func (w *Worker) readinessLoop(ctx context.Context) {
	p := w.cfg.Readiness
	if p == nil || !w.waitStarted(ctx) {
		return
	}
	w.probeLoop(ctx, "readiness", p, true, func(ok bool, run int, msg string) bool {
		switch {
		case ok && run >= p.SuccessThreshold:
			w.update(ctx, func(s *Status) {
				if s.Live {
					s.Ready = true
					s.Reason = ""
				}
			})
		case !ok && run >= p.FailureThreshold:
			w.update(ctx, func(s *Status) {
				s.Ready = false
				s.Reason = "readiness probe failed: " + msg
			})
		case !ok:
			w.update(ctx, func(s *Status) {
				if !s.Ready {
					s.Reason = "readiness probe failed: " + msg
				}
			})
		}
		return true
	})
}

func (w *Worker) livenessLoop(ctx context.Context) {
	p := w.cfg.Liveness
	if !w.waitStarted(ctx) {
		return
	}
	w.probeLoop(ctx, "liveness", p, false, func(ok bool, run int, msg string) bool {
		if !ok && run >= p.FailureThreshold {
			w.kill(ctx, "liveness probe failed: "+msg)
			return false
		}
		return true
	})
}

func (w *Worker) waitStarted(ctx context.Context) bool {
	select {
	case <-w.started:
		return true
	case <-ctx.Done():
		return false
	}
}

// probeLoop runs p until handle returns false or ctx ends. handle gets the latest result and
// how many consecutive attempts had it. With fast set, attempts are made at the start-up pace
// until the pod is Ready (readiness) or the loop ends (startup).
func (w *Worker) probeLoop(ctx context.Context, kind string, p *compose.Probe, fast bool,
	handle func(ok bool, run int, msg string) bool) {
	unit := w.cfg.unit
	period := time.Duration(p.PeriodSeconds) * unit
	timeout := time.Duration(p.TimeoutSeconds) * unit
	if !sleepFor(ctx, time.Until(w.t0.Add(time.Duration(p.InitialDelaySeconds)*unit))) {
		return
	}
	fastLimit := w.fastLimit(p)
	interval := 5 * time.Millisecond
	var (
		lastOK    bool
		run       int
		nextCount time.Time // in the fast phase, the earliest time a failure counts again
	)
	for {
		inFast := fast && !(kind == "readiness" && w.Status().Ready)
		res, msg := run1(ctx, p, w.cfg, timeout)
		if ctx.Err() != nil {
			return
		}
		ok := res == Success
		now := time.Now()
		counts := ok || !inFast || !now.Before(nextCount)
		if counts {
			if !ok && inFast {
				nextCount = now.Add(period)
			}
			lastOK, run = streak(lastOK, run, ok)
			if !ok {
				w.log.Debug("probe failed", "probe", kind, "run", run, "msg", msg)
			}
			if !handle(ok, run, msg) {
				return
			}
		}
		wait := period
		if fast && !(kind == "readiness" && w.Status().Ready) {
			limit := max(fastLimit, now.Sub(w.t0)/20)
			wait = min(interval, limit, period)
			interval *= 2
		}
		if !sleepFor(ctx, wait) {
			return
		}
	}
}

// fastLimit caps the start-up pace's interval: exec probes cost a process each, so they go slower.
func (w *Worker) fastLimit(p *compose.Probe) time.Duration {
	switch {
	case w.cfg.FastLimit > 0:
		return w.cfg.FastLimit
	case p.Exec != nil:
		return 200 * time.Millisecond
	}
	return 40 * time.Millisecond
}

// streak counts consecutive attempts with the same outcome.
func streak(lastOK bool, run int, ok bool) (bool, int) {
	if run > 0 && ok == lastOK {
		return lastOK, run + 1
	}
	return ok, 1
}

func run1(ctx context.Context, p *compose.Probe, cfg WorkerConfig, timeout time.Duration) (Result, string) {
	return run(ctx, p, cfg.Target, cfg.Exec, timeout)
}

// defaulted gives a probe the spec's defaults (compose owns them); nil stays nil.
func defaulted(p *compose.Probe) *compose.Probe {
	if p == nil {
		return nil
	}
	d := p.Defaulted()
	return &d
}

func sleepFor(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
