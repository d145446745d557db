package docker

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// Events streams container and network events of ordset objects until ctx ends. The events
// channel is closed when the stream ends; the error channel yields one error when it broke
// (not when ctx ended). Resubscribing is the caller's job.
//
// Every event first updates the observation cache (cache.go), so the pass it wakes sees it;
// volume events only feed the cache. Each subscription replays the engine's events since
// replayMargin before it, so none between it and the cache's first list is missed.
//
// Two engine subscriptions are merged: containers filtered by label, and networks filtered
// here by name, because network events carry no labels (API 1.41), so a label filter would
// drop them all. A network event's Labels hold only the namespace derived from its name.
// Only the container actions that change what a pass observes are asked for (stateActions):
// the engine then never sends the three exec_* events of every exec probe, nor attach, kill
// or resize, which cost the engine an encode per subscriber and this process a decode each.
func (r *Runtime) Events(ctx context.Context) (<-chan orchestrator.Event, <-chan error) {
	ctx, cancel := context.WithCancel(ctx)
	out := make(chan orchestrator.Event, 64)
	errc := make(chan error, 1)
	containers := filters.NewArgs(
		filters.Arg("type", string(events.ContainerEventType)),
		filters.Arg("label", identity.LabelManagedBy+"="+identity.ManagedByValue),
	)
	for _, a := range stateActions {
		containers.Add("event", a)
	}
	networks := filters.NewArgs(filters.Arg("type", string(events.NetworkEventType)))
	volumes := filters.NewArgs(filters.Arg("type", string(events.VolumeEventType)),
		filters.Arg("event", "create"), filters.Arg("event", "destroy"))
	since := replaySince(time.Now())
	r.cache.subscribe(+1)

	var wg sync.WaitGroup
	var once sync.Once
	pump := func(f filters.Args, convert func(events.Message) (orchestrator.Event, bool)) {
		defer wg.Done()
		msgs, errs := r.cli.Events(ctx, events.ListOptions{Filters: f, Since: since})
		for {
			select {
			case m := <-msgs:
				ev, ok := convert(m)
				if !ok {
					continue
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case err := <-errs:
				if ctx.Err() == nil && err != nil {
					once.Do(func() { errc <- err })
				}
				cancel() // one broken stream ends both: the caller resubscribes
				return
			case <-ctx.Done():
				return
			}
		}
	}
	wg.Add(3)
	go pump(containers, func(m events.Message) (orchestrator.Event, bool) {
		// The engine sends "die" tens of milliseconds before its container list stops saying
		// "running" (inspect waits for the exit to be processed). Dropping the cached details
		// makes the pass this event triggers inspect the container and see the exit at once.
		r.details.forget(m.Actor.ID)
		r.observeContainerEvent(ctx, m)
		return containerEvent(m)
	})
	go pump(networks, func(m events.Message) (orchestrator.Event, bool) {
		r.observeEndpointEvent(ctx, m)
		return networkEvent(m)
	})
	go pump(volumes, func(m events.Message) (orchestrator.Event, bool) {
		r.observeVolume(ctx, m.Actor.ID)
		return orchestrator.Event{}, false // the cache's only: passes never waited on these
	})
	go func() {
		wg.Wait()
		r.cache.subscribe(-1)
		cancel()
		close(out)
	}()
	return out, errc
}

// stateActions are the container events that change a container's observed state. The
// engine matches "health_status" against "health_status: healthy" and the like by prefix.
var stateActions = []string{"create", "start", "restart", "die", "oom", "stop", "destroy", "rename",
	"pause", "unpause", "update", "health_status"}

func containerEvent(m events.Message) (orchestrator.Event, bool) {
	if strings.HasPrefix(string(m.Action), "exec_") {
		return orchestrator.Event{}, false
	}
	return orchestrator.Event{
		Type:   string(m.Type),
		Action: string(m.Action),
		ID:     m.Actor.ID,
		Labels: ordsetAttributes(m.Actor.Attributes),
		Time:   time.Unix(0, m.TimeNano),
	}, true
}

func networkEvent(m events.Message) (orchestrator.Event, bool) {
	ns, ok := strings.CutPrefix(m.Actor.Attributes["name"], identity.NetworkName(""))
	if !ok || ns == "" {
		return orchestrator.Event{}, false
	}
	return orchestrator.Event{
		Type:   string(m.Type),
		Action: string(m.Action),
		ID:     m.Actor.ID,
		Labels: map[string]string{identity.LabelNamespace: ns},
		Time:   time.Unix(0, m.TimeNano),
	}, true
}

// ordsetAttributes keeps the ordset labels of an event's attributes (which also carry
// the name, image, exit code and every other label).
func ordsetAttributes(attrs map[string]string) map[string]string {
	out := make(map[string]string, len(attrs))
	maps.Copy(out, attrs)
	for k := range out {
		if !strings.HasPrefix(k, identity.LabelPrefix) {
			delete(out, k)
		}
	}
	return out
}

// replayMargin is how far before a subscription the engine replays events: the subscription
// registers some time after the call, and the engine's clock may differ a little from ours.
const replayMargin = 2 * time.Second

// replaySince formats the engine's "since" for a subscription made at now.
func replaySince(now time.Time) string {
	t := now.Add(-replayMargin)
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// observeContainerEvent updates the cache for a container event: one inspect of it, except
// for the create of a container this runtime made (cached by CreateContainer already: an
// inspect could wait behind its start) and a destroy.
func (r *Runtime) observeContainerEvent(ctx context.Context, m events.Message) {
	switch {
	case m.Action == events.ActionDestroy:
		r.forgetContainer(m.Actor.ID)
	case m.Action == events.ActionCreate && r.cache.has(m.Actor.ID):
	default:
		r.observeContainer(ctx, m.Actor.ID)
	}
}

// observeEndpointEvent updates a cached container that a network connect or disconnect changed
// (a disconnect by hand leaves a pod detached). Network events of other containers are ignored.
func (r *Runtime) observeEndpointEvent(ctx context.Context, m events.Message) {
	if m.Action != events.ActionConnect && m.Action != events.ActionDisconnect {
		return
	}
	if id := m.Actor.Attributes["container"]; id != "" && r.cache.has(id) {
		r.observeContainer(ctx, id)
	}
}
