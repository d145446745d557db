package daemon

import (
	"context"
	"log/slog"
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
	e, err := h.store.AddEvent(e)
	if err != nil {
		h.log.Warn("record event", "reason", e.Reason, "err", err)
		return
	}
	h.hub.Publish(e)
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
			if e.Seq <= last || !match(e) {
				continue
			}
			last = e.Seq
			if err := send(e); err != nil {
				return err
			}
		}
	}
}

// recordManagerEvents copies the controller's progress events into the event ring, skipping
// a Waiting event that repeats the set's previous one.
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
				if lastWaiting[key] == e.Message {
					continue
				}
				lastWaiting[key] = e.Message
			} else {
				delete(lastWaiting, key)
			}
			if e.Type == orchestrator.EventSetDeleted {
				d.dnsNets.poke() // the namespace's network may be gone: drop its listener
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
