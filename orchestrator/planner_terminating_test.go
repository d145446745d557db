package orchestrator

import (
	"testing"
	"time"
)

// A pod whose container the engine is already removing is waited for, not removed again
// (a second removal fails with "removal already in progress" and backs the set off).
func TestPlanTerminatingPodIsWaitedFor(t *testing.T) {
	removing := func(o *obs, ord int) *obs {
		o.pod(ord).Containers[0].State = StateRemoving
		return o
	}
	runPlanCases(t, []planCase{
		{"scale down waits for the terminating target", desired(testSet(), 1),
			removing(world().ready(0, "r1").ready(1, "r1"), 1), time.Time{}, "waiting: web-1 terminating"},
		{"parallel removes the others meanwhile", desired(testSet(parallel), 1),
			removing(world().ready(0, "r1").ready(1, "r1").ready(2, "r1"), 2), time.Time{},
			"delete-pod web-1 (scale down)\nwaiting: web-2 terminating"},
		{"delete waits too", func() Desired { d := desired(testSet(), 1); d.Deleted = true; return d }(),
			removing(world().ready(0, "r1"), 0), time.Time{}, "waiting: web-0 terminating"},
	})
}
