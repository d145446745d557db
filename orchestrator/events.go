package orchestrator

import (
	"sync"
	"time"
)

// ProgressEvent is one step of progress reported to subscribers (the daemon's event log and
// `ordset up` output). Event is taken by the runtime's Docker event type.
type ProgressEvent struct {
	Time      time.Time
	Namespace string
	Set       string
	Pod       string // "" for set-level events
	Type      string // one of the Event* constants
	Message   string
}

// Progress event types.
const (
	EventVolumeCreated = "VolumeCreated"
	EventVolumeRemoved = "VolumeRemoved"
	EventPodCreated    = "PodCreated"
	EventInitStarted   = "InitStarted"
	EventPodReady      = "PodReady"
	EventPodNotReady   = "PodNotReady"
	EventPodFailed     = "PodFailed"
	EventPodStopped    = "PodStopped"
	EventPodDeleted    = "PodDeleted"
	EventWaiting       = "Waiting"
	EventError         = "Error"
	EventSetDeleted    = "SetDeleted"
	EventRolledOut     = "RolledOut" // a rollout completed: the current revision is the update revision
	EventImagePull     = "ImagePull" // pull progress, at most one every pullNoteEvery per container
)

// hub fans events out to subscribers, dropping events for a subscriber whose buffer is full
// rather than blocking the controller.
type hub struct {
	mu   sync.Mutex
	subs map[chan ProgressEvent]struct{}
}

func (h *hub) subscribe() (<-chan ProgressEvent, func()) {
	ch := make(chan ProgressEvent, 256)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan ProgressEvent]struct{}{}
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

func (h *hub) publish(e ProgressEvent) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- e:
		default:
		}
	}
}
