package orchestrator

import (
	"slices"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// rolling is a Desired in the middle of a rollout from r0 (image app:0) to r1 (app:1).
func rolling(s *compose.StatefulSet, replicas int, muts ...func(*Desired)) Desired {
	d := desired(s, replicas)
	cur := *s
	cur.Template.Spec.Containers = slices.Clone(cur.Template.Spec.Containers)
	cur.Template.Spec.Containers[0].Image = "app:0"
	d.CurrentRevision, d.Current = "r0", &cur
	for _, m := range muts {
		m(&d)
	}
	return d
}

func partitioned(n int) func(*compose.StatefulSet) {
	return func(s *compose.StatefulSet) { s.UpdateStrategy.Partition = n }
}

func maxUnavailable(v string) func(*compose.StatefulSet) {
	return func(s *compose.StatefulSet) { s.UpdateStrategy.MaxUnavailable = compose.IntOrPercent(v) }
}

func paused(d *Desired) { d.Paused = true }

func TestPlanRevisions(t *testing.T) {
	runPlanCases(t, []planCase{
		{"a pod deleted below the partition comes back at the current revision",
			rolling(testSet(partitioned(2)), 3), world().vol(0).ready(1, "r0").ready(2, "r1"),
			time.Time{}, "create-pod web-0 rev=r0"},
		{"a pod at the partition is created at the update revision",
			rolling(testSet(partitioned(2)), 3), world().ready(0, "r0").ready(1, "r0").vol(2),
			time.Time{}, "create-pod web-2 rev=r1"},
		{"a failed pod below the partition is replaced at the current revision",
			rolling(testSet(partitioned(2)), 3), world().exited(0, 1, 0, 0, t0.Add(-time.Hour), t0.Add(-time.Minute)).
				ready(1, "r0").ready(2, "r1"),
			time.Time{}, "retire-container demo-web-0 (exit 1); create-pod web-0 rev=r0 restarts=1"},
		{"a scale-up below the partition uses the current revision",
			rolling(testSet(partitioned(5)), 2), world().ready(0, "r0"),
			time.Time{}, "create-volume demo_data-web-1; create-pod web-1 rev=r0"},
		{"without a current revision every pod gets the update revision",
			desired(testSet(partitioned(2)), 1), world(), time.Time{}, "create-volume demo_data-web-0; create-pod web-0 rev=r1"},
		{"partition ordinals are relative to ordinals.start",
			rolling(testSet(partitioned(1), func(s *compose.StatefulSet) { s.Ordinals.Start = 4 }), 2), world().vol(4).ready(5, "r1"),
			time.Time{}, "create-pod web-4 rev=r0"},
		{"OnDelete creates every pod at the update revision, as Kubernetes",
			rolling(testSet(onDelete, partitioned(2)), 2), world().vol(0), time.Time{}, "create-pod web-0 rev=r1"},
		{"the rollout goes on once the partition is lowered",
			rolling(testSet(partitioned(1)), 3), world().ready(0, "r0").ready(1, "r0").ready(2, "r1"),
			time.Time{}, "delete-pod web-1 (update to r1)"},
	})
}

func TestPlanPaused(t *testing.T) {
	runPlanCases(t, []planCase{
		{"a paused set does not roll", rolling(testSet(), 2, paused), world().ready(0, "r0").ready(1, "r0"), time.Time{}, ""},
		{"a paused set creates at the current revision", rolling(testSet(), 3, paused),
			world().ready(0, "r0").ready(1, "r0"), time.Time{}, "create-volume demo_data-web-2; create-pod web-2 rev=r0"},
		{"a paused set scales down", rolling(testSet(), 1, paused), world().ready(0, "r0").ready(1, "r0"),
			time.Time{}, "delete-pod web-1 (scale down)"},
		{"a paused set leaves a pod not Ready alone", rolling(testSet(), 2, paused), world().ready(0, "r0").running(1, "r0"),
			time.Time{}, "waiting: web-1 not Ready"},
	})
}

func TestPlanMaxUnavailable(t *testing.T) {
	three := func(b *obs) *obs { return b.ready(0, "r0").ready(1, "r0").ready(2, "r0") }
	runPlanCases(t, []planCase{
		{"default: one at a time", rolling(testSet(), 3), three(world()), time.Time{}, "delete-pod web-2 (update to r1)"},
		{"two at a time, highest first", rolling(testSet(maxUnavailable("2")), 3), three(world()), time.Time{},
			"delete-pod web-2 (update to r1); delete-pod web-1 (update to r1)"},
		{"never below the partition", rolling(testSet(maxUnavailable("3"), partitioned(1)), 3), three(world()), time.Time{},
			"delete-pod web-2 (update to r1); delete-pod web-1 (update to r1)"},
		{"a percentage rounds down", rolling(testSet(maxUnavailable("50%")), 5),
			world().ready(0, "r0").ready(1, "r0").ready(2, "r0").ready(3, "r0").ready(4, "r0"), time.Time{},
			"delete-pod web-4 (update to r1); delete-pod web-3 (update to r1)"},
		{"a percentage below one pod is one", rolling(testSet(maxUnavailable("10%")), 3), three(world()), time.Time{},
			"delete-pod web-2 (update to r1)"},
		{"OrderedReady recreates one at a time", rolling(testSet(maxUnavailable("2")), 3),
			world().ready(0, "r0").vol(1).vol(2), time.Time{}, "create-pod web-1 rev=r1"},
		{"Parallel: unavailable pods count against the budget", rolling(testSet(parallel, maxUnavailable("2")), 4),
			world().ready(0, "r0").ready(1, "r0").ready(2, "r0").running(3, "r1"), time.Time{},
			"delete-pod web-2 (update to r1)\nwaiting: web-3 not Ready"},
		{"Parallel: no budget left", rolling(testSet(parallel, maxUnavailable("2")), 4),
			world().ready(0, "r0").ready(1, "r0").running(2, "r1").running(3, "r1"), time.Time{},
			"waiting: web-2 not Ready; web-3 not Ready; rolling update waits: 2 pods unavailable (maxUnavailable 2)"},
	})
}

func TestPlanForcedRollback(t *testing.T) {
	runPlanCases(t, []planCase{
		{"a pod never Ready on an older revision is replaced at once",
			rolling(testSet(), 3), world().ready(0, "r0").ready(1, "r0").running(2, "rbroken"),
			time.Time{}, "delete-pod web-2 (forced rollback: not Ready on revision rbroken)"},
		{"also when it is the current revision's pod that blocks",
			rolling(testSet(), 2), world().running(0, "r0").ready(1, "r1"),
			time.Time{}, "delete-pod web-0 (forced rollback: not Ready on revision r0)"},
		{"a crash-looping pod on an older revision is replaced without backoff",
			rolling(testSet(), 1), func() *obs {
				b := world().vol(0)
				c := mainCtr(0, "rbroken", StateExited)
				c.ExitCode, c.FinishedAt = 1, t0.Add(-time.Second)
				c.Labels[identity.LabelRestarts], c.Labels[identity.LabelBackoff] = "4", "4"
				return b.add(0, c)
			}(), time.Time{}, "retire-container demo-web-0 (exit 1); create-pod web-0 rev=r1"},
		{"not a current-revision pod while higher ordinals wait for the update (a readiness blip)",
			rolling(testSet(), 3), world().running(0, "r0").running(1, "r0").running(2, "r0"),
			time.Time{}, "waiting: web-0 not Ready"},
		{"a current-revision pod that is the rollout's next one",
			rolling(testSet(), 3), world().ready(0, "r0").ready(1, "r0").running(2, "r0"),
			time.Time{}, "delete-pod web-2 (forced rollback: not Ready on revision r0)"},
		{"an abandoned revision's pod below current-revision pods",
			rolling(testSet(), 3), world().running(0, "rbroken").ready(1, "r0").ready(2, "r0"),
			time.Time{}, "delete-pod web-0 (forced rollback: not Ready on revision rbroken)"},
		{"not below the partition", rolling(testSet(partitioned(1)), 2), world().running(0, "r0").ready(1, "r1"),
			time.Time{}, "waiting: web-0 not Ready"},
		{"not with OnDelete", rolling(testSet(onDelete), 1), world().running(0, "r0"), time.Time{}, "waiting: web-0 not Ready"},
		{"not a pod of the update revision", rolling(testSet(), 1), world().running(0, "r1"), time.Time{},
			"waiting: web-0 not Ready"},
	})
}

func TestPlanInitContainersOfTheCurrentRevision(t *testing.T) {
	d := rolling(testSet(partitioned(1)), 1)
	d.Current.Template.Spec.InitContainers = []compose.Container{{Name: "seed", Image: "busybox"}}
	plan := PlanSet(d, world().vol(0).o, t0)
	if len(plan.Actions) != 1 || plan.Actions[0].Kind != ActRunInit || plan.Actions[0].Revision != "r0" {
		t.Fatalf("want one run-init at the current revision r0, got %v", plan)
	}
}

func TestRolloutComplete(t *testing.T) {
	pods := func(n int) []PodStatus { return make([]PodStatus, n) }
	done := SetStatus{Current: 3, Ready: 3, Updated: 3, CurrentRevision: "r0", Pods: pods(3)}
	cases := []struct {
		name string
		d    Desired
		st   SetStatus
		want bool
	}{
		{"every pod updated and Ready", rolling(testSet(), 3), done, true},
		{"one pod not Ready", rolling(testSet(), 3), SetStatus{Current: 3, Ready: 2, Updated: 3, CurrentRevision: "r0", Pods: pods(3)}, false},
		{"a partition leaves old pods", rolling(testSet(partitioned(1)), 3),
			SetStatus{Current: 3, Ready: 3, Updated: 2, CurrentRevision: "r0", Pods: pods(3)}, false},
		{"a condemned pod is left", rolling(testSet(), 2), done, false},
		{"already current", rolling(testSet(), 3), SetStatus{Current: 3, Ready: 3, Updated: 3, CurrentRevision: "r1", Pods: pods(3)}, false},
		{"OnDelete keeps the current revision, as Kubernetes", rolling(testSet(onDelete), 3), done, false},
		{"paused", rolling(testSet(), 3, paused), done, false},
	}
	for _, c := range cases {
		if got := RolloutComplete(c.d, c.st); got != c.want {
			t.Errorf("%s: RolloutComplete = %v, want %v", c.name, got, c.want)
		}
	}
}

// A pod keeps the probes of its revision: below the partition, the current revision's.
func TestSpecAtRevision(t *testing.T) {
	cur, upd := testSet(), testSet(func(s *compose.StatefulSet) { s.Template.Spec.Containers[0].Image = "app:2" })
	s := &setState{spec: upd, revision: "r1", rollout: Rollout{CurrentRevision: "r0", Current: cur}}
	if s.specAt("r0") != cur || s.specAt("r1") != upd || s.specAt("rx") != upd {
		t.Fatal("specAt picks the wrong revision's spec")
	}
}

// A stop or delete carries the pod's own revision, whose preStop hook the executor runs.
func TestPlanDeleteCarriesThePodsRevision(t *testing.T) {
	plan := PlanSet(rolling(testSet(), 2), world().running(0, "r0").ready(1, "r1").o, t0)
	if len(plan.Actions) != 1 || plan.Actions[0].Kind != ActDeletePod || plan.Actions[0].Revision != "r0" {
		t.Fatalf("want one delete-pod of web-0 at its revision r0, got %+v", plan.Actions)
	}
}
