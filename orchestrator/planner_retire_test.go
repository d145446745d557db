package orchestrator

import (
	"github.com/ordset/ordset/orchestrator/identity"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
)

// retired renames the last main container of ord as a retired one.
func (b *obs) retired(ord int) *obs {
	cs := b.pod(ord).Containers
	c := &cs[len(cs)-1]
	c.Name = identity.RetiredName(c.Name, c.ID)
	return b
}

// A failed container leaves the pod's name to its replacement but stays until the replacement
// exists, so a daemon that dies in between still knows the crash loop.
func TestPlanRetiredContainers(t *testing.T) {
	s := testSet(withInits("a"))
	retiredInit := func() *obs {
		o := world().vol(0).init(0, "a", "r1", StateExited, 2)
		in := &o.pod(0).Inits[0]
		in.ID = "id-init-a-old"
		in.Name = identity.RetiredName(in.Name, in.ID)
		in.Labels["io.ordset.restarts"], in.Labels["io.ordset.backoff"] = "4", "1"
		return o
	}
	runPlanCases(t, []planCase{
		{"a retired container alone is replaced with its counters, not retired again", desired(testSet(), 1),
			world().exited(0, 1, 3, 1, t0.Add(-time.Minute), t0).retired(0), t0.Add(10 * time.Second),
			"create-pod web-0 rev=r1 restarts=4"},
		{"a retired container alone still backs off", desired(testSet(), 1),
			world().exited(0, 1, 3, 1, t0.Add(-time.Minute), t0).retired(0), t0.Add(4 * time.Second),
			"waiting: web-0 crash-looping, restart in 6s\nrequeue: 6s"},
		{"a retired container goes once its replacement exists", desired(testSet(), 1),
			world().exited(0, 1, 3, 1, t0.Add(-time.Minute), t0).retired(0).add(0, mainCtr(0, "r1", StateCreated)),
			time.Time{}, "remove-container demo-web-0.retired-id-web-0 (duplicate); start-pod web-0"},
		{"a dead container cannot be renamed: it is removed", desired(testSet(), 1),
			func() *obs {
				o := world().exited(0, 1, 0, 0, t0, t0)
				o.pod(0).Containers[0].State = StateDead
				return o
			}(), t0,
			"remove-container demo-web-0 (dead); create-pod web-0 rev=r1 restarts=1"},
		{"a retired init container alone is rerun under its own name with its counters", desired(s, 1),
			retiredInit(), t0.Add(time.Minute),
			"run-init web-0 init[0] restarts=5\nwaiting: web-0 Init:0/1"},
		{"a retired init container goes once its replacement exists", desired(s, 1),
			retiredInit().init(0, "a", "r1", StateRunning, 0), t0.Add(time.Minute),
			"remove-container demo-web-0-init-a.retired-id-init-a-ol (duplicate)\nwaiting: web-0 Init:0/1"},
	})
}

// A pod of an old revision that is due for a rolling update and found stopped (its update's
// delete-pod was cut short between stop and remove by a daemon death, or it crashed) is
// replaced by the new revision at once, as a fresh pod: the crash-loop backoff of the old
// template does not delay the update.
func TestPlanStoppedPodDueForUpdate(t *testing.T) {
	stopped := func(rev string) *obs {
		o := world().ready(0, "r1").ready(1, "r1").exited(2, 143, 5, 3, t0.Add(-time.Minute), t0)
		o.pod(2).Containers[0].Labels["io.ordset.revision"] = rev
		return o
	}
	part := func(n int) func(*compose.StatefulSet) {
		return func(s *compose.StatefulSet) { s.UpdateStrategy.Partition = n }
	}
	runPlanCases(t, []planCase{
		{"old revision due for update: replaced at once with fresh counters", desired(testSet(), 3), stopped("r0"),
			t0.Add(time.Second), "retire-container demo-web-2 (exit 143); create-pod web-2 rev=r1"},
		{"current revision: crash-loop backoff as usual", desired(testSet(), 3), stopped("r1"),
			t0.Add(time.Second), "waiting: web-2 crash-looping, restart in 39s\nrequeue: 39s"},
		{"below the partition: backoff as usual", desired(testSet(part(3)), 3), stopped("r0"),
			t0.Add(time.Second), "waiting: web-2 crash-looping, restart in 39s\nrequeue: 39s"},
		{"OnDelete: backoff as usual", desired(testSet(onDelete), 3), stopped("r0"),
			t0.Add(time.Second), "waiting: web-2 crash-looping, restart in 39s\nrequeue: 39s"},
	})
}
