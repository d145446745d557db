package orchestrator

import "context"

// DefaultEngineCalls is how many create and start calls the executor keeps in flight at
// most, over every set. Docker 20.10 does the work of each in a few global steps (the
// network's endpoint and the container's sandbox, the volume store): hundreds at once only
// queue there and slow every other caller, the controller's own observation included, while
// a few dozen keep the engine busy. docker-compose keeps 64 container operations in flight.
const DefaultEngineCalls = 32

// slots bounds concurrent engine calls: a call holds one of cap(slots) while it runs. Stops
// and removals take none: a graceful stop waits out its grace period in the engine and must
// not hold up the creates of other pods.
type slots chan struct{}

// newSlots returns n slots; n <= 0 means no bound (nil).
func newSlots(n int) slots {
	if n <= 0 {
		return nil
	}
	return make(slots, n)
}

// do runs call in a slot, waiting for one while all are taken (or until ctx ends).
func (s slots) do(ctx context.Context, call func() error) error {
	if s == nil {
		return call()
	}
	select {
	case s <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s }()
	return call()
}
