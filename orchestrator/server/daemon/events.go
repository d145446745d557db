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
// (`ordset events -f`, progress watches).
type eventHub struct {
	store *store.Store
	log   *slog.Logger
	hub   pubsub.Hub[store.Event] // a slow follower misses live events; it can re-read the ring

	mu sync.Mutex
	// writeErr is the last failure to store an event (a full disk, a damaged file), reported by
	// `daemon status` until a write succeeds again.
	writeErr   error
	writeErrAt time.Time
}

func newEventHub(st *store.Store, log *slog.Logger) *eventHub {
	return &eventHub{store: st, log: log}
}

func (h *eventHub) record(e store.Event) {
	if e.Type == "" {
		e.Type = "Normal"
	}
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	stored, err := h.store.AddEvent(e)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		// Followers still get the event (unnumbered: it is in no ring), then the failure itself.
		h.log.Error("record event", "reason", e.Reason, "err", err)
		first := h.writeErr == nil
		h.writeErr, h.writeErrAt = err, e.Time
		h.hub.Publish(e)
		if first {
			h.hub.Publish(store.Event{Time: e.Time, Type: "Warning", Reason: "StoreWriteFailed",
				Message: "cannot write to the state store: " + err.Error() + "; events are not kept and changes may not survive a daemon restart"})
		}
		return
	}
	h.writeErr = nil
	h.hub.Publish(stored)
}

// writeProblem describes a failing store, "" when the last write succeeded.
func (h *eventHub) writeProblem() string {
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
var countdownRE = regexp.MustCompile(`\bin (\d+[hms])+\b`)

// waitingGist is a waiting reason without its countdown: "restart in 20s" and "restart in
// 19s" are the same news, and recording each second of it would fill the event ring.
func waitingGist(msg string) string { return countdownRE.ReplaceAllString(msg, "in …") }

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
