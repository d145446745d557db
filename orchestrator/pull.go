package orchestrator

import (
	"sync"
	"time"

	"github.com/ordset/ordset/orchestrator/identity"
)

// pullNoteEvery bounds how often one container's pull progress becomes an event: a pull
// reports every layer's every chunk, and the event ring and terminals should not drown in it.
const pullNoteEvery = 2 * time.Second

// pullNotes turns image pull progress into throttled EventImagePull events.
type pullNotes struct {
	mu   sync.Mutex
	last map[string]time.Time // container name -> last event
}

// reporter returns the executor's PullProgress callback, publishing through publish.
func (n *pullNotes) reporter(publish func(ProgressEvent), now func() time.Time) func(ContainerSpec, string) {
	return func(spec ContainerSpec, line string) {
		t := now()
		n.mu.Lock()
		if n.last == nil {
			n.last = map[string]time.Time{}
		}
		prev, seen := n.last[spec.Name]
		if seen && t.Sub(prev) < pullNoteEvery {
			n.mu.Unlock()
			return
		}
		n.last[spec.Name] = t
		n.mu.Unlock()
		publish(ProgressEvent{Time: t, Namespace: spec.Labels[identity.LabelNamespace], Set: spec.Labels[identity.LabelSet],
			Pod: spec.Labels[identity.LabelPod], Type: EventImagePull, Message: "pulling " + spec.Image + ": " + line})
	}
}
