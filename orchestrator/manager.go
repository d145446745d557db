package orchestrator

import (
	"cmp"
	"context"
	"fmt"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/pubsub"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/state"
)

// Options configure a Manager.
type Options struct {
	Logger *slog.Logger
	// Zone is the cluster DNS zone (default cluster.local).
	Zone string
	// OnPods receives every pod of every set after a pass that changed any pod's IP or
	// readiness (or the set of pods): the DNS server's feed. It must not block for long.
	OnPods func(pods []PodStatus)
	// Resync is the period of the safety-net pass (default 10 s).
	Resync time.Duration
	// Now is the clock (default time.Now); tests inject one to drive backoff.
	Now func() time.Time
	// ExtraLabels are put on every container ordset creates (e.g. a test marker).
	ExtraLabels map[string]string
	// Probers creates probe workers; nil runs the real ones (package probe).
	Probers ProberFactory
	// OnForget is called when a deleted set is forgotten because nothing of it is left on the
	// engine (pods, volumes due for removal and, for a namespace's last set, the network): the
	// owner of the durable desired state may drop it then. It must not block for long.
	OnForget func(namespace, set string)
	// Objects returns a namespace's ConfigMaps and Secrets (nil: none). It is called when a
	// set's actions are dispatched, so pods read what was last applied.
	Objects func(namespace string) Objects
	// OnRollout is called when a set's rollout completes and its current revision becomes
	// revision, so the owner of the durable state records it. It must not block for long.
	OnRollout func(namespace, set, revision string)
	// EngineCalls bounds the create and start calls in flight (0: DefaultEngineCalls, < 0:
	// no bound).
	EngineCalls int
	// Restarts keeps the crash-loop counters of containers restarted in place durably, so a
	// restarted daemon continues their backoff and `ps` keeps counting (nil: in memory only).
	Restarts RestartLedger
}

// Manager runs the controller of every StatefulSet: one loop observes the engine once per
// pass (Snapshot), plans every namespace and set from that snapshot with PlanEngine (pure),
// and hands the actions to the Executor (asynchronously, one execution per set at a time).
// It is level-triggered: a pass follows Docker events, probe changes, API calls, the
// planner's RequeueAfter and a resync. What it remembers between passes is SetMemory, an
// explicit planner input.
type Manager struct {
	rt    Runtime
	opts  Options
	log   *slog.Logger
	exec  Executor
	hub   pubsub.Hub[ProgressEvent]
	kickC chan struct{}

	mu       sync.Mutex
	runCtx   context.Context
	sets     map[SetKey]*setState
	probers  map[string]*proberEntry // by container ID
	lastPods string                  // fingerprint of the last OnPods call
	passed   chan struct{}           // closed (and replaced) when a pass finishes
	wg       sync.WaitGroup          // running executions
	pulls    pullNotes               // throttles image pull progress events
	restarts *restartBook            // counters of containers restarted in place

	// stale is set by everything that may have changed the engine or asks for a fresh look
	// (events, executions, API calls, resyncs) and cleared when a pass starts listing; a pass
	// woken only by probe verdicts while it is clear reuses the last snapshot (see observeOrReuse).
	stale    atomic.Bool
	lastSnap Snapshot
	lastAt   time.Time
	lastOK   bool
}

// setState is the desired state of one set plus the controller's memory about it.
type setState struct {
	key                    SetKey
	spec                   *compose.StatefulSet
	replicas               int
	revision               string
	deleted, removeVolumes bool
	rollout                Rollout

	mem    SetMemory
	busy   bool   // an execution is in flight
	execs  uint64 // executions finished; a pass plans only from a list taken after the last
	status SetStatus
	seen   bool // status holds a pass result
	stale  bool // desired state changed since status was computed
}

// desired is the set's desired state as the planner takes it.
func (s *setState) desired() Desired {
	return Desired{Namespace: s.key.Namespace, Set: s.spec, Replicas: s.replicas, Revision: s.revision,
		CurrentRevision: s.rollout.CurrentRevision, Current: s.rollout.Current, Paused: s.rollout.Paused,
		Generation: s.rollout.Generation, Deleted: s.deleted, RemoveVolumes: s.removeVolumes}
}

// Rollout is a set's revision state besides its spec: what the owner of the durable state
// keeps (Kubernetes' currentRevision, spec.paused-like pausing, generation).
type Rollout struct {
	// CurrentRevision and Current seed the set's current revision and its spec when the
	// Manager does not hold the set yet (a restarted daemon); "" means the applied revision.
	// Afterwards the Manager keeps its own: the current revision changes only when a rollout
	// completes (Options.OnRollout).
	CurrentRevision string
	Current         *compose.StatefulSet
	// Paused holds every pod at its revision (rollout pause).
	Paused bool
	// Generation counts changes of the desired state (reported as observedGeneration).
	Generation int64
}

// specAt is the spec of revision rev: the current revision's for a pod below the partition,
// else the applied one.
func (s *setState) specAt(rev string) *compose.StatefulSet {
	if rev != s.revision && rev == s.rollout.CurrentRevision && s.rollout.Current != nil {
		return s.rollout.Current
	}
	return s.spec
}

// resetRetry lets a changed desired state act at once, whatever failed before.
func (s *setState) resetRetry() { s.mem.Failures, s.mem.RetryAt = 0, time.Time{} }

type proberEntry struct {
	p   Prober
	key SetKey
}

// NewManager creates a Manager; nothing happens until Run.
func NewManager(rt Runtime, opts Options) *Manager {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Zone == "" {
		opts.Zone = identity.DefaultZone
	}
	if opts.Resync <= 0 {
		opts.Resync = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger.With("component", "controller")
	if opts.Probers == nil {
		opts.Probers = defaultProbers(rt, opts.Logger, opts.Now)
	}
	m := &Manager{rt: rt, opts: opts, log: log, kickC: make(chan struct{}, 1),
		sets: map[SetKey]*setState{}, probers: map[string]*proberEntry{}, passed: make(chan struct{})}
	if opts.EngineCalls == 0 {
		opts.EngineCalls = DefaultEngineCalls
	}
	book, err := newRestartBook(opts.Restarts)
	if err != nil {
		log.Error("restart counters start afresh", "err", err)
	}
	m.restarts = book
	m.exec = Executor{RT: rt, PullProgress: m.pulls.reporter(m.hub.Publish, opts.Now), Log: log,
		Slots: newSlots(opts.EngineCalls), Record: book.record}
	return m
}

// Apply sets (or replaces) the desired state of one set, with the revision compose.Revision
// gives. It is idempotent; a set being deleted is revived.
func (m *Manager) Apply(namespace string, set *compose.StatefulSet, replicas int) {
	m.ApplyRevision(namespace, set, replicas, compose.Revision(set))
}

// ApplyRevision is Apply with an explicit revision (e.g. a rolling restart changes it
// without changing the template).
func (m *Manager) ApplyRevision(namespace string, set *compose.StatefulSet, replicas int, revision string) {
	m.ApplyRollout(namespace, set, replicas, revision, Rollout{})
}

// ApplyRollout is ApplyRevision with the set's revision state (see Rollout).
func (m *Manager) ApplyRollout(namespace string, set *compose.StatefulSet, replicas int, revision string, r Rollout) {
	m.mu.Lock()
	k := SetKey{namespace, set.Name}
	s := m.sets[k]
	if s == nil || s.rollout.CurrentRevision == "" {
		if s == nil {
			s = &setState{key: k}
			m.sets[k] = s
		}
		if r.CurrentRevision == "" || r.Current == nil {
			r.CurrentRevision, r.Current = revision, set
		}
		s.rollout.CurrentRevision, s.rollout.Current = r.CurrentRevision, r.Current
	}
	if s.rollout.CurrentRevision == revision {
		s.rollout.Current = set // the same revision: keep the newest set-level fields
	}
	s.rollout.Paused, s.rollout.Generation = r.Paused, r.Generation
	s.spec, s.replicas, s.revision = set, max(replicas, 0), revision
	s.deleted, s.removeVolumes, s.stale = false, false, true
	s.resetRetry()
	m.mu.Unlock()
	m.kick()
}

// Scale changes the live replica count of a set.
func (m *Manager) Scale(namespace, set string, replicas int) error {
	if replicas < 0 {
		return fmt.Errorf("scale %s/%s: negative replicas %d", namespace, set, replicas)
	}
	m.mu.Lock()
	s := m.sets[SetKey{namespace, set}]
	if s == nil || s.deleted {
		m.mu.Unlock()
		return fmt.Errorf("scale statefulset %s/%s: %w", namespace, set, ErrNotFound)
	}
	s.replicas, s.stale = replicas, true
	m.mu.Unlock()
	m.kick()
	return nil
}

// Delete scales a set to zero in reverse order (OrderedReady) or all at once (Parallel),
// removes its volumes when removeVolumes or whenDeleted=Delete say so, then forgets it.
// Status lists the set (Deleting) until it is gone; subscribers get EventSetDeleted.
func (m *Manager) Delete(namespace, set string, removeVolumes bool) {
	m.mu.Lock()
	if s := m.sets[SetKey{namespace, set}]; s != nil {
		s.deleted, s.removeVolumes, s.stale = true, removeVolumes, true
		s.resetRetry()
	}
	m.mu.Unlock()
	m.kick()
}

// Status returns the state of every set of a namespace ("" for all), sorted by namespace and name.
func (m *Manager) Status(namespace string) []SetStatus {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []SetStatus
	for k, s := range m.sets {
		if namespace != "" && k.Namespace != namespace {
			continue
		}
		st := s.status
		if !s.seen {
			st = SetStatus{Namespace: k.Namespace, Name: k.Name, Desired: s.replicas, Revision: s.revision}
		}
		// Counts must agree with the desired state the caller just set, not the last pass.
		st.Desired, st.Revision, st.Deleting = s.replicas, s.revision, s.deleted
		if s.deleted {
			st.Desired = 0
		}
		st.Updated, st.AtCurrent, st.CurrentRevision = 0, 0, orDefault(s.rollout.CurrentRevision, s.revision)
		for _, p := range st.Pods {
			if p.ContainerID != "" && p.Revision == s.revision {
				st.Updated++
			}
			if p.ContainerID != "" && p.Revision == st.CurrentRevision {
				st.AtCurrent++
			}
		}
		st.Condition = condition(st)
		if !s.seen || s.stale && st.Waiting == "" {
			st.Condition, st.Waiting = state.NotObserved, notObservedText
		}
		st.Pods = slices.Clone(st.Pods)
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b SetStatus) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return out
}

// notObservedText is the Waiting text of a set no pass has planned since its last change.
const notObservedText = "not observed yet"

// WaitObserved returns the status of a namespace's sets ("" for all) once no set of it is
// NotObserved, or when ctx ends: a read right after an apply or a restart then shows what
// the engine runs, not an empty set. It wakes on every finished pass, never polls.
func (m *Manager) WaitObserved(ctx context.Context, namespace string) []SetStatus {
	for {
		m.mu.Lock()
		passed := m.passed
		m.mu.Unlock()
		st := m.Status(namespace)
		if !slices.ContainsFunc(st, func(s SetStatus) bool { return !s.Condition.Observed() }) {
			return st
		}
		select {
		case <-ctx.Done():
			return st
		case <-passed:
		}
	}
}

// passFinished wakes WaitObserved callers.
func (m *Manager) passFinished() {
	m.mu.Lock()
	close(m.passed)
	m.passed = make(chan struct{})
	m.mu.Unlock()
}

// Subscribe returns a channel of progress events and a function to unsubscribe. A subscriber
// that does not keep up loses events; the controller never blocks on it.
func (m *Manager) Subscribe() (<-chan ProgressEvent, func()) { return m.hub.Subscribe() }

// Trigger asks for a pass now (e.g. after the caller changed something Docker does not report).
func (m *Manager) Trigger() { m.kick() }

// kick asks for a pass soon, with a fresh observation; kicks coalesce.
func (m *Manager) kick() {
	m.stale.Store(true)
	m.probeKick()
}

// probeKick asks for a pass soon because a probe verdict changed: nothing in the engine did,
// so the pass may reuse the last snapshot.
func (m *Manager) probeKick() {
	select {
	case m.kickC <- struct{}{}:
	default:
	}
}

// Run is the controller loop. It returns when ctx ends, after in-flight executions finished
// and every probe worker stopped; pods keep running.
func (m *Manager) Run(ctx context.Context) error {
	m.mu.Lock()
	m.runCtx = ctx
	m.mu.Unlock()
	go m.watchEvents(ctx)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			m.wg.Wait()
			m.mu.Lock()
			probers := m.probers
			m.probers = map[string]*proberEntry{}
			m.mu.Unlock()
			for _, e := range probers {
				e.p.Stop()
			}
			return nil
		case <-m.kickC:
		case <-timer.C:
			m.stale.Store(true) // resync, backoff expiry: always look again
		}
		t0 := time.Now()
		next := m.pass(ctx)
		m.log.Debug("pass", "took", time.Since(t0), "next", next)
		timer.Reset(next)
		m.passFinished()
	}
}

// watchEvents turns Docker events into passes, resubscribing when the stream breaks
// (100 ms doubling to 5 s while it keeps breaking without delivering anything).
func (m *Manager) watchEvents(ctx context.Context) {
	delay := 100 * time.Millisecond
	for ctx.Err() == nil {
		sub, cancel := context.WithCancel(ctx)
		evs, errs := m.rt.Events(sub)
		m.kick() // events may have been missed while (re)subscribing
	stream:
		for {
			select {
			case <-ctx.Done():
				cancel()
				return
			case _, ok := <-evs:
				if !ok {
					break stream
				}
				delay = 100 * time.Millisecond
				m.kick()
			case err := <-errs:
				if ctx.Err() == nil {
					m.log.Warn("event stream broken; resubscribing", "err", err, "after", delay)
				}
				break stream
			}
		}
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

func (m *Manager) publish(k SetKey, pod, typ, msg string) {
	m.hub.Publish(ProgressEvent{Time: m.opts.Now(), Namespace: k.Namespace, Set: k.Name, Pod: pod, Type: typ, Message: msg})
}
