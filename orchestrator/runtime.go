package orchestrator

import (
	"context"
	"errors"
	"time"
)

// Runtime is everything the controller needs from a container engine, and nothing more.
// It is owned here (not Docker's API) so the controller can be tested with a hand-written
// fake, and so the executor stays "one call per action". orchestrator/docker implements it.
//
// Every List call returns only objects that carry ordset's labels (identity.Owned);
// every mutating call refuses an object without them (ErrNotOwned).
type Runtime interface {
	// EnsureNetwork creates the namespace's labelled bridge network if missing and returns it.
	EnsureNetwork(ctx context.Context, namespace string) (Network, error)
	// RemoveNetwork removes the namespace's network; a missing network is not an error.
	RemoveNetwork(ctx context.Context, namespace string) error
	// ListNetworks returns every ordset network (for the DNS listeners).
	ListNetworks(ctx context.Context) ([]Network, error)

	// ListContainers returns every ordset container (pods and init containers) of a
	// namespace; namespace "" means all namespaces.
	ListContainers(ctx context.Context, namespace string) ([]Container, error)
	// ListForeignNames returns the names of every container the controller may not manage
	// (no ordset labels, or another daemon's): it re-checks a name conflict from this list
	// instead of inspecting mid-pass.
	ListForeignNames(ctx context.Context) ([]string, error)
	// ListVolumes returns every ordset volume of a namespace ("" means all).
	ListVolumes(ctx context.Context, namespace string) ([]Volume, error)

	// EnsureImage makes the image present according to the pull policy, reporting pull progress.
	EnsureImage(ctx context.Context, image, pullPolicy string, progress func(line string)) (ImageInfo, error)
	// EnsureInfraImage makes the image of pods' infrastructure containers present (made
	// locally, never pulled) and returns its reference.
	EnsureInfraImage(ctx context.Context) (string, error)

	// CreateVolume creates a labelled volume. The same claim's volume existing already is
	// success; a foreign one, or another set's claim under a colliding name, is ErrNameInUse
	// with ErrNotOwned.
	CreateVolume(ctx context.Context, spec VolumeSpec) error
	RemoveVolume(ctx context.Context, name string) error

	// CreateContainer creates (does not start) a container. A container that already
	// exists under spec.Name yields ErrNameInUse (with ErrNotOwned when it is foreign).
	CreateContainer(ctx context.Context, spec ContainerSpec) (id string, err error)
	StartContainer(ctx context.Context, id string) error
	// StopContainer sends SIGTERM and waits up to grace before SIGKILL.
	StopContainer(ctx context.Context, id string, grace time.Duration) error
	// RemoveContainer force-removes a container (never its named volumes).
	RemoveContainer(ctx context.Context, id string) error
	// RenameContainer gives an ordset container a new name (a failed pod container leaves the
	// pod's name to its replacement but stays, with its restart counters, until that exists).
	RenameContainer(ctx context.Context, id, name string) error

	// Exec runs a command in a running container and returns its exit code and combined output
	// (output may be truncated). The context bounds the run (probe timeouts).
	Exec(ctx context.Context, id string, cmd []string) (ExecResult, error)

	// Events streams container and network events of ordset objects until ctx ends.
	// The error channel yields one error when the stream breaks; callers resubscribe.
	Events(ctx context.Context) (<-chan Event, <-chan error)
}

// Sentinel errors callers branch on.
var (
	ErrNotFound  = errors.New("not found")
	ErrNotOwned  = errors.New("not managed by ordset")
	ErrNameInUse = errors.New("name already in use")
)

// Network is a namespace's bridge network.
type Network struct {
	ID        string
	Name      string
	Namespace string
	Gateway   string // IPv4 gateway address; pods use it as their DNS server
	Subnet    string
}

// ContainerState is Docker's container state, normalised.
type ContainerState string

const (
	StateCreated    ContainerState = "created"
	StateRunning    ContainerState = "running"
	StateRestarting ContainerState = "restarting"
	StatePaused     ContainerState = "paused"
	StateExited     ContainerState = "exited"
	StateDead       ContainerState = "dead"
	StateRemoving   ContainerState = "removing"
)

// Container is the observed state of one labelled container (pod or init container).
type Container struct {
	ID     string
	Name   string // Docker name without the leading slash, e.g. demo-redis-1
	Labels map[string]string
	Image  string

	State      ContainerState
	ExitCode   int
	OOMKilled  bool
	Error      string // Docker's State.Error
	CreatedAt  time.Time
	StartedAt  time.Time
	FinishedAt time.Time
	// Health is the image HEALTHCHECK status ("", "starting", "healthy", "unhealthy").
	Health string
	IP     string // IPv4 address on the namespace network
	IPv6   string
	// Detached is true when the container is not attached to its namespace network (someone
	// disconnected it or removed the network): it has no address there and DNS cannot reach it.
	Detached bool
	// NetworkMode is the network the container was created on (Docker's HostConfig.NetworkMode).
	NetworkMode string
	// NetworkID is the ID of the namespace network the container is attached to, kept while it
	// is stopped ("" when not attached): a network removed and recreated under the same name
	// has another ID, and a start of the container would fail.
	NetworkID string
	// VolumeNames are the named volumes mounted into the container.
	VolumeNames []string
}

// Volume is an observed labelled named volume.
type Volume struct {
	Name      string
	Driver    string
	Labels    map[string]string
	CreatedAt time.Time
}

// VolumeSpec is a volume to create.
type VolumeSpec struct {
	Name       string
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
	// WorldWritable makes the new volume's directory mode 0777, as the kubelet makes a disk
	// emptyDir, so a container of any user can write there.
	WorldWritable bool
}

// ImageInfo is what the runtime learned about an image.
type ImageInfo struct {
	ID string
	// HasHealthcheck is true when the image defines a HEALTHCHECK (used when the spec has no readiness probe).
	HasHealthcheck bool
	// User is the image's USER ("" runs as root).
	User string
}

// Mount is a volume or bind mount of a container.
type Mount struct {
	Type     string // "volume", "bind" or "tmpfs"
	Source   string // volume name ("" for an anonymous volume, removed with the container) or absolute host path
	Target   string
	ReadOnly bool
	// SizeBytes bounds a tmpfs (0: the engine's default).
	SizeBytes int64
	// SubPath mounts only this relative path of the named volume Source (Kubernetes' subPath),
	// which Docker 20.10 cannot: the runtime binds it from the volume's directory, or refuses.
	SubPath string
	// Group, when set, gives the volume's files to this group before the container starts
	// (Kubernetes' fsGroup): group-owned, group-writable, setgid directories.
	Group *int64
	// NoCopy keeps the engine from copying the image's files at Target into an empty named
	// volume (and its directory's mode over the volume's): an emptyDir starts empty, as in
	// Kubernetes.
	NoCopy bool
}

// PortBinding publishes a container port on the host.
type PortBinding struct {
	ContainerPort int
	Protocol      string // "tcp" or "udp"
	HostIP        string
	HostPort      int
}

// ContainerSpec is everything needed to create one container. It is fully resolved:
// the runtime applies no policy and computes nothing.
type ContainerSpec struct {
	Name       string
	Image      string
	Hostname   string
	Domainname string
	Entrypoint []string // nil keeps the image's
	Cmd        []string // nil keeps the image's
	WorkingDir string
	User       string
	Env        []string // KEY=value
	Labels     map[string]string

	Network string // network name to attach to, or "container:ID" to join another's namespace
	// NetworkID is the named network's ID as the controller observed it this pass ("" when it
	// does not know it): the runtime attaches by ID without looking the name up for every container.
	NetworkID  string
	Aliases    []string // network aliases (fallback DNS when the embedded server is unavailable)
	DNS        []string
	DNSSearch  []string
	DNSOptions []string

	Mounts []Mount
	Ports  []PortBinding

	NanoCPUs    int64
	MemoryBytes int64
	StopTimeout time.Duration

	// Security, from the pod's and container's securityContext.
	CapAdd          []string
	CapDrop         []string
	Privileged      bool
	ReadonlyRootfs  bool
	NoNewPrivileges bool
	GroupAdd        []string
	Sysctls         map[string]string
	// IpcMode and PidMode are Docker's ("shareable", "container:ID"; "" keeps the default).
	IpcMode, PidMode string
	// ExtraHosts are /etc/hosts lines as "hostname:ip" (hostAliases).
	ExtraHosts []string
	// RunAsNonRoot asks the executor to refuse a container that would run as root
	// (User, else the image's user), as the kubelet does.
	RunAsNonRoot bool
	// UseImageHealthcheck keeps the image HEALTHCHECK; otherwise it is disabled.
	UseImageHealthcheck bool
}

// ExecResult is the outcome of Runtime.Exec.
type ExecResult struct {
	ExitCode int
	Output   []byte
}

// LogOptions select which logs Runtime.Logs streams.
type LogOptions struct {
	Follow     bool
	Tail       string // "all" or a number
	Timestamps bool
	// Until, when set, ends the output at that time: a container started again in place keeps
	// one log, and what precedes its last start is its earlier runs' output.
	Until time.Time
}

// Event is a Docker event about an ordset object, reduced to what triggers a resync.
type Event struct {
	Type   string // "container" or "network"
	Action string // "start", "die", "destroy", "health_status: healthy", ...
	ID     string
	Labels map[string]string
	Time   time.Time
}
