package docker

import "testing"

// An exec_die event reaches the Exec waiting for that exec ID, and only it; events of other
// execs (health checks, other daemons) and malformed ones are ignored.
func TestExecWatchDelivers(t *testing.T) {
	w := &execWatch{waiters: map[string]chan int{}}
	w.once.Do(func() {}) // no subscription: events are fed by hand
	mine, release := w.register("e1")
	other, releaseOther := w.register("e2")
	defer releaseOther()
	w.deliver(map[string]string{"execID": "e9", "exitCode": "1"})
	w.deliver(map[string]string{"execID": "e1", "exitCode": "x"})
	w.deliver(map[string]string{"execID": "e1", "exitCode": "3"})
	if got := <-mine; got != 3 {
		t.Fatalf("exit code %d, want 3", got)
	}
	select {
	case c := <-other:
		t.Fatalf("e2 got exit code %d from another exec's event", c)
	default:
	}
	release()
	w.deliver(map[string]string{"execID": "e1", "exitCode": "0"}) // released: dropped, no block
	if len(w.waiters) != 1 {
		t.Fatalf("waiters %v, want only e2", w.waiters)
	}
}
