package compose

// PodTemplateSpec is Kubernetes' pod template: what every pod of a set is made of.
// The flat one-container form of the ordset file normalises into it, and the
// Kubernetes importer maps manifests onto it, so the runtime reads one shape.
type PodTemplateSpec struct {
	Metadata PodMetadata `yaml:"metadata,omitempty" json:"metadata"`
	Spec     PodSpec     `yaml:"spec" json:"spec"`
}

// PodMetadata holds the template's labels and annotations; they become Docker
// labels on the pod's containers, and ordset's own labels always win.
type PodMetadata struct {
	Labels      map[string]string `yaml:"labels,omitempty" json:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty" json:"annotations,omitempty"`
}

// PodSpec is the subset of core/v1 PodSpec that means something on one Docker host.
// Scheduling fields are kept so an import round-trips, but they do nothing here
// (Load warns about them).
type PodSpec struct {
	InitContainers                []Container         `yaml:"initContainers,omitempty" json:"initContainers,omitempty"`
	Containers                    []Container         `yaml:"containers" json:"containers"`
	Volumes                       []Volume            `yaml:"volumes,omitempty" json:"volumes,omitempty"`
	TerminationGracePeriodSeconds *int64              `yaml:"terminationGracePeriodSeconds,omitempty" json:"terminationGracePeriodSeconds,omitempty"`
	SecurityContext               *PodSecurityContext `yaml:"securityContext,omitempty" json:"securityContext,omitempty"`
	HostAliases                   []HostAlias         `yaml:"hostAliases,omitempty" json:"hostAliases,omitempty"`
	DNSConfig                     *PodDNSConfig       `yaml:"dnsConfig,omitempty" json:"dnsConfig,omitempty"`
	ShareProcessNamespace         *bool               `yaml:"shareProcessNamespace,omitempty" json:"shareProcessNamespace,omitempty"`
	Scheduling                    `yaml:",inline"`
}

// Scheduling holds the fields that place a pod on a node. One Docker host has one
// node, so they are accepted with a warning and ignored; the values are kept
// opaque so an export writes them back unchanged.
type Scheduling struct {
	NodeSelector              map[string]string `yaml:"nodeSelector,omitempty" json:"nodeSelector,omitempty"`
	Affinity                  any               `yaml:"affinity,omitempty" json:"affinity,omitempty"`
	Tolerations               []any             `yaml:"tolerations,omitempty" json:"tolerations,omitempty"`
	TopologySpreadConstraints []any             `yaml:"topologySpreadConstraints,omitempty" json:"topologySpreadConstraints,omitempty"`
	PriorityClassName         string            `yaml:"priorityClassName,omitempty" json:"priorityClassName,omitempty"`
	Priority                  *int32            `yaml:"priority,omitempty" json:"priority,omitempty"`
}

// Container is core/v1 Container: a main container, an init container, or (an init
// container with RestartPolicy Always) a native sidecar.
type Container struct {
	Name            string           `yaml:"name" json:"name"`
	Image           string           `yaml:"image,omitempty" json:"image,omitempty"`
	ImagePullPolicy string           `yaml:"imagePullPolicy,omitempty" json:"imagePullPolicy,omitempty"`
	Command         []string         `yaml:"command,omitempty" json:"command,omitempty"`
	Args            []string         `yaml:"args,omitempty" json:"args,omitempty"`
	WorkingDir      string           `yaml:"workingDir,omitempty" json:"workingDir,omitempty"`
	Env             EnvList          `yaml:"env,omitempty" json:"env,omitempty"`
	EnvFrom         []EnvFromSource  `yaml:"envFrom,omitempty" json:"envFrom,omitempty"`
	Ports           []Port           `yaml:"ports,omitempty" json:"ports,omitempty"`
	Resources       Resources        `yaml:"resources,omitempty" json:"resources"`
	VolumeMounts    []VolumeMount    `yaml:"volumeMounts,omitempty" json:"volumeMounts,omitempty"`
	ReadinessProbe  *Probe           `yaml:"readinessProbe,omitempty" json:"readinessProbe,omitempty"`
	LivenessProbe   *Probe           `yaml:"livenessProbe,omitempty" json:"livenessProbe,omitempty"`
	StartupProbe    *Probe           `yaml:"startupProbe,omitempty" json:"startupProbe,omitempty"`
	Lifecycle       *Lifecycle       `yaml:"lifecycle,omitempty" json:"lifecycle,omitempty"`
	SecurityContext *SecurityContext `yaml:"securityContext,omitempty" json:"securityContext,omitempty"`
	// RestartPolicy is only for init containers: Always makes a native sidecar.
	RestartPolicy string `yaml:"restartPolicy,omitempty" json:"restartPolicy,omitempty"`
	// User is ordset's Docker-style "user[:group]" (names allowed); Kubernetes has
	// only numeric securityContext.runAsUser/runAsGroup, which win when set.
	User string `yaml:"user,omitempty" json:"user,omitempty"`
}

// ContainerRestartAlways is the one init-container restartPolicy Kubernetes allows: a native sidecar.
const ContainerRestartAlways = "Always"

// Sidecar reports whether an init container is a native sidecar: started in
// order with the init containers, then kept running beside the main ones.
func (c *Container) Sidecar() bool { return c.RestartPolicy == ContainerRestartAlways }

// EnvVarSource is core/v1 EnvVarSource: exactly one reference.
type EnvVarSource struct {
	FieldRef         *ObjectFieldSelector   `yaml:"fieldRef,omitempty" json:"fieldRef,omitempty"`
	ResourceFieldRef *ResourceFieldSelector `yaml:"resourceFieldRef,omitempty" json:"resourceFieldRef,omitempty"`
	ConfigMapKeyRef  *KeySelector           `yaml:"configMapKeyRef,omitempty" json:"configMapKeyRef,omitempty"`
	SecretKeyRef     *KeySelector           `yaml:"secretKeyRef,omitempty" json:"secretKeyRef,omitempty"`
}

// ObjectFieldSelector names a pod field (see FieldPaths for the ones ordset knows).
type ObjectFieldSelector struct {
	APIVersion string `yaml:"apiVersion,omitempty" json:"apiVersion,omitempty"`
	FieldPath  string `yaml:"fieldPath" json:"fieldPath"`
}

// Field paths a fieldRef may name, with what each is on one Docker host.
const (
	FieldPodName      = "metadata.name"
	FieldPodNamespace = "metadata.namespace"
	FieldPodIndex     = "metadata.labels['apps.kubernetes.io/pod-index']"
	FieldPodIP        = "status.podIP"
	FieldNodeName     = "spec.nodeName" // the Docker host's name
	FieldHostIP       = "status.hostIP" // the namespace network's gateway
	FieldServiceAcct  = "spec.serviceAccountName"
)

// FieldPaths lists every fieldRef path ordset resolves.
var FieldPaths = []string{FieldPodName, FieldPodNamespace, FieldPodIndex, FieldPodIP, FieldNodeName, FieldHostIP}

// ResourceFieldSelector exposes a container's limit or request (limits.cpu, requests.memory, ...).
type ResourceFieldSelector struct {
	ContainerName string `yaml:"containerName,omitempty" json:"containerName,omitempty"`
	Resource      string `yaml:"resource" json:"resource"`
	Divisor       string `yaml:"divisor,omitempty" json:"divisor,omitempty"`
}

// KeySelector is ConfigMapKeySelector / SecretKeySelector: one key of a named object.
type KeySelector struct {
	Name     string `yaml:"name" json:"name"`
	Key      string `yaml:"key" json:"key"`
	Optional *bool  `yaml:"optional,omitempty" json:"optional,omitempty"`
}

// EnvFromSource imports every key of a ConfigMap or Secret as env, optionally prefixed.
type EnvFromSource struct {
	Prefix       string     `yaml:"prefix,omitempty" json:"prefix,omitempty"`
	ConfigMapRef *ObjectRef `yaml:"configMapRef,omitempty" json:"configMapRef,omitempty"`
	SecretRef    *ObjectRef `yaml:"secretRef,omitempty" json:"secretRef,omitempty"`
}

// ObjectRef names a ConfigMap or Secret of the project.
type ObjectRef struct {
	Name     string `yaml:"name" json:"name"`
	Optional *bool  `yaml:"optional,omitempty" json:"optional,omitempty"`
}

// Lifecycle holds the hooks run after a container starts and before it is stopped.
type Lifecycle struct {
	PostStart *LifecycleHandler `yaml:"postStart,omitempty" json:"postStart,omitempty"`
	PreStop   *LifecycleHandler `yaml:"preStop,omitempty" json:"preStop,omitempty"`
}

// LifecycleHandler has exactly one action, as a probe has.
type LifecycleHandler struct {
	Exec    *ExecAction    `yaml:"exec,omitempty" json:"exec,omitempty"`
	HTTPGet *HTTPGetAction `yaml:"httpGet,omitempty" json:"httpGet,omitempty"`
}

// SecurityContext is core/v1 SecurityContext, the per-container part.
type SecurityContext struct {
	RunAsUser                *int64        `yaml:"runAsUser,omitempty" json:"runAsUser,omitempty"`
	RunAsGroup               *int64        `yaml:"runAsGroup,omitempty" json:"runAsGroup,omitempty"`
	RunAsNonRoot             *bool         `yaml:"runAsNonRoot,omitempty" json:"runAsNonRoot,omitempty"`
	Capabilities             *Capabilities `yaml:"capabilities,omitempty" json:"capabilities,omitempty"`
	Privileged               *bool         `yaml:"privileged,omitempty" json:"privileged,omitempty"`
	ReadOnlyRootFilesystem   *bool         `yaml:"readOnlyRootFilesystem,omitempty" json:"readOnlyRootFilesystem,omitempty"`
	AllowPrivilegeEscalation *bool         `yaml:"allowPrivilegeEscalation,omitempty" json:"allowPrivilegeEscalation,omitempty"`
}

// Capabilities are Linux capability names, with or without CAP_, or ALL.
type Capabilities struct {
	Add  []string `yaml:"add,omitempty" json:"add,omitempty"`
	Drop []string `yaml:"drop,omitempty" json:"drop,omitempty"`
}

// PodSecurityContext is core/v1 PodSecurityContext: defaults for every container plus pod-wide settings.
type PodSecurityContext struct {
	RunAsUser          *int64   `yaml:"runAsUser,omitempty" json:"runAsUser,omitempty"`
	RunAsGroup         *int64   `yaml:"runAsGroup,omitempty" json:"runAsGroup,omitempty"`
	RunAsNonRoot       *bool    `yaml:"runAsNonRoot,omitempty" json:"runAsNonRoot,omitempty"`
	FSGroup            *int64   `yaml:"fsGroup,omitempty" json:"fsGroup,omitempty"`
	SupplementalGroups []int64  `yaml:"supplementalGroups,omitempty" json:"supplementalGroups,omitempty"`
	Sysctls            []Sysctl `yaml:"sysctls,omitempty" json:"sysctls,omitempty"`
}

// Sysctl is one namespaced kernel parameter set for the pod.
type Sysctl struct {
	Name  string `yaml:"name" json:"name"`
	Value string `yaml:"value" json:"value"`
}

// HostAlias adds lines to the pod's /etc/hosts.
type HostAlias struct {
	IP        string   `yaml:"ip" json:"ip"`
	Hostnames []string `yaml:"hostnames" json:"hostnames"`
}

// PodDNSConfig adds resolver settings on top of ordset's (dnsPolicy ClusterFirst).
type PodDNSConfig struct {
	Nameservers []string          `yaml:"nameservers,omitempty" json:"nameservers,omitempty"`
	Searches    []string          `yaml:"searches,omitempty" json:"searches,omitempty"`
	Options     []PodDNSConfigOpt `yaml:"options,omitempty" json:"options,omitempty"`
}

// PodDNSConfigOpt is one resolv.conf option such as ndots:2 or edns0.
type PodDNSConfigOpt struct {
	Name  string  `yaml:"name" json:"name"`
	Value *string `yaml:"value,omitempty" json:"value,omitempty"`
}

// Main is the pod's first container: the one `logs` and `exec` default to, as
// kubectl's, and the only one of the flat shorthand. A loaded set always has one.
func (s *StatefulSet) Main() *Container {
	if len(s.Template.Spec.Containers) == 0 {
		return &Container{}
	}
	return &s.Template.Spec.Containers[0]
}
