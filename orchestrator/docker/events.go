package docker

import (
	"context"
	"maps"
	"strings"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/labels"
)

// Events streams container and network events of ordset objects until ctx ends. The events
// channel is closed when the stream ends; the error channel yields one error when it broke
// (not when ctx ended). Resubscribing is the caller's job.
func (r *Runtime) Events(ctx context.Context) (<-chan orchestrator.Event, <-chan error) {
	out := make(chan orchestrator.Event, 64)
	errc := make(chan error, 1)
	f := filters.NewArgs(
		filters.Arg("label", labels.ManagedBy+"="+labels.ManagedByValue),
		filters.Arg("type", string(events.ContainerEventType)),
		filters.Arg("type", string(events.NetworkEventType)),
	)
	msgs, errs := r.cli.Events(ctx, events.ListOptions{Filters: f})
	go func() {
		defer close(out)
		for {
			select {
			case m := <-msgs:
				ev := orchestrator.Event{
					Type:   string(m.Type),
					Action: string(m.Action),
					ID:     m.Actor.ID,
					Labels: ordsetAttributes(m.Actor.Attributes),
					Time:   time.Unix(0, m.TimeNano),
				}
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			case err := <-errs:
				if ctx.Err() == nil && err != nil {
					errc <- err
				}
				return
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, errc
}

// ordsetAttributes keeps the ordset labels of an event's attributes (which also carry
// the name, image, exit code and every other label).
func ordsetAttributes(attrs map[string]string) map[string]string {
	out := make(map[string]string, len(attrs))
	maps.Copy(out, attrs)
	for k := range out {
		if !strings.HasPrefix(k, labels.Prefix) {
			delete(out, k)
		}
	}
	return out
}
