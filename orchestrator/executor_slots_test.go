package orchestrator

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// At most cap(slots) calls run at once, every call runs, and no bound means no waiting.
func TestSlotsBoundCallsInFlight(t *testing.T) {
	for _, tc := range []struct {
		name  string
		n     int
		calls int
		want  int32 // most calls in flight at once, at most
	}{
		{"bounded", 3, 20, 3},
		{"one at a time", 1, 5, 1},
		{"no bound", 0, 5, 5},
		{"negative is no bound", -1, 5, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSlots(tc.n)
			if (s == nil) != (tc.n <= 0) {
				t.Fatalf("newSlots(%d) = %v", tc.n, s)
			}
			var inFlight, most, ran atomic.Int32
			release := make(chan struct{})
			var wg sync.WaitGroup
			for range tc.calls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_ = s.do(context.Background(), func() error {
						now := inFlight.Add(1)
						for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
						}
						ran.Add(1)
						<-release
						inFlight.Add(-1)
						return nil
					})
				}()
			}
			close(release)
			wg.Wait()
			if ran.Load() != int32(tc.calls) || most.Load() > tc.want {
				t.Errorf("ran %d of %d calls, at most %d at once (bound %d)", ran.Load(), tc.calls, most.Load(), tc.want)
			}
		})
	}
}

// A call waiting for a slot gives up when its context ends, without running.
func TestSlotsWaitEndsWithContext(t *testing.T) {
	s := newSlots(1)
	s <- struct{}{} // every slot taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	if err := s.do(ctx, func() error { ran = true; return nil }); err == nil || ran {
		t.Fatalf("do with every slot taken and ctx done = %v, ran %v", err, ran)
	}
}
