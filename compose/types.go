package compose

// Project is one loaded ordset file: a namespace, its ConfigMaps and Secrets, and its StatefulSets.
// After Load returns without error every default is applied and every port
// reference resolved, so consumers never re-derive defaults.
type Project struct {
	// File is the absolute path the project was loaded from ("" for in-memory input).
	File string `yaml:"-" json:"-"`
	// Dir is the directory relative hostPath mounts are resolved against.
	Dir string `yaml:"-" json:"-"`
	// Warnings are problems that do not stop a load, located like problems, for the CLI to
	// show: risky choices (a read-write mount of a system directory), fields accepted and
	// ignored on one Docker host, $(VAR) references that name nothing.
	Warnings []Problem `yaml:"-" json:"-"`
	// ImageChanges say which images the overrides replaced, where, and by which override
	// ("statefulsets.web.containers[0]: nginx:1.25 -> myorg/nginx:1.25 (--image ...)"), for
	// ordset config to show the mapping.
	ImageChanges []string `yaml:"-" json:"-"`

	Namespace    string                  `yaml:"namespace" json:"namespace"`
	ConfigMaps   map[string]*ConfigMap   `yaml:"configMaps,omitempty" json:"configMaps,omitempty"`
	Secrets      map[string]*Secret      `yaml:"secrets,omitempty" json:"secrets,omitempty"`
	StatefulSets map[string]*StatefulSet `yaml:"statefulsets" json:"statefulsets"`
	// Services are the Services that are not a set's own headless one (see Service).
	Services map[string]*Service `yaml:"services,omitempty" json:"services,omitempty"`
}

// StatefulSet is a Kubernetes StatefulSet as ordset runs it: set-level policies,
// a pod template and the claim templates of its per-ordinal volumes.
type StatefulSet struct {
	// Name is the map key under `statefulsets`; filled in by Load.
	Name string `yaml:"-" json:"-"`

	Replicas                 *int           `yaml:"replicas,omitempty" json:"replicas,omitempty"`
	ServiceName              string         `yaml:"serviceName,omitempty" json:"serviceName,omitempty"`
	PodManagementPolicy      string         `yaml:"podManagementPolicy,omitempty" json:"podManagementPolicy,omitempty"`
	UpdateStrategy           UpdateStrategy `yaml:"updateStrategy,omitempty" json:"updateStrategy"`
	MinReadySeconds          int            `yaml:"minReadySeconds" json:"minReadySeconds"`
	Ordinals                 Ordinals       `yaml:"ordinals" json:"ordinals"`
	PublishNotReadyAddresses bool           `yaml:"publishNotReadyAddresses,omitempty" json:"publishNotReadyAddresses,omitempty"`
	// ServicePorts are the ports of the set's own Service as a manifest names them. SRV records
	// under the set's service are named after them (Kubernetes names SRV records by the
	// Service's port names, not the containers'); when empty, after the containers' named ports.
	ServicePorts                         []ServicePort   `yaml:"servicePorts,omitempty" json:"servicePorts,omitempty"`
	PersistentVolumeClaimRetentionPolicy RetentionPolicy `yaml:"persistentVolumeClaimRetentionPolicy,omitempty" json:"persistentVolumeClaimRetentionPolicy"`
	DependsOn                            []string        `yaml:"dependsOn,omitempty" json:"dependsOn,omitempty"`
	RevisionHistoryLimit                 *int            `yaml:"revisionHistoryLimit,omitempty" json:"revisionHistoryLimit,omitempty"` // revisions kept (default 10)
	// Template is the pod every ordinal runs; the file's flat container fields fill Containers[0].
	Template             PodTemplateSpec       `yaml:"template" json:"template"`
	VolumeClaimTemplates []VolumeClaimTemplate `yaml:"volumeClaimTemplates,omitempty" json:"volumeClaimTemplates,omitempty"`
}

// Policy words, as Kubernetes spells them.
const (
	OrderedReady = "OrderedReady"
	Parallel     = "Parallel"

	RollingUpdate = "RollingUpdate"
	OnDelete      = "OnDelete"

	Retain = "Retain"
	Delete = "Delete"

	PullAlways       = "Always"
	PullIfNotPresent = "IfNotPresent"
	PullNever        = "Never"
)

// UpdateStrategy is Kubernetes' StatefulSetUpdateStrategy. The file may write partition and
// maxUnavailable under rollingUpdate (Kubernetes' shape, the canonical output) or, as a
// shorthand, directly under updateStrategy; Load folds the shorthand into the flat fields
// the controller reads, so Partition and MaxUnavailable are the only values after Load.
type UpdateStrategy struct {
	Type      string `yaml:"type,omitempty" json:"type"`
	Partition int    `yaml:"partition,omitempty" json:"partition"`
	// MaxUnavailable bounds how many pods a RollingUpdate may have unavailable ("" is 1).
	MaxUnavailable IntOrPercent `yaml:"maxUnavailable,omitempty" json:"maxUnavailable,omitempty"`
	// RollingUpdate is Kubernetes' nested shape as written; Load moves it into the flat fields.
	RollingUpdate *RollingUpdateStrategy `yaml:"rollingUpdate,omitempty" json:"-"`
}

// RollingUpdateStrategy is Kubernetes' RollingUpdateStatefulSetStrategy.
type RollingUpdateStrategy struct {
	Partition      *int         `yaml:"partition,omitempty" json:"partition,omitempty"`
	MaxUnavailable IntOrPercent `yaml:"maxUnavailable,omitempty" json:"maxUnavailable,omitempty"`
}

// Ordinals mirrors StatefulSetOrdinals: the first ordinal of the set.
type Ordinals struct {
	Start int `yaml:"start" json:"start"`
}

// RetentionPolicy says whether per-ordinal volumes survive scale-down and delete.
type RetentionPolicy struct {
	WhenScaled  string `yaml:"whenScaled,omitempty" json:"whenScaled"`
	WhenDeleted string `yaml:"whenDeleted,omitempty" json:"whenDeleted"`
}

// EnvVar is one environment variable, a literal or a reference; EnvList decodes
// from a map (literals only) or the Kubernetes list form.
type EnvVar struct {
	Name      string        `yaml:"name" json:"name"`
	Value     string        `yaml:"value,omitempty" json:"value,omitempty"`
	ValueFrom *EnvVarSource `yaml:"valueFrom,omitempty" json:"valueFrom,omitempty"`
}

// EnvList keeps document order so the revision hash and the container env are stable.
type EnvList []EnvVar

// Port is a container port; HostPort, when set, is published as HostPort+ordinal-offset.
type Port struct {
	Name          string `yaml:"name,omitempty" json:"name,omitempty"`
	ContainerPort int    `yaml:"containerPort" json:"containerPort"`
	Protocol      string `yaml:"protocol,omitempty" json:"protocol"`
	HostPort      int    `yaml:"hostPort,omitempty" json:"hostPort,omitempty"`
	HostIP        string `yaml:"hostIP,omitempty" json:"hostIP,omitempty"`
}

// PortRef is Kubernetes' IntOrString for probe ports: a number or a named container port.
// After Load, Number is always set (names are resolved against the set's ports).
type PortRef struct {
	Number int    `yaml:"-" json:"-"`
	Name   string `yaml:"-" json:"-"`
}

// Probe has exactly one handler; the numeric fields carry Kubernetes' defaults after Load.
type Probe struct {
	Exec                *ExecAction      `yaml:"exec,omitempty" json:"exec,omitempty"`
	TCPSocket           *TCPSocketAction `yaml:"tcpSocket,omitempty" json:"tcpSocket,omitempty"`
	HTTPGet             *HTTPGetAction   `yaml:"httpGet,omitempty" json:"httpGet,omitempty"`
	InitialDelaySeconds int              `yaml:"initialDelaySeconds,omitempty" json:"initialDelaySeconds"`
	TimeoutSeconds      int              `yaml:"timeoutSeconds,omitempty" json:"timeoutSeconds"`
	PeriodSeconds       int              `yaml:"periodSeconds,omitempty" json:"periodSeconds"`
	SuccessThreshold    int              `yaml:"successThreshold,omitempty" json:"successThreshold"`
	FailureThreshold    int              `yaml:"failureThreshold,omitempty" json:"failureThreshold"`
}

// ExecAction runs a command inside the pod's container; exit 0 is success.
type ExecAction struct {
	Command []string `yaml:"command" json:"command"`
}

// TCPSocketAction succeeds when a TCP connection to the pod IP (or Host) and Port opens.
type TCPSocketAction struct {
	Host string  `yaml:"host,omitempty" json:"host,omitempty"`
	Port PortRef `yaml:"port" json:"port"`
}

// HTTPGetAction succeeds on a status code in [200, 400).
type HTTPGetAction struct {
	Path        string       `yaml:"path,omitempty" json:"path,omitempty"`
	Port        PortRef      `yaml:"port" json:"port"`
	Host        string       `yaml:"host,omitempty" json:"host,omitempty"`
	Scheme      string       `yaml:"scheme,omitempty" json:"scheme,omitempty"`
	HTTPHeaders []HTTPHeader `yaml:"httpHeaders,omitempty" json:"httpHeaders,omitempty"`
}

// HTTPHeader is one request header of an httpGet probe.
type HTTPHeader struct {
	Name  string `yaml:"name" json:"name"`
	Value string `yaml:"value" json:"value"`
}

// Resources holds Kubernetes quantities ("500m", "256Mi"); only cpu and memory are known keys.
type Resources struct {
	Limits   ResourceList `yaml:"limits,omitempty" json:"limits,omitempty"`
	Requests ResourceList `yaml:"requests,omitempty" json:"requests,omitempty"`
}

// ResourceList maps a resource name (cpu, memory) to a quantity string.
type ResourceList map[string]string

// VolumeClaimTemplate becomes one Docker named volume per ordinal; Driver plays the storage class.
// Size and StorageClassName matter only on export (a Docker volume has neither); Size defaults
// to DefaultClaimSize so an exported claim always asks for a size, as Kubernetes requires.
type VolumeClaimTemplate struct {
	Name             string            `yaml:"name" json:"name"`
	Size             string            `yaml:"size,omitempty" json:"size,omitempty"`
	StorageClassName string            `yaml:"storageClassName,omitempty" json:"storageClassName,omitempty"`
	Driver           string            `yaml:"driver,omitempty" json:"driver,omitempty"`
	DriverOpts       map[string]string `yaml:"driverOpts,omitempty" json:"driverOpts,omitempty"`
}
