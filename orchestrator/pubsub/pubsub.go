// Package pubsub is the one fan-out the controller and the daemon share: progress events to
// the daemon's event ring and to `ordset up`, recorded events to followers and watches.
// Publishing never blocks: a subscriber whose buffer is full misses the event (it can
// re-read what it needs, the next pass repeats the state), so a slow client cannot stall
// the controller.
package pubsub

import "sync"

// Buffer is each subscriber's channel capacity.
const Buffer = 256

// Hub fans values out to subscribers. The zero value is ready to use.
type Hub[T any] struct {
	mu   sync.Mutex
	subs map[chan T]struct{}
}

// Subscribe returns a channel of values published from now on and a function that
// unsubscribes and closes the channel (safe to call more than once).
func (h *Hub[T]) Subscribe() (<-chan T, func()) {
	ch := make(chan T, Buffer)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan T]struct{}{}
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	var once sync.Once
	return ch, func() {
		once.Do(func() {
			h.mu.Lock()
			delete(h.subs, ch)
			h.mu.Unlock()
			close(ch)
		})
	}
}

// Publish hands v to every subscriber with room for it.
func (h *Hub[T]) Publish(v T) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- v:
		default:
		}
	}
}

// Subscribers is the number of current subscribers.
func (h *Hub[T]) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
