package orchestrator_test

import (
	"testing"

	"github.com/ordset/ordset/compose"
)

// A pod deleted below the partition comes back at the current revision; lowering the
// partition to zero completes the rollout and the current revision advances.
func TestPartitionedRolloutKeepsCurrentRevision(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(3), 3)
	e.converged("web", 3)
	r1 := e.status("web").Revision
	canary := func(p int) *compose.StatefulSet {
		return webSet(3, func(s *compose.StatefulSet) { s.Image = "app:2"; s.UpdateStrategy.Partition = p })
	}
	e.m.Apply("demo", canary(2), 3)
	e.eventually("web-2 updated", func() bool {
		st := e.status("web")
		return st.Updated == 1 && st.Ready == 3 && st.Waiting == ""
	})
	if st := e.status("web"); st.CurrentRevision != r1 || st.AtCurrent != 2 || st.Revision == r1 {
		t.Fatalf("during the canary: current %s (%d pods), update %s; want current %s", st.CurrentRevision, st.AtCurrent, st.Revision, r1)
	}
	if !e.rt.RemoveByName("demo-web-0") {
		t.Fatal("demo-web-0 not found")
	}
	e.eventually("web-0 back", func() bool {
		c, ok := e.rt.Container("demo-web-0")
		return ok && c.Image == "app:1" && e.status("web").Ready == 3
	})
	e.m.Apply("demo", canary(0), 3)
	e.converged("web", 3)
	e.eventually("current revision advanced", func() bool {
		st := e.status("web")
		return st.CurrentRevision == st.Revision && st.AtCurrent == 3
	})
	for _, n := range []string{"demo-web-0", "demo-web-1", "demo-web-2"} {
		if c, _ := e.rt.Container(n); c.Image != "app:2" {
			t.Fatalf("%s runs %s after the rollout", n, c.Image)
		}
	}
}
