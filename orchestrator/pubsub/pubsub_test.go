package pubsub

import "testing"

func TestHubFansOutWithoutBlocking(t *testing.T) {
	var h Hub[int]
	a, unsubA := h.Subscribe()
	b, unsubB := h.Subscribe()
	defer unsubB()
	for i := range Buffer + 10 { // more than a buffer: the extra ones are dropped, not blocking
		h.Publish(i)
	}
	if got := <-a; got != 0 {
		t.Fatalf("first value %d", got)
	}
	if len(b) != Buffer {
		t.Fatalf("buffered %d, want %d", len(b), Buffer)
	}
	unsubA()
	unsubA() // idempotent
	if _, ok := <-drain(a); ok {
		t.Fatal("channel not closed after unsubscribe")
	}
	h.Publish(1) // no panic on a closed subscriber
}

func drain(ch <-chan int) <-chan int {
	for range len(ch) {
		<-ch
	}
	return ch
}
