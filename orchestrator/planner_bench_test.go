package orchestrator

import (
	"testing"
)

// BenchmarkPlanSet plans a converged 100-pod set: the cost of one set in every pass.
func BenchmarkPlanSet(b *testing.B) {
	o := world()
	for i := range 100 {
		o.ready(i, "r1")
	}
	d := desired(testSet(), 100)
	b.ReportAllocs()
	for b.Loop() {
		if p := PlanSet(d, o.o, t0); len(p.Actions) != 0 {
			b.Fatal(p)
		}
	}
}
