package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/pubsub"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// eventHub records events in the store's ring and fans them out to followers
// (`ordset events -f`, progress watches). Recording does not wait for the disk: one writer
// goroutine stores what is queued, in order and in one transaction per batch, then
// publishes it. A change of desired state is durable before the controller acts on it (the
// store write of the change itself); its event need not be, and waiting for that second
// sync delayed every apply, scale and delete by one disk flush, and every burst of
// controller progress by one flush per event.
type eventHub struct {
	store *store.Store
	log   *slog.Logger
	hub   pubsub.Hub[store.Event] // a slow follower misses live events; it can re-read the ring

	mu   sync.Mutex
	cond *sync.Cond // signalled when a batch is stored or the writer stops
	// queue holds the recorded events not yet handed to the writer; queued and stored count
	// the events recorded and written so far, so a reader can wait for what came before it.
	queue          []store.Event
	queued, stored uint64
	stopped        bool
	wake           chan struct{} // one pending wake-up for the writer
	done           chan struct{} // closed when the writer returns
	// writeErr is the last failure to store an event (a full disk, a damaged file), reported by
	// `daemon status` until a write succeeds again.
	writeErr   error
	writeErrAt time.Time
}

// newEventHub starts the hub's writer; close stops it after storing what is queued.
func newEventHub(st *store.Store, log *slog.Logger) *eventHub {
	h := &eventHub{store: st, log: log, wake: make(chan struct{}, 1), done: make(chan struct{})}
	h.cond = sync.NewCond(&h.mu)
	go h.write()
	return h
}

// record queues an event; it is stored and published in the order of record calls.
func (h *eventHub) record(e store.Event) {
	if e.Type == "" {
		e.Type = "Normal"
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	h.mu.Lock()
	if h.stopped { // after close: the store is closing, keep the old synchronous path
		h.mu.Unlock()
		h.storeBatch([]store.Event{e})
		return
	}
	h.queue = append(h.queue, e)
	h.queued++
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// write is the writer goroutine: it stores every queued event until close.
func (h *eventHub) write() {
	defer close(h.done)
	for {
		h.mu.Lock()
		batch, stopped := h.queue, h.stopped
		h.queue = nil
		h.mu.Unlock()
		if len(batch) > 0 {
			h.storeBatch(batch)
			h.mu.Lock()
			h.stored += uint64(len(batch))
			h.cond.Broadcast()
			h.mu.Unlock()
			continue
		}
		if stopped {
			return
		}
		<-h.wake
	}
}

// storeBatch stores events in one transaction and publishes them. On a failure followers
// still get them (unnumbered: they are in no ring), then the failure itself.
func (h *eventHub) storeBatch(batch []store.Event) {
	stored, err := h.store.AddEvents(batch)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		h.log.Error("record events", "reason", batch[0].Reason, "events", len(batch), "err", err)
		first := h.writeErr == nil
		h.writeErr, h.writeErrAt = err, batch[0].Time
		for _, e := range batch {
			h.hub.Publish(e)
		}
		if first {
			h.hub.Publish(store.Event{Time: batch[0].Time, Type: "Warning", Reason: "StoreWriteFailed",
				Message: "cannot write to the state store: " + err.Error() + "; events are not kept and changes may not survive a daemon restart"})
		}
		return
	}
	h.writeErr = nil
	for _, e := range stored {
		h.hub.Publish(e)
	}
}

// flush waits until every event recorded before the call is stored (or failed to be), so
// a read of the ring sees them.
func (h *eventHub) flush() {
	h.mu.Lock()
	defer h.mu.Unlock()
	target := h.queued
	for h.stored < target { // the writer drains the queue even when stopping
		h.cond.Wait()
	}
}

// close stores what is queued and stops the writer; later records are stored at once.
func (h *eventHub) close() {
	h.mu.Lock()
	h.stopped = true
	h.cond.Broadcast()
	h.mu.Unlock()
	select {
	case h.wake <- struct{}{}:
	default:
	}
	<-h.done
}

// writeProblem describes a failing store, "" when the last write succeeded.
func (h *eventHub) writeProblem() string {
	h.flush()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.writeErr == nil {
		return ""
	}
	return fmt.Sprintf("state store writes failing since %s: %v", h.writeErrAt.UTC().Format(time.RFC3339), h.writeErr)
}

func (h *eventHub) subscribe() (<-chan store.Event, func()) { return h.hub.Subscribe() }

// follow sends stored events after since, then live ones, until ctx ends or send fails.
func (h *eventHub) follow(ctx context.Context, since uint64, match func(store.Event) bool, follow bool, send func(store.Event) error) error {
	ch, unsub := h.subscribe()
	defer unsub()
	h.flush() // read your writes: what was recorded before this call is in the ring
	past, err := h.store.Events(since)
	if err != nil {
		return err
	}
	last := since
	for _, e := range past {
		last = e.Seq
		if match(e) {
			if err := send(e); err != nil {
				return err
			}
		}
	}
	if !follow {
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case e := <-ch:
			if e.Seq != 0 && e.Seq <= last || !match(e) { // Seq 0: live only, the store failed
				continue
			}
			last = max(last, e.Seq)
			if err := send(e); err != nil {
				return err
			}
		}
	}
}

// countdownRE matches the countdowns of waiting reasons ("restart in 19s", "in 4m10s").
var countdownRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bin (\d+[hms])+\b`) })

// waitingGist is a waiting reason without its countdown: "restart in 20s" and "restart in
// 19s" are the same news, and recording each second of it would fill the event ring.
func waitingGist(msg string) string { return countdownRE().ReplaceAllString(msg, "in …") }

// recordManagerEvents copies the controller's progress events into the event ring, skipping
// a Waiting event that repeats the set's previous one (countdowns aside).
func (d *Daemon) recordManagerEvents(ctx context.Context) {
	ch, unsub := d.mgr.Subscribe()
	defer unsub()
	lastWaiting := map[string]string{}
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-ch:
			if !ok {
				return
			}
			key := e.Namespace + "/" + e.Set
			if e.Type == orchestrator.EventWaiting {
				if lastWaiting[key] == waitingGist(e.Message) {
					continue
				}
				lastWaiting[key] = waitingGist(e.Message)
			} else {
				delete(lastWaiting, key)
			}
			if e.Type == orchestrator.EventSetDeleted {
				d.dnsNets.Poke() // the namespace's network may be gone: drop its listener
			}
			d.events.record(progressToEvent(e))
		}
	}
}

func progressToEvent(e orchestrator.ProgressEvent) store.Event {
	out := store.Event{Time: e.Time, Type: "Normal", Reason: e.Type, Namespace: e.Namespace, Message: e.Message}
	switch {
	case e.Pod != "":
		out.Object = "pod/" + e.Pod
	case e.Set != "":
		out.Object = "statefulset/" + e.Set
	} // neither: an engine-wide event (the Docker engine cannot be listed)
	switch e.Type {
	case orchestrator.EventPodFailed, orchestrator.EventError, orchestrator.EventPodNotReady:
		out.Type = "Warning"
	}
	return out
}
