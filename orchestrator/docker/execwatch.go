package docker

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"github.com/ordset/ordset/orchestrator/identity"
)

// execWaitGrace is how long Exec waits, once an exec's output has closed, for its exec_die
// event before asking the engine for the exit code (ExecInspect). The engine sends the event
// as it closes the output, so it normally arrives within milliseconds; a missed one (the
// subscription was reconnecting) costs this much once.
const execWaitGrace = time.Second

// execWatch reads exit codes from the engine's exec_die events (which carry exitCode since
// API 1.41), so a probe costs two API round trips (create, start with attach) instead of
// three (plus inspect). One subscription serves every Exec of the runtime; it is started on
// first use and ends with the runtime.
type execWatch struct {
	r       *Runtime
	once    sync.Once
	mu      sync.Mutex
	waiters map[string]chan int // exec ID -> exit code
	cancel  context.CancelFunc
}

// register returns a channel that receives the exit code of exec id, and a release function.
func (w *execWatch) register(id string) (<-chan int, func()) {
	w.once.Do(w.start)
	ch := make(chan int, 1)
	w.mu.Lock()
	w.waiters[id] = ch
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		delete(w.waiters, id)
		w.mu.Unlock()
	}
}

func (w *execWatch) start() {
	ctx, cancel := context.WithCancel(context.Background())
	w.mu.Lock()
	w.cancel = cancel
	w.mu.Unlock()
	go w.loop(ctx)
}

// close ends the subscription (Runtime.Close).
func (w *execWatch) close() {
	w.mu.Lock()
	cancel := w.cancel
	w.mu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// loop keeps one exec_die subscription open, resubscribing (after a pause) when it breaks.
func (w *execWatch) loop(ctx context.Context) {
	f := filters.NewArgs(
		filters.Arg("type", string(events.ContainerEventType)),
		filters.Arg("event", "exec_die"),
		filters.Arg("label", identity.LabelManagedBy+"="+identity.ManagedByValue),
	)
	for ctx.Err() == nil {
		msgs, errs := w.r.cli.Events(ctx, events.ListOptions{Filters: f})
	stream:
		for {
			select {
			case m := <-msgs:
				w.deliver(m.Actor.Attributes)
			case err := <-errs:
				if ctx.Err() == nil {
					w.r.log.Debug("exec event stream broken; resubscribing", "err", err)
				}
				break stream
			case <-ctx.Done():
				return
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (w *execWatch) deliver(attrs map[string]string) {
	code, err := strconv.Atoi(attrs["exitCode"])
	if err != nil {
		return
	}
	w.mu.Lock()
	ch := w.waiters[attrs["execID"]]
	w.mu.Unlock()
	if ch != nil {
		select {
		case ch <- code:
		default:
		}
	}
}
