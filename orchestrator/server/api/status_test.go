package api

import "testing"

func TestRolloutStatus(t *testing.T) {
	pods := func(n int) []Pod { return make([]Pod, n) }
	set := func(desired, ready, updated int, muts ...func(*StatefulSet)) StatefulSet {
		s := StatefulSet{Desired: desired, Current: ready, Ready: ready, Updated: updated, Revision: "r2",
			Pods: pods(ready), Rollout: Rollout{UpdateStrategy: "RollingUpdate"}}
		for _, m := range muts {
			m(&s)
		}
		return s
	}
	part := func(p int) func(*StatefulSet) { return func(s *StatefulSet) { s.Partition = p } }
	cases := []struct {
		name string
		s    StatefulSet
		want string
		done bool
	}{
		{"complete", set(3, 3, 3), "roll out complete: 3 pods at revision r2", true},
		{"not ready", set(3, 2, 2), "waiting for 1 pods to be ready", false},
		{"old pods", set(3, 3, 1), "waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated", false},
		{"partition reached", set(3, 3, 1, part(2)), "partitioned roll out complete: 1 new pods have been updated", true},
		{"partition not reached", set(3, 3, 0, part(2)),
			"waiting for partitioned roll out to finish: 0 out of 1 new pods have been updated", false},
		{"partition above replicas", set(3, 3, 0, part(5)), "partitioned roll out complete: 0 new pods have been updated", true},
		{"spec not observed", set(3, 3, 3, func(s *StatefulSet) { s.Generation, s.Status.ObservedGeneration = 4, 3 }),
			"waiting for the statefulset spec update to be observed", false},
		{"scale down pending", set(2, 2, 2, func(s *StatefulSet) { s.Pods = pods(3) }), "waiting for 1 pods to be removed", false},
		{"paused", set(3, 3, 1, func(s *StatefulSet) { s.Paused = true }), "rollout paused: 3 pods ready, 1 of 3 updated", true},
		{"OnDelete", set(2, 2, 0, func(s *StatefulSet) { s.UpdateStrategy = "OnDelete" }),
			"2 pods ready (OnDelete: a pod takes the new revision when it is deleted)", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg, done := c.s.RolloutStatus()
			if msg != c.want || done != c.done {
				t.Errorf("got %q, %v; want %q, %v", msg, done, c.want, c.done)
			}
		})
	}
}
