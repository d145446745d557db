package compose

// projectFile is the ordset file as written. It differs from Project only in
// its sets, which may use the flat one-container shorthand.
type projectFile struct {
	Namespace    string                `yaml:"namespace"`
	ConfigMaps   map[string]*ConfigMap `yaml:"configMaps"`
	Secrets      map[string]*Secret    `yaml:"secrets"`
	StatefulSets map[string]*setFile   `yaml:"statefulsets"`
	Services     map[string]*Service   `yaml:"services"`
}

// setFile is one statefulset as written: the set's own fields, the pod-level
// fields of its template, and either a `containers:` list or the flat fields of
// a single container (the shorthand). normalise turns it into a StatefulSet.
type setFile struct {
	Replicas                             *int                  `yaml:"replicas"`
	ServiceName                          string                `yaml:"serviceName"`
	PodManagementPolicy                  string                `yaml:"podManagementPolicy"`
	UpdateStrategy                       UpdateStrategy        `yaml:"updateStrategy"`
	MinReadySeconds                      int                   `yaml:"minReadySeconds"`
	Ordinals                             Ordinals              `yaml:"ordinals"`
	PublishNotReadyAddresses             bool                  `yaml:"publishNotReadyAddresses"`
	ServicePorts                         []ServicePort         `yaml:"servicePorts"`
	PersistentVolumeClaimRetentionPolicy RetentionPolicy       `yaml:"persistentVolumeClaimRetentionPolicy"`
	DependsOn                            []string              `yaml:"dependsOn"`
	RevisionHistoryLimit                 *int                  `yaml:"revisionHistoryLimit"`
	VolumeClaimTemplates                 []VolumeClaimTemplate `yaml:"volumeClaimTemplates"`

	// Pod template metadata and pod-level fields.
	Labels                        map[string]string    `yaml:"labels"`
	Annotations                   map[string]string    `yaml:"annotations"`
	Containers                    []Container          `yaml:"containers"`
	InitContainers                []Container          `yaml:"initContainers"`
	Volumes                       []Volume             `yaml:"volumes"`
	TerminationGracePeriodSeconds *int64               `yaml:"terminationGracePeriodSeconds"`
	SecurityContext               *flatSecurityContext `yaml:"securityContext"`
	HostAliases                   []HostAlias          `yaml:"hostAliases"`
	DNSConfig                     *PodDNSConfig        `yaml:"dnsConfig"`
	ShareProcessNamespace         *bool                `yaml:"shareProcessNamespace"`
	Scheduling                    `yaml:",inline"`

	// The flat shorthand for the one container (named after the set).
	Image           string          `yaml:"image"`
	ImagePullPolicy string          `yaml:"imagePullPolicy"`
	Command         []string        `yaml:"command"`
	Args            []string        `yaml:"args"`
	WorkingDir      string          `yaml:"workingDir"`
	User            string          `yaml:"user"`
	Env             EnvList         `yaml:"env"`
	EnvFrom         []EnvFromSource `yaml:"envFrom"`
	Ports           []Port          `yaml:"ports"`
	Resources       Resources       `yaml:"resources"`
	VolumeMounts    []VolumeMount   `yaml:"volumeMounts"`
	ReadinessProbe  *Probe          `yaml:"readinessProbe"`
	LivenessProbe   *Probe          `yaml:"livenessProbe"`
	StartupProbe    *Probe          `yaml:"startupProbe"`
	Lifecycle       *Lifecycle      `yaml:"lifecycle"`
}

// flatSecurityContext is the file's set-level securityContext: the pod's fields,
// plus, in the flat form only, the container's (which go to that container).
type flatSecurityContext struct {
	PodSecurityContext       `yaml:",inline"`
	Capabilities             *Capabilities `yaml:"capabilities"`
	Privileged               *bool         `yaml:"privileged"`
	ReadOnlyRootFilesystem   *bool         `yaml:"readOnlyRootFilesystem"`
	AllowPrivilegeEscalation *bool         `yaml:"allowPrivilegeEscalation"`
}

// containerOnly reports whether any field that only a container can carry is set.
func (f *flatSecurityContext) containerOnly() bool {
	return f.Capabilities != nil || f.Privileged != nil || f.ReadOnlyRootFilesystem != nil || f.AllowPrivilegeEscalation != nil
}

// flat reports whether the set uses the one-container shorthand (no containers list).
func (f *setFile) flat() bool { return len(f.Containers) == 0 }

// flatKeys are the file keys of the shorthand's container; with a containers
// list they belong to a container instead.
var flatKeys = []string{"image", "imagePullPolicy", "command", "args", "workingDir", "user", "env", "envFrom",
	"ports", "resources", "volumeMounts", "readinessProbe", "livenessProbe", "startupProbe", "lifecycle"}

// containerSecurityKeys are the securityContext fields only a container has.
var containerSecurityKeys = []string{"capabilities", "privileged", "readOnlyRootFilesystem", "allowPrivilegeEscalation"}

// shorthand is the container the flat fields describe.
func (f *setFile) shorthand(name string) Container {
	c := Container{
		Name: name, Image: f.Image, ImagePullPolicy: f.ImagePullPolicy, Command: f.Command, Args: f.Args,
		WorkingDir: f.WorkingDir, User: f.User, Env: f.Env, EnvFrom: f.EnvFrom, Ports: f.Ports,
		Resources: f.Resources, VolumeMounts: f.VolumeMounts, ReadinessProbe: f.ReadinessProbe,
		LivenessProbe: f.LivenessProbe, StartupProbe: f.StartupProbe, Lifecycle: f.Lifecycle,
	}
	if sc := f.SecurityContext; sc != nil && sc.containerOnly() {
		c.SecurityContext = &SecurityContext{Capabilities: sc.Capabilities, Privileged: sc.Privileged,
			ReadOnlyRootFilesystem: sc.ReadOnlyRootFilesystem, AllowPrivilegeEscalation: sc.AllowPrivilegeEscalation}
	}
	return c
}

// toSet builds the StatefulSet a file entry means. With a containers list the
// flat fields must be absent; validation reports them (fileShapeProblems).
func (f *setFile) toSet(name string) *StatefulSet {
	s := &StatefulSet{
		Name: name, Replicas: f.Replicas, ServiceName: f.ServiceName, PodManagementPolicy: f.PodManagementPolicy,
		UpdateStrategy: f.UpdateStrategy, MinReadySeconds: f.MinReadySeconds, Ordinals: f.Ordinals,
		PublishNotReadyAddresses: f.PublishNotReadyAddresses, ServicePorts: f.ServicePorts, DependsOn: f.DependsOn,
		RevisionHistoryLimit:                 f.RevisionHistoryLimit,
		PersistentVolumeClaimRetentionPolicy: f.PersistentVolumeClaimRetentionPolicy,
		VolumeClaimTemplates:                 f.VolumeClaimTemplates,
	}
	t := &s.Template
	t.Metadata = PodMetadata{Labels: f.Labels, Annotations: f.Annotations}
	t.Spec = PodSpec{
		InitContainers: f.InitContainers, Containers: f.Containers, Volumes: f.Volumes,
		TerminationGracePeriodSeconds: f.TerminationGracePeriodSeconds, HostAliases: f.HostAliases,
		DNSConfig: f.DNSConfig, ShareProcessNamespace: f.ShareProcessNamespace, Scheduling: f.Scheduling,
	}
	if sc := f.SecurityContext; sc != nil {
		p := sc.PodSecurityContext
		t.Spec.SecurityContext = &p
	}
	if len(f.Containers) == 0 {
		t.Spec.Containers = []Container{f.shorthand(name)}
	}
	return s
}

func (f *projectFile) toProject(dir string) *Project {
	p := &Project{Dir: dir, Namespace: f.Namespace, ConfigMaps: f.ConfigMaps, Secrets: f.Secrets,
		StatefulSets: make(map[string]*StatefulSet, len(f.StatefulSets)), Services: f.Services}
	for name, sf := range f.StatefulSets {
		if sf == nil {
			sf = &setFile{}
		}
		p.StatefulSets[name] = sf.toSet(name)
	}
	return p
}
