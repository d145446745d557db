package orchestrator

import (
	"testing"
	"time"
)

// Create-ahead: while an OrderedReady pass waits for pod N, pod N+1 gets its volumes and a
// created, unstarted container; it is started only in a pass that sees N Available.
func TestPlanCreateAhead(t *testing.T) {
	s := testSet()
	inits := testSet(withInits("a", "b"))
	blocked := desired(s, 3)
	blocked.BlockedBy = []string{"db (0/1 Ready)"}
	crashing := world().exited(0, 1, 1, 1, t0.Add(-time.Minute), t0)
	terminating := world().vol(0).add(0, mainCtr(0, "r1", StateRemoving))
	foreign := world().running(0, "r1")
	foreign.o.Foreign[1] = "container demo-web-1 exists and is not managed by ordset; remove or rename it"
	runPlanCases(t, []planCase{
		{"only the next ordinal is prepared", desired(s, 3), world().running(0, "r1"), time.Time{},
			"create-volume demo_data-web-1; prepare-pod web-1 rev=r1\nwaiting: web-0 not Ready"},
		{"an existing volume is reused", desired(s, 3), world().running(0, "r1").vol(1), time.Time{},
			"prepare-pod web-1 rev=r1\nwaiting: web-0 not Ready"},
		{"a prepared pod is not started while N is not Ready", desired(s, 3),
			world().running(0, "r1").vol(1).add(1, mainCtr(1, "r1", StateCreated)), time.Time{},
			"waiting: web-0 not Ready"},
		{"a prepared pod is started once N is Ready", desired(s, 3),
			world().ready(0, "r1").vol(1).add(1, mainCtr(1, "r1", StateCreated)), time.Time{},
			"start-pod web-1; create-volume demo_data-web-2; prepare-pod web-2 rev=r1"},
		{"a prepared pod of a replaced revision is removed, never started", desired(s, 3),
			world().ready(0, "r1").vol(1).add(1, mainCtr(1, "r0", StateCreated)), time.Time{},
			"remove-container demo-web-1 (never started, update to r1); create-volume demo_data-web-2; prepare-pod web-2 rev=r1"},
		{"nothing is prepared while N is being created", desired(s, 3), world(), time.Time{},
			"create-volume demo_data-web-0; create-pod web-0 rev=r1"},
		{"nothing is prepared above a crash-looping pod", desired(s, 3), crashing, t0.Add(time.Second),
			"waiting: web-0 crash-looping, restart in 9s\nrequeue: 9s"},
		{"nothing is prepared above a terminating pod", desired(s, 3), terminating, time.Time{},
			"waiting: web-0 terminating"},
		{"nothing is prepared while dependsOn holds the set", blocked, world().running(0, "r1"), time.Time{},
			"waiting: web-0 not Ready"},
		{"nothing is prepared under a foreign name", desired(s, 3), foreign, time.Time{},
			"waiting: web-0 not Ready; container demo-web-1 exists and is not managed by ordset; remove or rename it"},
		{"with init containers the first init container is prepared", desired(inits, 2), world().running(0, "r1"), time.Time{},
			"create-volume demo_data-web-1; prepare-init web-1 init[0]\nwaiting: web-0 not Ready"},
		{"a prepared init container waits", desired(inits, 2),
			world().running(0, "r1").vol(1).init(1, "a", "r1", StateCreated, 0), time.Time{},
			"waiting: web-0 not Ready"},
		{"a prepared init container is started once N is Ready", desired(inits, 2),
			world().ready(0, "r1").vol(1).init(1, "a", "r1", StateCreated, 0), time.Time{},
			"start-container demo-web-1-init-a\nwaiting: web-1 Init:0/2"},
		{"Parallel has nothing to prepare", desired(testSet(parallel), 2), world().running(0, "r1"), time.Time{},
			"create-volume demo_data-web-1; create-pod web-1 rev=r1\nwaiting: web-0 not Ready"},
	})
}

// A prepared pod is Pending, not Ready, and counts as not Available.
func TestPlanCreateAheadPhase(t *testing.T) {
	o := world().running(0, "r1").vol(1).add(1, mainCtr(1, "r1", StateCreated))
	p := PlanSet(desired(testSet(), 3), o.o, t0)
	if len(p.Pods) != 3 {
		t.Fatalf("pods = %+v", p.Pods)
	}
	if st := p.Pods[1]; st.Phase != PhasePending || st.Ready || st.Available || !st.Exists {
		t.Errorf("prepared web-1: %+v, want Pending, not Ready", st)
	}
	if st := p.Pods[2]; st.Phase != PhasePending || st.Exists {
		t.Errorf("web-2: %+v, want Pending without container", st)
	}
}
