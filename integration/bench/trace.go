package main

import (
	"context"
	"time"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/docker"
)

// tracingRuntime logs every engine event the Manager receives and every end of the stream,
// with its arrival time: the evidence needed when a self-heal is slower than the event path
// allows (-trace-events).
type tracingRuntime struct {
	*docker.Runtime
	env *env
}

func (r tracingRuntime) Events(ctx context.Context) (<-chan orchestrator.Event, <-chan error) {
	in, errs := r.Runtime.Events(ctx)
	out := make(chan orchestrator.Event, 64)
	r.env.log.Info("event stream subscribed")
	go func() {
		defer close(out)
		for ev := range in {
			r.env.log.Info("event received", "action", ev.Action, "type", ev.Type, "id", short(ev.ID),
				"pod", ev.Labels["io.ordset.pod"], "lag", time.Since(ev.Time).Round(time.Millisecond))
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
		r.env.log.Info("event stream closed", "ctxErr", ctx.Err())
	}()
	return out, errs
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// ListContainers logs each observation of a container that is not running.
func (r tracingRuntime) ListContainers(ctx context.Context, namespace string) ([]orchestrator.Container, error) {
	t0 := time.Now()
	cs, err := r.Runtime.ListContainers(ctx, namespace)
	for _, c := range cs {
		if c.State != orchestrator.StateRunning {
			r.env.log.Info("observed", "container", c.Name, "state", c.State, "exit", c.ExitCode,
				"finished", c.FinishedAt.Format("15:04:05.000"), "labels.backoff", c.Labels["io.ordset.backoff"])
		}
	}
	r.env.log.Info("list containers", "n", len(cs), "took", time.Since(t0).Round(time.Millisecond), "err", err)
	return cs, err
}
