package procstat

import (
	"os"
	"testing"
	"time"
)

func TestCPUSecondsGrowsWithWork(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc on this system")
	}
	before, err := CPUSeconds(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	// Burn CPU until the counter moves (one clock tick); a generous deadline, not a timing assertion.
	deadline := time.Now().Add(30 * time.Second)
	x := 0
	for after := before; after <= before; after, _ = CPUSeconds(os.Getpid()) {
		if time.Now().After(deadline) {
			t.Fatal("CPU time did not grow while this process was busy")
		}
		for i := range 1_000_000 {
			x ^= i
		}
	}
	_ = x
	if _, err := CPUSeconds(-1); err == nil {
		t.Error("no error for a process that cannot exist")
	}
}
