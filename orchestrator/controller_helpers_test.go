package orchestrator_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/identity"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// probes is a fake prober factory: a pod container is Ready when the test says so.
type probes struct {
	mu      sync.Mutex
	ready   map[string]bool // pod name -> ready
	live    map[string]bool // pod name -> liveness failed when false
	notify  map[string]func()
	created map[string]string // container ID -> pod name
}

func newProbes() *probes {
	return &probes{ready: map[string]bool{}, live: map[string]bool{}, notify: map[string]func(){}, created: map[string]string{}}
}

type fakeProber struct {
	p   *probes
	pod string
}

func (f fakeProber) Start(context.Context) {}
func (f fakeProber) Stop()                 {}
func (f fakeProber) Status() orchestrator.ProbeStatus {
	f.p.mu.Lock()
	defer f.p.mu.Unlock()
	live, ok := f.p.live[f.pod]
	return orchestrator.ProbeStatus{Started: true, Ready: f.p.ready[f.pod], Live: live || !ok}
}

func (p *probes) factory(rt *fakeruntime.Runtime) orchestrator.ProberFactory {
	return func(_ *compose.StatefulSet, t orchestrator.ProbeTarget, onChange func()) orchestrator.Prober {
		c, _ := rt.InspectContainer(context.Background(), t.ContainerID)
		pod := c.Labels[identity.LabelPod]
		p.mu.Lock()
		p.notify[pod] = onChange
		p.created[t.ContainerID] = pod
		p.mu.Unlock()
		return fakeProber{p: p, pod: pod}
	}
}

func (p *probes) set(pod string, ready bool) {
	p.mu.Lock()
	p.ready[pod] = ready
	f := p.notify[pod]
	p.mu.Unlock()
	if f != nil {
		f()
	}
}

func (p *probes) failLiveness(pod string) {
	p.mu.Lock()
	p.live[pod] = false
	f := p.notify[pod]
	p.mu.Unlock()
	if f != nil {
		f()
	}
}

type env struct {
	t      *testing.T
	rt     *fakeruntime.Runtime
	ledger *fakeruntime.Ledger
	m      *orchestrator.Manager
	clock  *clock
	probe  *probes
	pods   chan []orchestrator.PodStatus
	stop   func()
}

// start runs a Manager over a fake runtime until the test ends. Resync is long so every
// pass the test sees was caused by an event, a probe change, an API call or a Trigger.
func start(t *testing.T) *env {
	t.Helper()
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	return startOn(t, fakeruntime.New(c.Now), c)
}

// ledgers holds the restart ledger of each fake runtime: like the daemon's store, it outlives
// the Manager, so a restarted one (startOn) finds the records.
var ledgers sync.Map

// startOn runs a Manager over an existing fake runtime, as a restarted daemon would.
func startOn(t *testing.T, rt *fakeruntime.Runtime, c *clock) *env {
	t.Helper()
	l, _ := ledgers.LoadOrStore(rt, fakeruntime.NewLedger())
	e := &env{t: t, clock: c, probe: newProbes(), pods: make(chan []orchestrator.PodStatus, 1000), rt: rt,
		ledger: l.(*fakeruntime.Ledger)}
	e.m = orchestrator.NewManager(e.rt, orchestrator.Options{Resync: time.Hour, Now: e.clock.Now, Restarts: e.ledger,
		Probers: e.probe.factory(e.rt), ExtraLabels: map[string]string{"io.ordset.test": "1"},
		OnPods: func(p []orchestrator.PodStatus) {
			select {
			case e.pods <- p:
			default:
			}
		}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.m.Run(ctx) }()
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Error("Run did not return")
			}
		})
	}
	t.Cleanup(e.stop)
	return e
}

// eventually polls cond until it holds or 3 s pass.
func (e *env) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s; containers %v; status %+v", what, e.rt.ContainerNames(), e.m.Status(""))
		}
		time.Sleep(time.Millisecond)
	}
}

func (e *env) status(set string) orchestrator.SetStatus {
	for _, s := range e.m.Status("") {
		if s.Name == set {
			return s
		}
	}
	return orchestrator.SetStatus{}
}

// waiting waits until the set's Waiting reason contains want.
func (e *env) waiting(set, want string) {
	e.t.Helper()
	e.eventually("waiting "+want, func() bool { return strings.Contains(e.status(set).Waiting, want) })
}

// converged waits until the set has n Ready pods at its revision and nothing to wait for.
func (e *env) converged(set string, n int) {
	e.t.Helper()
	e.eventually(set+" converged", func() bool {
		s := e.status(set)
		return s.Ready == n && s.Updated == n && s.Current == n && len(s.Pods) == n && s.Waiting == ""
	})
}

// restarts is the restart count status shows for the pod of an ordinal.
func (e *env) restarts(set string, ord int) int {
	for _, p := range e.status(set).Pods {
		if p.Ordinal == ord {
			return p.Restarts
		}
	}
	return -1
}

func (e *env) label(container, key string) string {
	c, ok := e.rt.Container(container)
	if !ok {
		return ""
	}
	return c.Labels[key]
}

func webSet(replicas int, muts ...func(*compose.StatefulSet)) *compose.StatefulSet {
	grace := int64(1)
	s := &compose.StatefulSet{
		Name: "web", Replicas: &replicas, ServiceName: "web",
		PodManagementPolicy: compose.OrderedReady,
		UpdateStrategy:      compose.UpdateStrategy{Type: compose.RollingUpdate},
		PersistentVolumeClaimRetentionPolicy: compose.RetentionPolicy{
			WhenScaled: compose.Retain, WhenDeleted: compose.Retain},
		Template: compose.PodTemplateSpec{Spec: compose.PodSpec{
			Containers: []compose.Container{{Name: "web", Image: "app:1", ImagePullPolicy: compose.PullNever,
				VolumeMounts: []compose.VolumeMount{{Name: "data", MountPath: "/data"}}}},
			TerminationGracePeriodSeconds: &grace}},
		VolumeClaimTemplates: []compose.VolumeClaimTemplate{{Name: "data"}},
	}
	for _, m := range muts {
		m(s)
	}
	return s
}

func withReadiness(s *compose.StatefulSet) {
	s.Main().ReadinessProbe = &compose.Probe{Exec: &compose.ExecAction{Command: []string{"true"}}, PeriodSeconds: 1,
		TimeoutSeconds: 1, SuccessThreshold: 1, FailureThreshold: 3}
}

func noVolumes(s *compose.StatefulSet) {
	s.VolumeClaimTemplates, s.Main().VolumeMounts = nil, nil
}
