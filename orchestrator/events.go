package orchestrator

import "time"

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
	EventPodStarted    = "PodStarted"   // a pod created ahead of its turn started (OrderedReady)
	EventPodRestarted  = "PodRestarted" // a failed container of a pod started again, in place
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
