package orchestrator

import (
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/state"
)

type planCase struct {
	name string
	d    Desired
	o    *obs
	now  time.Time // zero: t0
	want string
}

func runPlanCases(t *testing.T, cases []planCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			now := c.now
			if now.IsZero() {
				now = t0
			}
			got := PlanSet(c.d, c.o.o, now).String()
			if got != c.want {
				t.Errorf("plan mismatch\n got: %q\nwant: %q", got, c.want)
			}
		})
	}
}

func TestPlanOrderedReadyStart(t *testing.T) {
	runPlanCases(t, []planCase{
		{"empty set creates volume then pod 0", desired(testSet(), 3), world(),
			time.Time{}, "create-volume demo_data-web-0; create-pod web-0 rev=r1"},
		{"existing volume is reused", desired(testSet(), 3), world().vol(0),
			time.Time{}, "create-pod web-0 rev=r1"},
		{"no claims, no volumes", desired(testSet(noClaims), 1), world(),
			time.Time{}, "create-pod web-0 rev=r1"},
		{"waits for pod 0 Ready, preparing pod 1", desired(testSet(), 3), world().running(0, "r1"),
			time.Time{}, "create-volume demo_data-web-1; prepare-pod web-1 rev=r1\nwaiting: web-0 not Ready"},
		{"pod 0 Ready creates pod 1", desired(testSet(), 3), world().ready(0, "r1"),
			time.Time{}, "create-volume demo_data-web-1; create-pod web-1 rev=r1"},
		{"lowest missing first even with a gap", desired(testSet(), 3), world().ready(0, "r1").ready(2, "r1"),
			time.Time{}, "create-volume demo_data-web-1; create-pod web-1 rev=r1"},
		{"converged", desired(testSet(), 2), world().ready(0, "r1").ready(1, "r1"), time.Time{}, ""},
		{"created container is started", desired(testSet(), 2), world().vol(0).add(0, mainCtr(0, "r1", StateCreated)),
			time.Time{}, "start-pod web-0; create-volume demo_data-web-1; prepare-pod web-1 rev=r1"},
		{"ordinals.start", desired(testSet(func(s *compose.StatefulSet) { s.Ordinals.Start = 5 }), 2), world().ready(5, "r1"),
			time.Time{}, "create-volume demo_data-web-6; create-pod web-6 rev=r1"},
		{"ordinals.start ignores ordinal 0 volume", desired(testSet(func(s *compose.StatefulSet) { s.Ordinals.Start = 5 }), 1), world(),
			time.Time{}, "create-volume demo_data-web-5; create-pod web-5 rev=r1"},
	})
}

func TestPlanMinReadySeconds(t *testing.T) {
	s := testSet(func(s *compose.StatefulSet) { s.MinReadySeconds = 10 })
	o := world().ready(0, "r1")
	o.pod(0).ReadySince = t0
	runPlanCases(t, []planCase{
		{"not yet available", desired(s, 2), o, t0.Add(3 * time.Second),
			"create-volume demo_data-web-1; prepare-pod web-1 rev=r1\nwaiting: web-0 Ready, available in 7s\nrequeue: 7s"},
		{"available after minReadySeconds", desired(s, 2), o, t0.Add(10 * time.Second),
			"create-volume demo_data-web-1; create-pod web-1 rev=r1"},
	})
}

func TestPlanParallel(t *testing.T) {
	runPlanCases(t, []planCase{
		{"creates all at once", desired(testSet(parallel, noClaims), 3), world(), time.Time{},
			"create-pod web-0 rev=r1; create-pod web-1 rev=r1; create-pod web-2 rev=r1"},
		{"does not wait for unready lower pods", desired(testSet(parallel), 2), world().running(0, "r1"), time.Time{},
			"create-volume demo_data-web-1; create-pod web-1 rev=r1\nwaiting: web-0 not Ready"},
		{"crash-looping pod does not block others", desired(testSet(parallel, noClaims), 2),
			world().exited(0, 1, 1, 1, t0.Add(-time.Minute), t0), t0.Add(time.Second),
			"create-pod web-1 rev=r1\nwaiting: web-0 crash-looping, restart in 9s\nrequeue: 9s"},
		{"deletes all excess at once", desired(testSet(parallel), 1),
			world().ready(0, "r1").ready(1, "r1").running(2, "r1"), time.Time{},
			"delete-pod web-2 (scale down); delete-pod web-1 (scale down)"},
	})
}

func TestPlanScaleDown(t *testing.T) {
	del := func(s *compose.StatefulSet) { s.PersistentVolumeClaimRetentionPolicy.WhenScaled = compose.Delete }
	runPlanCases(t, []planCase{
		{"highest first, one at a time", desired(testSet(), 1), world().ready(0, "r1").ready(1, "r1").ready(2, "r1"),
			time.Time{}, "delete-pod web-2 (scale down)"},
		{"then the next", desired(testSet(), 1), world().ready(0, "r1").ready(1, "r1").vol(2),
			time.Time{}, "delete-pod web-1 (scale down)"},
		{"retain keeps volumes", desired(testSet(), 1), world().ready(0, "r1").vol(1).vol(2), time.Time{}, ""},
		{"whenScaled Delete removes volumes once pods are gone", desired(testSet(del), 1),
			world().ready(0, "r1").ready(1, "r1").vol(2), time.Time{},
			"delete-pod web-1 (scale down); remove-volume demo_data-web-2"},
		{"blocked while an in-range pod is unhealthy", desired(testSet(), 1), world().running(0, "r1").ready(1, "r1"),
			time.Time{}, "waiting: web-0 not Ready; scale down waits for every pod below web-1 to be Ready"},
		{"a healthy target goes although a lower condemned pod is unhealthy", desired(testSet(), 1),
			world().ready(0, "r1").running(1, "r1").ready(2, "r1"), time.Time{},
			"delete-pod web-2 (scale down)"},
		{"an unhealthy target waits for an unhealthy lower condemned pod", desired(testSet(), 1),
			world().ready(0, "r1").running(1, "r1").running(2, "r1"), time.Time{},
			"waiting: scale down of web-2 waits for web-1 to be Ready"},
		{"a crash-looping pod can be scaled away", desired(testSet(), 1),
			world().ready(0, "r1").exited(1, 1, 3, 3, t0, t0), time.Time{},
			"remove-container demo-web-1 (scale down)"},
		{"an unhealthy highest pod may go", desired(testSet(), 1),
			world().ready(0, "r1").ready(1, "r1").exited(2, 1, 0, 0, t0, t0), time.Time{},
			"remove-container demo-web-2 (scale down)"},
		{"scale to zero", desired(testSet(), 0), world().ready(0, "r1"), time.Time{}, "delete-pod web-0 (scale down)"},
		{"init containers go with their pod", desired(testSet(withInits("seed")), 0),
			world().init(0, "seed", "r1", StateExited, 0).ready(0, "r1"), time.Time{},
			"delete-pod web-0 (scale down); remove-container demo-web-0-init-seed (init container of removed pod)"},
	})
}

func TestPlanDelete(t *testing.T) {
	d := func(s *compose.StatefulSet, removeVolumes bool) Desired {
		x := desired(s, 3)
		x.Deleted, x.RemoveVolumes = true, removeVolumes
		return x
	}
	delPolicy := func(s *compose.StatefulSet) { s.PersistentVolumeClaimRetentionPolicy.WhenDeleted = compose.Delete }
	runPlanCases(t, []planCase{
		{"reverse order ignoring health", d(testSet(), false), world().running(0, "r1").running(1, "r1"),
			time.Time{}, "delete-pod web-1 (delete)"},
		{"parallel deletes at once", d(testSet(parallel), false), world().running(0, "r1").ready(1, "r1"),
			time.Time{}, "delete-pod web-1 (delete); delete-pod web-0 (delete)"},
		{"done keeps volumes by default", d(testSet(), false), world().vol(0).vol(1), time.Time{}, "done"},
		{"explicit removeVolumes", d(testSet(), true), world().vol(0).vol(1), time.Time{},
			"remove-volume demo_data-web-1; remove-volume demo_data-web-0"},
		{"whenDeleted Delete", d(testSet(delPolicy), false), world().vol(0), time.Time{},
			"remove-volume demo_data-web-0"},
		{"whenScaled Delete does not apply to delete", d(testSet(func(s *compose.StatefulSet) {
			s.PersistentVolumeClaimRetentionPolicy.WhenScaled = compose.Delete
		}), false), world().vol(0), time.Time{}, "done"},
		{"ignores dependsOn", func() Desired { x := d(testSet(), false); x.BlockedBy = []string{"db"}; return x }(),
			world().ready(0, "r1"), time.Time{}, "delete-pod web-0 (delete)"},
	})
}

func TestPlanFailures(t *testing.T) {
	liveFail := world().ready(0, "r1")
	liveFail.pod(0).LivenessFailed = true
	runPlanCases(t, []planCase{
		{"first failure is replaced at once with the same volumes", desired(testSet(), 2),
			world().ready(0, "r1").exited(1, 1, 0, 0, t0.Add(-time.Minute), t0), time.Time{},
			"retire-container demo-web-1 (exit 1); create-pod web-1 rev=r1 restarts=1"},
		{"second failure backs off 10s", desired(testSet(), 2),
			world().ready(0, "r1").exited(1, 1, 1, 1, t0.Add(-time.Minute), t0), t0.Add(3 * time.Second),
			"waiting: web-1 crash-looping, restart in 7s\nrequeue: 7s"},
		{"after the backoff it is replaced", desired(testSet(), 2),
			world().ready(0, "r1").exited(1, 1, 1, 1, t0.Add(-time.Minute), t0), t0.Add(10 * time.Second),
			"retire-container demo-web-1 (exit 1); create-pod web-1 rev=r1 restarts=2"},
		{"backoff doubles", desired(testSet(), 1),
			world().exited(0, 1, 3, 3, t0.Add(-time.Minute), t0), t0.Add(time.Second),
			"waiting: web-0 crash-looping, restart in 39s\nrequeue: 39s"},
		{"backoff caps at 5 min", desired(testSet(), 1),
			world().exited(0, 1, 30, 30, t0.Add(-time.Minute), t0), t0,
			"waiting: web-0 crash-looping, restart in 5m0s\nrequeue: 5m0s"},
		{"backoff resets after 10 min running", desired(testSet(), 1),
			world().exited(0, 137, 7, 7, t0.Add(-11*time.Minute), t0), t0,
			"retire-container demo-web-0 (exit 137); create-pod web-0 rev=r1 restarts=8"},
		{"crash loop blocks higher ordinals", desired(testSet(), 3),
			world().exited(0, 1, 1, 1, t0.Add(-time.Minute), t0), t0,
			"waiting: web-0 crash-looping, restart in 10s\nrequeue: 10s"},
		{"exit 0 is a failure too", desired(testSet(), 1),
			world().exited(0, 0, 0, 0, t0.Add(-time.Minute), t0), t0,
			"retire-container demo-web-0 (exit 0); create-pod web-0 rev=r1 restarts=1"},
		{"missing volume is recreated before the replacement", desired(testSet(), 1),
			func() *obs { o := world().exited(0, 1, 0, 0, t0, t0); o.o.Volumes = nil; return o }(), t0,
			"retire-container demo-web-0 (exit 1); create-volume demo_data-web-0; create-pod web-0 rev=r1 restarts=1"},
		{"a start that failed backs off from creation time", desired(testSet(), 1),
			world().vol(0).add(0, func() Container {
				c := mainCtr(0, "r1", StateCreated)
				c.Error, c.ExitCode, c.StartedAt, c.CreatedAt = "port is already allocated", 128, time.Time{}, t0
				c.Labels["io.ordset.backoff"] = "1"
				return c
			}()), t0.Add(4 * time.Second),
			"waiting: web-0 crash-looping, restart in 6s\nrequeue: 6s"},
		{"liveness failure stops the pod", desired(testSet(), 1), liveFail, time.Time{},
			"stop-pod web-0 (liveness probe failed)"},
		{"duplicate containers are removed", desired(testSet(), 1),
			world().ready(0, "r1").add(0, func() Container {
				c := mainCtr(0, "r1", StateRunning)
				c.ID, c.Name, c.CreatedAt = "dup", "demo-web-0-old", t0
				return c
			}()), time.Time{},
			"remove-container demo-web-0-old (duplicate)"},
		{"foreign container blocks the ordinal", desired(testSet(), 3),
			func() *obs {
				o := world().ready(0, "r1").vol(1)
				o.o.Foreign[1] = "container demo-web-1 exists and is not managed by ordset; remove or rename it"
				return o
			}(), time.Time{},
			"waiting: container demo-web-1 exists and is not managed by ordset; remove or rename it"},
	})
}

func TestPlanRollingUpdate(t *testing.T) {
	part := func(n int) func(*compose.StatefulSet) {
		return func(s *compose.StatefulSet) { s.UpdateStrategy.Partition = n }
	}
	runPlanCases(t, []planCase{
		{"highest first", desired(testSet(), 3), world().ready(0, "r0").ready(1, "r0").ready(2, "r0"),
			time.Time{}, "delete-pod web-2 (update to r1)"},
		{"recreated with the new revision", desired(testSet(), 3), world().ready(0, "r0").ready(1, "r0").vol(2),
			time.Time{}, "create-pod web-2 rev=r1"},
		{"waits for the updated pod", desired(testSet(), 3), world().ready(0, "r0").ready(1, "r0").running(2, "r1"),
			time.Time{}, "waiting: web-2 not Ready"},
		{"then the next lower", desired(testSet(), 3), world().ready(0, "r0").ready(1, "r0").ready(2, "r1"),
			time.Time{}, "delete-pod web-1 (update to r1)"},
		{"never while a pod is not Ready", desired(testSet(part(1)), 3), world().running(0, "r0").ready(1, "r0").ready(2, "r0"),
			time.Time{}, "waiting: web-0 not Ready"},
		{"partition protects lower ordinals", desired(testSet(part(1)), 3), world().ready(0, "r0").ready(1, "r1").ready(2, "r1"),
			time.Time{}, ""},
		{"partition relative to ordinals.start", desired(testSet(part(1), func(s *compose.StatefulSet) { s.Ordinals.Start = 3 }), 2),
			world().ready(3, "r0").ready(4, "r0"), time.Time{}, "delete-pod web-4 (update to r1)"},
		{"not during scale down", desired(testSet(), 1), world().ready(0, "r0").ready(1, "r0"),
			time.Time{}, "delete-pod web-1 (scale down)"},
		{"OnDelete leaves old pods", desired(testSet(onDelete), 2), world().ready(0, "r0").ready(1, "r0"), time.Time{}, ""},
		{"OnDelete recreates removed pods with the new revision", desired(testSet(onDelete), 2),
			world().ready(0, "r0").vol(1), time.Time{}, "create-pod web-1 rev=r1"},
	})
}

func TestPlanDependsOn(t *testing.T) {
	d := desired(testSet(), 2)
	d.BlockedBy = []string{"db (1/3 Ready)"}
	runPlanCases(t, []planCase{
		{"creates nothing", d, world(), time.Time{}, "waiting: dependsOn not Ready: db (1/3 Ready)"},
		{"existing pods keep running", d, world().ready(0, "r1"), time.Time{},
			"waiting: dependsOn not Ready: db (1/3 Ready)"},
	})
}

func TestPlanInitContainers(t *testing.T) {
	s := testSet(withInits("a", "b"))
	runPlanCases(t, []planCase{
		{"volumes then first init", desired(s, 1), world(), time.Time{},
			"create-volume demo_data-web-0; run-init web-0 init[0]\nwaiting: web-0 Init:0/2"},
		{"init running", desired(s, 1), world().vol(0).init(0, "a", "r1", StateRunning, 0), time.Time{},
			"waiting: web-0 Init:0/2"},
		{"next init after exit 0", desired(s, 1), world().vol(0).init(0, "a", "r1", StateExited, 0), time.Time{},
			"run-init web-0 init[1]\nwaiting: web-0 Init:1/2"},
		{"main container after all inits", desired(s, 1),
			world().vol(0).init(0, "a", "r1", StateExited, 0).init(0, "b", "r1", StateExited, 0), time.Time{},
			"create-pod web-0 rev=r1"},
		{"failed init is retried with backoff", desired(s, 1), world().vol(0).init(0, "a", "r1", StateExited, 2), time.Time{},
			"retire-container demo-web-0-init-a (exit 2); run-init web-0 init[0] restarts=1\nwaiting: web-0 Init:0/2"},
		{"created init is started", desired(s, 1), world().vol(0).init(0, "a", "r1", StateCreated, 0), time.Time{},
			"start-container demo-web-0-init-a\nwaiting: web-0 Init:0/2"},
		{"stale init containers are removed", desired(s, 1), world().vol(0).init(0, "a", "r0", StateExited, 0), time.Time{},
			"remove-container demo-web-0-init-a (stale init container); run-init web-0 init[0]\nwaiting: web-0 Init:0/2"},
		{"crash replacement keeps finished inits", desired(s, 1),
			world().init(0, "a", "r1", StateExited, 0).init(0, "b", "r1", StateExited, 0).exited(0, 1, 0, 0, t0, t0), t0,
			"retire-container demo-web-0 (exit 1); create-pod web-0 rev=r1 restarts=1"},
	})
	o := world().vol(0).init(0, "a", "r1", StateExited, 1)
	o.pod(0).Inits[0].Labels["io.ordset.backoff"] = "2"
	o.pod(0).Inits[0].FinishedAt = t0
	p := PlanSet(desired(s, 1), o.o, t0.Add(5*time.Second))
	if got, want := p.String(), "waiting: web-0 init container a crash-looping, restart in 15s\nrequeue: 15s"; got != want {
		t.Errorf("init backoff: got %q, want %q", got, want)
	}
	if p.Pods[0].Phase != "Init:CrashLoopBackOff" {
		t.Errorf("phase = %q", p.Pods[0].Phase)
	}
}

func TestPlanPodStates(t *testing.T) {
	p := PlanSet(desired(testSet(), 3), world().ready(0, "r1").running(1, "r1").o, t0)
	if len(p.Pods) != 3 {
		t.Fatalf("pods = %+v", p.Pods)
	}
	want := []struct {
		phase state.PodPhase
		ready bool
	}{{PhaseRunning, true}, {PhaseRunning, false}, {PhasePending, false}}
	for i, w := range want {
		if p.Pods[i].Phase != w.phase || p.Pods[i].Ready != w.ready {
			t.Errorf("pod %d: %+v, want %+v", i, p.Pods[i], w)
		}
	}
}

// A paused pod (docker pause) shows Paused, is not Ready, and holds an OrderedReady set back;
// it is neither replaced nor stopped (unpausing brings it back).
func TestPlanPausedPod(t *testing.T) {
	o := world().ready(0, "r1").add(1, mainCtr(1, "r1", StatePaused)).vol(1)
	o.pod(1).Ready = true // a stale verdict must not make a frozen pod Ready
	p := PlanSet(desired(testSet(), 3), o.o, t0)
	if got, want := p.String(), "waiting: web-1 paused"; got != want {
		t.Errorf("plan = %q, want %q", got, want)
	}
	if len(p.Pods) != 3 || p.Pods[1].Phase != PhasePaused || p.Pods[1].Ready || p.Pods[1].Available {
		t.Fatalf("pods = %+v", p.Pods)
	}
}

// A running pod that lost its network (removed or disconnected by hand) is deleted to be
// recreated on the namespace's network, lowest first; OrderedReady halts above it.
func TestPlanNetworkLost(t *testing.T) {
	lost := func(b *obs, ords ...int) *obs {
		for _, o := range ords {
			c := &b.pod(o).Containers[0]
			c.Detached, c.IP = true, ""
			b.pod(o).Ready = false
		}
		return b
	}
	runPlanCases(t, []planCase{
		{"every pod detached: the lowest goes first", desired(testSet(), 3),
			lost(world().ready(0, "r1").ready(1, "r1").ready(2, "r1"), 0, 1, 2), time.Time{},
			"delete-pod web-0 (network lost)"},
		{"parallel: all at once", desired(testSet(parallel), 2),
			lost(world().ready(0, "r1").ready(1, "r1"), 0, 1), time.Time{},
			"delete-pod web-0 (network lost); delete-pod web-1 (network lost)"},
		{"a detached pod that already stopped is a crash", desired(testSet(), 1),
			world().exited(0, 1, 0, 0, t0.Add(-time.Minute), t0.Add(-time.Minute)), time.Time{},
			"retire-container demo-web-0 (exit 1); create-pod web-0 rev=r1 restarts=1"},
	})
}

// A finished init container (exit 0) counts as done, not as an error, in the pod's phase.
func TestPlanInitPhase(t *testing.T) {
	s := testSet(withInits("a", "b"))
	cases := []struct {
		name string
		o    *obs
		want string
	}{
		{"none yet", world().vol(0), "Init:0/2"},
		{"first done", world().vol(0).init(0, "a", "r1", StateExited, 0), "Init:1/2"},
		{"first running", world().vol(0).init(0, "a", "r1", StateRunning, 0), "Init:0/2"},
		{"first failed", world().vol(0).init(0, "a", "r1", StateExited, 3), "Init:Error"},
	}
	for _, c := range cases {
		p := PlanSet(desired(s, 1), c.o.o, t0)
		if len(p.Pods) != 1 || string(p.Pods[0].Phase) != c.want {
			t.Errorf("%s: pods = %+v, want phase %q", c.name, p.Pods, c.want)
		}
	}
}

// A running pod that is not Ready carries its last probe failure, for describe and waits.
func TestPlanPodStateCarriesProbeReason(t *testing.T) {
	o := world().ready(0, "r1").running(1, "r1")
	o.pod(1).ProbeReason = "HTTP probe failed: status 503"
	o.pod(0).ProbeReason = "stale text of a pod that is Ready"
	p := PlanSet(desired(testSet(), 2), o.o, t0)
	if len(p.Pods) != 2 || p.Pods[1].Reason != "HTTP probe failed: status 503" || p.Pods[0].Reason != "" {
		t.Fatalf("pods = %+v", p.Pods)
	}
}
