package orchestrator

import (
	"strconv"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// duo is a set whose pods run app containers "web" and "side", sharing emptyDir "shared";
// more adds init containers or sidecars.
func duo(more ...func(*compose.StatefulSet)) *compose.StatefulSet {
	return testSet(append([]func(*compose.StatefulSet){func(s *compose.StatefulSet) {
		s.Template.Spec.Containers = append(s.Template.Spec.Containers, compose.Container{Name: "side", Image: "side:1"})
		s.Template.Spec.Volumes = []compose.Volume{{Name: "shared", EmptyDir: &compose.EmptyDirVolumeSource{}}}
	}}, more...)...)
}

func withSidecar(name string) func(*compose.StatefulSet) {
	return func(s *compose.StatefulSet) {
		s.Template.Spec.InitContainers = append(s.Template.Spec.InitContainers,
			compose.Container{Name: name, Image: "busybox", RestartPolicy: compose.ContainerRestartAlways})
	}
}

func infraCtr(ord int, rev string, state ContainerState) Container {
	c := mainCtr(ord, rev, state)
	c.ID, c.IP = "infra-"+strconv.Itoa(ord), "10.0.0."+strconv.Itoa(ord+2)
	c.Labels[identity.LabelInfra] = "true"
	return c
}

// infraUp adds a running infrastructure container with its claim and emptyDir volumes.
func (b *obs) infraUp(ord int, rev string) *obs {
	b.vol(ord)
	b.o.EmptyDirs = append(b.o.EmptyDirs, Volume{Name: identity.EmptyDirName("demo", "web", ord, "shared"),
		Labels: identity.EmptyDirLabels("demo", "web", ord, "shared", "infra-"+strconv.Itoa(ord))})
	return b.add(ord, infraCtr(ord, rev, StateRunning))
}

// member adds app container name of pod ord joined to infra-<ord>.
func (b *obs) member(ord int, name, rev string, state ContainerState, ready bool) *obs {
	l := podLabels(ord, rev)
	l[identity.LabelRole], l[identity.LabelContainer] = identity.RoleContainer, name
	c := Container{ID: "id-" + name + "-" + strconv.Itoa(ord), Name: identity.AppContainerName("demo", "web", ord, name),
		Labels: l, State: state, NetworkMode: "container:infra-" + strconv.Itoa(ord),
		CreatedAt: t0.Add(-time.Hour), StartedAt: t0.Add(-time.Hour)}
	if state == StateExited {
		c.ExitCode, c.FinishedAt = 1, t0.Add(-time.Second)
		c.Labels[identity.LabelRestarts], c.Labels[identity.LabelBackoff] = "0", "0"
	}
	return b.joined(ord, c, ready)
}

// sidecar adds a running native sidecar (an init container) joined to infra-<ord>.
func (b *obs) sidecar(ord int, name, rev string, state ContainerState, ready bool) *obs {
	l := podLabels(ord, rev)
	l[identity.LabelRole], l[identity.LabelInit] = identity.RoleInit, name
	c := Container{ID: "id-" + name + "-" + strconv.Itoa(ord), Name: identity.InitContainerName("demo", "web", ord, name),
		Labels: l, State: state, NetworkMode: "container:infra-" + strconv.Itoa(ord), StartedAt: t0.Add(-time.Hour)}
	p := b.pod(ord)
	p.Inits = append(p.Inits, c)
	b.verdict(ord, c.ID, ready)
	return b
}

func (b *obs) joined(ord int, c Container, ready bool) *obs {
	p := b.pod(ord)
	p.Members = append(p.Members, c)
	b.verdict(ord, c.ID, ready)
	return b
}

func (b *obs) verdict(ord int, id string, ready bool) {
	p := b.pod(ord)
	if p.Verdicts == nil {
		p.Verdicts = map[string]Verdict{}
	}
	p.Verdicts[id] = Verdict{Ready: ready, ReadySince: t0.Add(-time.Hour)}
}

// duoReady is pod ord of duo() fully up and Ready.
func (b *obs) duoReady(ord int, rev string) *obs {
	b.infraUp(ord, rev).member(ord, "web", rev, StateRunning, true).member(ord, "side", rev, StateRunning, true)
	p := b.pod(ord)
	p.Ready, p.ReadySince = true, t0.Add(-time.Hour)
	return b
}

func TestPlanMultiContainerStart(t *testing.T) {
	noIP := world().infraUp(0, "r1")
	noIP.o.Pods[0].Containers[0].IP = ""
	runPlanCases(t, []planCase{
		{"a missing pod gets its claim, then its infrastructure container", desired(duo(), 2), world(), time.Time{},
			"create-volume demo_data-web-0; create-infra web-0 rev=r1"},
		{"one container with status.podIP needs one too", desired(testSet(noClaims, func(s *compose.StatefulSet) {
			s.Main().Env = compose.EnvList{{Name: "IP", ValueFrom: &compose.EnvVarSource{FieldRef: &compose.ObjectFieldSelector{FieldPath: compose.FieldPodIP}}}}
		}), 1), world(), time.Time{}, "create-infra web-0 rev=r1"},
		{"a one-container pod stays one container", desired(testSet(noClaims), 1), world(), time.Time{},
			"create-pod web-0 rev=r1"},
		{"the emptyDir is made for this infrastructure container", desired(duo(), 1), world().vol(0).add(0, infraCtr(0, "r1", StateRunning)),
			time.Time{}, "create-volume demo_web-0_shared"},
		{"then init containers one by one", desired(duo(withInits("seed")), 1), world().infraUp(0, "r1"), time.Time{},
			"run-init web-0 init[0]\nwaiting: web-0 Init:0/1"},
		{"then sidecars, kept running before the next init container", desired(duo(withInits("seed"), withSidecar("log"), withInits("late")), 1),
			joinInits(world().infraUp(0, "r1").init(0, "seed", "r1", StateExited, 0)), time.Time{},
			"run-init web-0 init[1]\nwaiting: web-0 starting container log"},
		{"then every app container at once", desired(duo(withSidecar("log")), 1),
			world().infraUp(0, "r1").sidecar(0, "log", "r1", StateRunning, true), time.Time{},
			"run-container web-0/web; run-container web-0/side\nwaiting: web-0 starting container web; web-0 starting container side"},
		{"a Ready pod lets the next one start", desired(duo(), 2), world().duoReady(0, "r1"), time.Time{},
			"create-volume demo_data-web-1; create-infra web-1 rev=r1"},
		{"not Ready while one container is not", desired(duo(), 2),
			world().infraUp(0, "r1").member(0, "web", "r1", StateRunning, true).member(0, "side", "r1", StateRunning, false),
			time.Time{}, "create-volume demo_data-web-1\nwaiting: web-0 not Ready"}, // create-ahead: the next pod's claim, no container (it needs web-1's infrastructure container)
	})
}

func TestPlanMultiContainerRestarts(t *testing.T) {
	crashed := world().infraUp(0, "r1").member(0, "web", "r1", StateExited, false).member(0, "side", "r1", StateRunning, true)
	looping := world().infraUp(0, "r1").member(0, "web", "r1", StateExited, false).member(0, "side", "r1", StateRunning, true)
	looping.o.Pods[0].Members[0].Labels[identity.LabelBackoff] = "2"
	looping.o.Pods[0].Members[0].StartedAt = t0.Add(-time.Minute) // ran too short to reset the backoff
	startErr := world().infraUp(0, "r1").member(0, "web", "r1", StateExited, false).member(0, "side", "r1", StateRunning, true)
	startErr.o.Pods[0].Members[0].Error = "no such file"
	live := world().duoReady(0, "r1")
	live.o.Pods[0].Verdicts["id-side-0"] = Verdict{LivenessFailed: true, Reason: "exit 1"}
	runPlanCases(t, []planCase{
		{"a crashed container restarts in place alone, the pod keeping its infrastructure container", desired(duo(), 1), crashed, time.Time{},
			"restart-in-place web-0/web restarts=1 (exit 1)"},
		{"one that cannot start again (a start error) is replaced", desired(duo(), 1), startErr, time.Time{},
			"retire-container demo-web-0_web (no such file); run-container web-0/web restarts=1"},
		{"with its own crash-loop backoff", desired(duo(), 1), looping, time.Time{},
			"waiting: web-0 container web crash-looping, restart in 19s\nrequeue: 19s"},
		{"a failed liveness probe stops that container only", desired(duo(), 1), live, time.Time{},
			"stop-pod web-0 (side: exit 1)"},
		{"a failed infrastructure container takes the pod down", desired(duo(), 1),
			world().vol(0).add(0, infraCtr(0, "r1", StateExited)).member(0, "web", "r1", StateRunning, true), time.Time{},
			"delete-container web-0/web (infrastructure container exit 0)\nwaiting: web-0 stopping its containers"},
		{"its app containers gone, the sidecars, init containers and the infrastructure container go, in that order", desired(duo(withInits("seed"), withSidecar("log")), 1),
			joinInits(world().vol(0).add(0, infraCtr(0, "r1", StateExited)).init(0, "seed", "r1", StateExited, 0)).sidecar(0, "log", "r1", StateRunning, true),
			time.Time{}, "delete-container web-0/log (infrastructure container exit 0); remove-container demo-web-0-init-seed (infrastructure container exit 0); remove-container demo-web-0 (infrastructure container exit 0)"},
	})
}

func TestPlanMultiContainerCleanup(t *testing.T) {
	oldJoin := world().duoReady(0, "r1")
	stray := oldJoin.o.Pods[0].Members[1]
	stray.ID, stray.NetworkMode = "stray", "container:gone"
	oldJoin.o.Pods[0].Members = append(oldJoin.o.Pods[0].Members, stray)
	staleDir := world().vol(0).add(0, infraCtr(0, "r1", StateRunning))
	staleDir.o.EmptyDirs = []Volume{{Name: "demo_web-0_shared", Labels: identity.EmptyDirLabels("demo", "web", 0, "shared", "old")}}
	leftovers := world().vol(0).member(0, "web", "r1", StateRunning, true)
	leftovers.o.EmptyDirs = staleDir.o.EmptyDirs
	orphanDir := world().duoReady(0, "r1")
	orphanDir.o.EmptyDirs = append(orphanDir.o.EmptyDirs, Volume{Name: "demo_web-1_shared",
		Labels: identity.EmptyDirLabels("demo", "web", 1, "shared", "infra-1")})
	halfDown := world().infraUp(0, "r0").member(0, "side", "r0", StateRunning, true)
	runPlanCases(t, []planCase{
		{"a container joined to another infrastructure container goes", desired(duo(), 1), oldJoin, time.Time{},
			"remove-container demo-web-0_side (not of this pod)"},
		{"an earlier incarnation's emptyDir is replaced", desired(duo(), 1), staleDir, time.Time{},
			"remove-volume demo_web-0_shared"},
		{"containers left by a gone infrastructure container go before a new one", desired(duo(), 1), leftovers, time.Time{},
			"remove-container demo-web-0_web (left by an earlier pod); remove-volume demo_web-0_shared; create-infra web-0 rev=r1"},
		{"scale down stops the app containers, then the infrastructure container, then the emptyDir", desired(duo(), 0),
			world().duoReady(0, "r1"), time.Time{},
			"delete-container web-0/web (scale down); delete-container web-0/side (scale down)\nwaiting: web-0 stopping its containers"},
		{"then the infrastructure container, then the emptyDir", desired(duo(), 0), world().infraUp(0, "r1"), time.Time{},
			"remove-container demo-web-0 (scale down); remove-volume demo_web-0_shared"},
		{"an emptyDir whose pod is gone is removed", desired(duo(), 1), orphanDir, time.Time{},
			"remove-volume demo_web-1_shared"},
		{"an update replaces the whole pod", desired(duo(), 1), world().duoReady(0, "r0"), time.Time{},
			"delete-container web-0/web (update to r1); delete-container web-0/side (update to r1)\nwaiting: web-0 stopping its containers"},
		{"a pod half torn down for an update is finished, not refilled", desired(duo(), 1), halfDown, time.Time{},
			"delete-container web-0/side (forced rollback: not Ready on revision r0)\nwaiting: web-0 stopping its containers"},
		{"and its infrastructure container goes once they are gone", desired(duo(), 1), world().infraUp(0, "r0"), time.Time{},
			"remove-container demo-web-0 (forced rollback: not Ready on revision r0); remove-volume demo_web-0_shared"},
	})
}

// joinInits joins every init container of the world's pods to its infrastructure container.
func joinInits(b *obs) *obs {
	for ord, p := range b.o.Pods {
		for i := range p.Inits {
			p.Inits[i].NetworkMode = "container:infra-" + strconv.Itoa(ord)
		}
	}
	return b
}

// TestMultiContainerReadiness: a pod is Ready when every app container and sidecar runs and
// is Ready (probes where a container has them, else Running), since the last became Ready.
func TestMultiContainerReadiness(t *testing.T) {
	probed := duo(withSidecar("log"), func(s *compose.StatefulSet) {
		s.Template.Spec.Containers[1].ReadinessProbe = &compose.Probe{}
	})
	base := func() *ObservedPod {
		b := world().add(0, infraCtr(0, "r1", StateRunning)).member(0, "web", "r1", StateRunning, false).
			member(0, "side", "r1", StateRunning, false).sidecar(0, "log", "r1", StateRunning, false)
		p := b.pod(0)
		p.Verdicts = nil
		return p
	}
	for _, tc := range []struct {
		name   string
		probes map[string]ProbeStatus
		mut    func(*ObservedPod)
		ready  bool
	}{
		{"no prober yet for the probed container", nil, nil, false},
		{"every container Ready", map[string]ProbeStatus{"id-side-0": {Ready: true, Live: true, ReadySince: t0}}, nil, true},
		{"the probed one not Ready", map[string]ProbeStatus{"id-side-0": {Live: true, Reason: "exit 1"}}, nil, false},
		{"a sidecar not running", map[string]ProbeStatus{"id-side-0": {Ready: true, Live: true}},
			func(p *ObservedPod) { p.Inits[0].State = StateExited }, false},
		{"an app container missing", map[string]ProbeStatus{"id-side-0": {Ready: true, Live: true}},
			func(p *ObservedPod) { p.Members = p.Members[1:] }, false},
		{"an unhealthy image HEALTHCHECK", map[string]ProbeStatus{"id-side-0": {Ready: true, Live: true}},
			func(p *ObservedPod) { p.Members[0].Health = "unhealthy" }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			if tc.mut != nil {
				tc.mut(p)
			}
			o := &Observed{Pods: map[int]*ObservedPod{0: p}}
			fillReadiness(o, readinessInput{key: SetKey{"demo", "web"}, hasProbes: true, probes: tc.probes,
				now: t0, desired: desired(probed, 1)})
			if p.Ready != tc.ready {
				t.Errorf("Ready = %v, want %v (verdicts %+v)", p.Ready, tc.ready, p.Verdicts)
			}
			if tc.ready && !p.ReadySince.Equal(t0) {
				t.Errorf("ReadySince = %v, want the last container's (%v)", p.ReadySince, t0)
			}
		})
	}
}

// TestTearDownLanes: a pod's app containers stop at once (a lane each); the rest runs in the
// pod's own lane, in order.
func TestTearDownLanes(t *testing.T) {
	plan := PlanSet(desired(duo(), 0), world().duoReady(0, "r1").o, t0)
	lanes := map[string]bool{}
	for _, a := range plan.Actions {
		lanes[a.Lane] = true
	}
	if len(plan.Actions) != 2 || len(lanes) != 2 || lanes[""] {
		t.Errorf("app container stops: %+v", plan.Actions)
	}
	plan = PlanSet(desired(duo(), 0), world().infraUp(0, "r1").o, t0)
	for _, a := range plan.Actions {
		if a.Lane != "" {
			t.Errorf("%s runs in lane %q, want the pod's", a, a.Lane)
		}
	}
}

// withStartupProbe gives the last init container (a native sidecar) a startupProbe.
func withStartupProbe(s *compose.StatefulSet) {
	inits := s.Template.Spec.InitContainers
	inits[len(inits)-1].StartupProbe = &compose.Probe{Exec: &compose.ExecAction{Command: []string{"true"}}}
}

// started marks a container's startup probe as passed in the observed verdicts.
func (b *obs) started(ord int, id string) *obs {
	v := b.pod(ord).Verdicts[id]
	v.Started = true
	b.pod(ord).Verdicts[id] = v
	return b
}

// A native sidecar with a startupProbe holds the next init container, and the app containers,
// until the probe passed, as the kubelet; without one, Running is enough (Ready is not needed).
// Once the app containers started, a sidecar that restarts holds nothing.
func TestPlanSidecarStartupProbe(t *testing.T) {
	probed := duo(withSidecar("log"), withStartupProbe, withInits("late"))
	last := duo(withSidecar("log"), withStartupProbe)
	running := func() *obs { return world().infraUp(0, "r1").sidecar(0, "log", "r1", StateRunning, false) }
	restarted := world().infraUp(0, "r1").sidecar(0, "log", "r1", StateRunning, false).
		member(0, "web", "r1", StateRunning, true).member(0, "side", "r1", StateRunning, true)
	runPlanCases(t, []planCase{
		{"running, startup probe not passed: the next init container waits", desired(probed, 1), running(), time.Time{},
			"waiting: web-0 sidecar log: startup probe not passed yet"},
		{"startup probe passed: the next init container runs", desired(probed, 1), running().started(0, "id-log-0"), time.Time{},
			"run-init web-0 init[1]\nwaiting: web-0 Init:1/2"},
		{"the last sidecar holds the app containers too", desired(last, 1), running(), time.Time{},
			"waiting: web-0 sidecar log: startup probe not passed yet"},
		{"and lets them start once started", desired(last, 1), running().started(0, "id-log-0"), time.Time{},
			"run-container web-0/web; run-container web-0/side\nwaiting: web-0 starting container web; web-0 starting container side"},
		{"without a startup probe, Running (not Ready) is enough", desired(duo(withSidecar("log"), withInits("late")), 1), running(), time.Time{},
			"run-init web-0 init[1]\nwaiting: web-0 Init:1/2"},
		{"a started pod's sidecar gates nothing", desired(last, 1), restarted, time.Time{},
			"waiting: web-0 not Ready"},
	})
}

// A sidecar's verdict is Started from its prober's startup probe; without probes it is Started
// when it runs; with probes but no prober yet, it is not.
func TestMemberVerdictStarted(t *testing.T) {
	c := Container{ID: "c", State: StateRunning, StartedAt: t0}
	in := readinessInput{now: t0, probes: map[string]ProbeStatus{}}
	seen := map[string]time.Time{}
	if v := memberVerdict(c, true, in, seen); v.Started {
		t.Error("probed, no prober yet: Started")
	}
	in.probes["c"] = ProbeStatus{Live: true}
	if v := memberVerdict(c, true, in, seen); v.Started {
		t.Error("startup probe not passed: Started")
	}
	in.probes["c"] = ProbeStatus{Live: true, Started: true}
	if v := memberVerdict(c, true, in, seen); !v.Started {
		t.Error("startup probe passed: not Started")
	}
	if v := memberVerdict(c, false, readinessInput{now: t0}, seen); !v.Started {
		t.Error("no probes, running: not Started")
	}
}
