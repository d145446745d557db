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
		{"a retired container is kept as the previous one once its replacement exists", desired(testSet(), 1),
			world().exited(0, 1, 3, 1, t0.Add(-time.Minute), t0).retired(0).add(0, mainCtr(0, "r1", StateCreated)),
			time.Time{}, "keep-previous demo-web-0.retired-id-web-0; start-pod web-0"},
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

// previous adds a kept previous container of ord, created at created.
func (b *obs) previous(ord int, id string, created time.Time) *obs {
	c := mainCtr(ord, "r1", StateExited)
	c.ID, c.CreatedAt = id, created
	c.Name = identity.PreviousName(c.Name, id)
	p := b.pod(ord)
	p.Previous = append(p.Previous, c)
	return b
}

// The pod's last terminated container is kept for "logs --previous" until the next crash
// replaces it or the pod is removed; it never stands in for the pod.
func TestPlanPreviousContainer(t *testing.T) {
	replaced := func() *obs {
		return world().exited(0, 1, 3, 1, t0.Add(-time.Minute), t0).retired(0).add(0, mainCtr(0, "r1", StateRunning))
	}
	runPlanCases(t, []planCase{
		{"a newer crash replaces the previous container", desired(testSet(), 1),
			replaced().previous(0, "old", t0.Add(-2*time.Hour)), time.Time{},
			"remove-container demo-web-0.previous-old (replaced by a newer previous container); keep-previous demo-web-0.retired-id-web-0\nwaiting: web-0 not Ready"},
		{"of two previous containers the newest stays", desired(testSet(), 1),
			world().ready(0, "r1").previous(0, "older", t0.Add(-3*time.Hour)).previous(0, "newer", t0.Add(-2*time.Hour)),
			time.Time{}, "remove-container demo-web-0.previous-older (replaced by a newer previous container)"},
		{"a previous container alone is not the pod: the pod is created fresh", desired(testSet(), 1),
			world().vol(0).previous(0, "old", t0.Add(-2*time.Hour)), time.Time{}, "create-pod web-0 rev=r1"},
		{"a dead retired container is not kept", desired(testSet(), 1),
			func() *obs {
				o := replaced()
				o.pod(0).Containers[0].State = StateDead
				return o
			}(), time.Time{}, "remove-container demo-web-0.retired-id-web-0 (duplicate)\nwaiting: web-0 not Ready"},
		{"scale down removes the previous container with the pod", desired(testSet(), 1),
			world().ready(0, "r1").ready(1, "r1").previous(1, "old", t0.Add(-2*time.Hour)), time.Time{},
			"delete-pod web-1 (scale down); remove-container demo-web-1.previous-old (previous container of removed pod)"},
		{"a deleted pod's volume waits for its previous container", func() Desired {
			d := desired(testSet(), 0)
			d.Deleted, d.RemoveVolumes = true, true
			return d
		}(), world().vol(0).previous(0, "old", t0.Add(-2*time.Hour)), time.Time{},
			"remove-container demo-web-0.previous-old (previous container of removed pod)"},
	})
}
