package api

import (
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/state"
)

// Version is the API version spoken by this package; client and server must agree on it.
const Version = "v1"

// VersionInfo identifies a daemon build.
type VersionInfo struct {
	Version    string `json:"version"`
	APIVersion string `json:"apiVersion"`
	GoVersion  string `json:"goVersion"`
}

// Pod is one pod as ps shows it.
type Pod struct {
	Name        string         `json:"name"` // redis-1
	Namespace   string         `json:"namespace"`
	StatefulSet string         `json:"statefulset"`
	Service     string         `json:"service"`
	Ordinal     int            `json:"ordinal"`
	Container   string         `json:"container"` // Docker name, demo-redis-1
	ContainerID string         `json:"containerID"`
	IP          string         `json:"ip"`
	IPv6        string         `json:"ipv6,omitempty"`
	Ready       bool           `json:"ready"`
	Status      state.PodPhase `json:"status"`
	Restarts    int            `json:"restarts"`
	Revision    string         `json:"revision"`
	Volumes     []string       `json:"volumes"`
	Ports       []compose.Port `json:"ports"`
	CreatedAt   time.Time      `json:"createdAt,omitzero"`
	StartedAt   time.Time      `json:"startedAt,omitzero"`
	// Reason says why a running pod is not Ready: its last probe failure.
	Reason string `json:"reason,omitempty"`
	// Containers are the app containers and native sidecars of a pod with several (none for
	// a one-container pod, whose container is the pod's).
	Containers []PodContainer `json:"containers,omitempty"`
}

// PodContainer is one long-running container of a pod with several.
type PodContainer struct {
	Name        string `json:"name"`
	Image       string `json:"image"`
	Sidecar     bool   `json:"sidecar,omitempty"`
	ContainerID string `json:"containerID,omitempty"`
	State       string `json:"state"` // Docker's state; "waiting" while it does not exist
	Ready       bool   `json:"ready"`
	Restarts    int    `json:"restarts"`
}

// StatefulSet is one set's status, kubectl get statefulsets style.
type StatefulSet struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Image     string `json:"image"`
	Desired   int    `json:"desired"`
	Current   int    `json:"current"`
	Ready     int    `json:"ready"`
	Updated   int    `json:"updated"`
	Revision  string `json:"revision"`
	// Waiting is the controller's reason for not progressing ("" when converged).
	Waiting   string    `json:"waiting,omitempty"`
	CreatedAt time.Time `json:"createdAt,omitzero"`
	Pods      []Pod     `json:"pods"`
	// Rollout is the spec side of the rollout; Status its progress, as Kubernetes has them.
	Rollout
	Status SetStatus `json:"status"`
}

// Service is a DNS name ordset answers over pods, as "get services" lists it: a set's own
// headless Service (StatefulSet names the set) or a Service that selects pods by label.
type Service struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Type is Headless (a set's own Service, or clusterIP: None as written) or ClusterIP (served
	// without a virtual IP: the name answers the pods' own addresses).
	Type        string                `json:"type"`
	StatefulSet string                `json:"statefulset,omitempty"`
	Selector    map[string]string     `json:"selector"`
	Ports       []compose.ServicePort `json:"ports"`
	// PublishNotReadyAddresses answers pods that are not Ready too.
	PublishNotReadyAddresses bool `json:"publishNotReadyAddresses,omitempty"`
	// Endpoints are the addresses the name answers now, each with its target ports.
	Endpoints []ServiceEndpoint `json:"endpoints"`
	// CreatedAt is the set's creation for a set's own Service (zero for the others).
	CreatedAt time.Time `json:"createdAt,omitzero"`
}

// ServiceEndpoint is one pod a Service answers, with the service ports resolved on it.
type ServiceEndpoint struct {
	Pod   string         `json:"pod"`
	IP    string         `json:"ip"`
	Ready bool           `json:"ready"`
	Ports map[string]int `json:"ports,omitempty"` // service port name ("" when unnamed) -> target port
}

// Event is one recorded event as the API sends it.
type Event struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	Type      string    `json:"type"` // Normal or Warning, as Kubernetes says
	Reason    string    `json:"reason"`
	Namespace string    `json:"namespace,omitempty"`
	Object    string    `json:"object,omitempty"` // "statefulset/redis" or "pod/redis-1"
	Message   string    `json:"message"`
}

// Revision is one entry of a set's revision history, as Kubernetes keeps ControllerRevisions:
// the template hash, its number, when it was first applied, and the spec and restart marker it
// carried (rollout undo takes the template from them).
type Revision struct {
	Revision     string               `json:"revision"`
	Number       int64                `json:"number,omitempty"`
	FirstApplied time.Time            `json:"firstApplied"`
	Spec         *compose.StatefulSet `json:"spec,omitempty"`
	RestartedAt  time.Time            `json:"restartedAt,omitzero"`
}

// ApplyRequest submits the sets of one namespace. Sets are keyed by name because
// compose.StatefulSet does not carry its name in JSON.
type ApplyRequest struct {
	Namespace string                          `json:"namespace"`
	Sets      map[string]*compose.StatefulSet `json:"sets"`
	// Prune deletes the namespace's stored sets absent from Sets.
	Prune bool `json:"prune,omitempty"`
	// ConfigMaps and Secrets are the namespace's objects the sets refer to, keyed by name.
	// The daemon keeps them outside its store (see the daemon's objects file).
	ConfigMaps map[string]*compose.ConfigMap `json:"configMaps,omitempty"`
	Secrets    map[string]*compose.Secret    `json:"secrets,omitempty"`
	// Services select pods by label (a name over the Ready pods of any set). They replace
	// the namespace's Services; absent, they stay as they are unless Prune.
	Services map[string]*compose.Service `json:"services,omitempty"`
}

// Apply outcomes.
const (
	Created    = "created"
	Configured = "configured" // template changed: pods roll
	Scaled     = "scaled"     // only replicas changed
	Unchanged  = "unchanged"
	Pruned     = "deleted"
)

// SetResult is what an apply did to one set.
type SetResult struct {
	Name     string `json:"name"`
	Action   string `json:"action"`
	Revision string `json:"revision,omitempty"`
	Replicas int    `json:"replicas"`
	// Changes says what differs from the previous apply ("partition 3 → 2").
	Changes []string `json:"changes,omitempty"`
}

// ApplyResponse lists per-set outcomes, sorted by name.
type ApplyResponse struct {
	Namespace string      `json:"namespace"`
	Sets      []SetResult `json:"sets"`
}

// ScaleRequest sets a set's live replica count.
type ScaleRequest struct {
	Namespace string `json:"namespace"`
	Set       string `json:"set"`
	Replicas  int    `json:"replicas"`
}

// DeleteRequest removes sets (all of the namespace when Sets is empty).
type DeleteRequest struct {
	Namespace     string   `json:"namespace"`
	Sets          []string `json:"sets,omitempty"`
	RemoveVolumes bool     `json:"removeVolumes"`
	// Services are removed with the sets (the file's); deleting every set of the namespace
	// (Sets empty) removes all its Services.
	Services []string `json:"services,omitempty"`
	// GraceSeconds, when set, replaces the sets' terminationGracePeriodSeconds for this delete.
	GraceSeconds *int64 `json:"graceSeconds,omitempty"`
}

// DeleteResponse names the sets removed and the retained volumes removed with them.
type DeleteResponse struct {
	Sets    []string `json:"sets"`
	Volumes []string `json:"volumes,omitempty"`
}

// RestartRequest asks for a rolling restart of one set.
type RestartRequest struct {
	Namespace string `json:"namespace"`
	Set       string `json:"set"`
}

// Description is describe's answer for a set or a pod.
type Description struct {
	StatefulSet StatefulSet          `json:"statefulset"`
	Spec        *compose.StatefulSet `json:"spec"`
	Revisions   []Revision           `json:"revisions"`
	RestartedAt time.Time            `json:"restartedAt,omitzero"`
	// Pod is set when a pod was described, with its container's state as the engine has it.
	Pod            *Pod            `json:"pod,omitempty"`
	ContainerState *ContainerState `json:"containerState,omitempty"`
	// LastState is how the pod's previous container ended (kubectl's Last State): the one
	// kept after the last crash, which "logs --previous" reads; nil when there is none.
	LastState *ContainerState `json:"lastState,omitempty"`
	Events    []Event         `json:"events"`
}

// ContainerState is a described pod's container as the engine reports it: its state and,
// once it ended, its exit code (kubectl describe's State / Last State).
type ContainerState struct {
	State      string    `json:"state"`
	ExitCode   int       `json:"exitCode"`
	OOMKilled  bool      `json:"oomKilled,omitempty"`
	Error      string    `json:"error,omitempty"`
	StartedAt  time.Time `json:"startedAt,omitzero"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
}

// WatchFrame is one line of a progress watch: the watched sets' state, plus events since
// the previous frame.
type WatchFrame struct {
	Time   time.Time     `json:"time"`
	Sets   []StatefulSet `json:"sets"`
	Events []Event       `json:"events,omitempty"`
	// Gone names watched sets that no longer exist (down finished for them).
	Gone []string `json:"gone,omitempty"`
}

// EventsQuery selects events.
type EventsQuery struct {
	Namespace string // "" for all
	Object    string // "statefulset/redis", "pod/redis-1", or "" for all
	Follow    bool
	Since     uint64
}

// LogOptions select a pod's logs.
type LogOptions struct {
	Follow     bool
	Tail       string
	Timestamps bool
	// Container names one of the pod's containers (an init container included); "" is the
	// first, as kubectl's -c.
	Container string
	// Previous selects the pod's last terminated container (kept until the next crash
	// replaces it or the pod is removed), as kubectl's --previous.
	Previous bool
}

// ExecTarget tells the CLI which container to exec into; the CLI talks to the engine itself
// so an interactive TTY needs no proxying through the daemon.
type ExecTarget struct {
	ContainerID string `json:"containerID"`
	Container   string `json:"container"`
	Running     bool   `json:"running"`
}

// DaemonStatus is what "ordset daemon status" prints.
type DaemonStatus struct {
	PID        int           `json:"pid"`
	Socket     string        `json:"socket"`
	StateDir   string        `json:"stateDir"`
	Version    VersionInfo   `json:"version"`
	StartedAt  time.Time     `json:"startedAt"`
	Namespaces []string      `json:"namespaces"`
	DNS        DNSStatus     `json:"dns"`
	Orphans    []Orphan      `json:"orphans,omitempty"`
	Warnings   []string      `json:"warnings,omitempty"`
	Sets       []StatefulSet `json:"-"`
}

// DNSStatus describes the embedded DNS server.
type DNSStatus struct {
	Zone      string        `json:"zone"`
	HostAddr  string        `json:"hostAddr"`
	Listeners []DNSListener `json:"listeners"`
}

// DNSListener is one address the DNS server serves on (or failed to).
type DNSListener struct {
	Addr    string `json:"addr"`
	Network string `json:"network,omitempty"` // the ordset network whose gateway it is
	Error   string `json:"error,omitempty"`
}

// Orphan is a labelled Docker object whose namespace/set the store does not hold.
type Orphan struct {
	Kind      string `json:"kind"` // container or volume
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Set       string `json:"set"`
}
