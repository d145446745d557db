package compose

// VolumeMount mounts a pod volume or a volumeClaimTemplate (Name) into a container.
// HostPath is the ordset file's shorthand for a hostPath volume; Load turns it into
// one, so a loaded spec mounts by name only.
type VolumeMount struct {
	Name      string `yaml:"name,omitempty" json:"name,omitempty"`
	HostPath  string `yaml:"hostPath,omitempty" json:"hostPath,omitempty"`
	MountPath string `yaml:"mountPath" json:"mountPath"`
	SubPath   string `yaml:"subPath,omitempty" json:"subPath,omitempty"`
	// SubPathExpr is subPath with $(VAR) expanded from the container's env when it starts
	// (e.g. $(POD_NAME)), as in Kubernetes; exclusive with SubPath.
	SubPathExpr string `yaml:"subPathExpr,omitempty" json:"subPathExpr,omitempty"`
	ReadOnly    bool   `yaml:"readOnly,omitempty" json:"readOnly,omitempty"`
}

// Volume is core/v1 Volume with the sources that mean something on one Docker host.
// Exactly one source is set. Claims are volumeClaimTemplates, mounted by their name.
type Volume struct {
	Name      string                 `yaml:"name" json:"name"`
	EmptyDir  *EmptyDirVolumeSource  `yaml:"emptyDir,omitempty" json:"emptyDir,omitempty"`
	ConfigMap *ConfigMapVolumeSource `yaml:"configMap,omitempty" json:"configMap,omitempty"`
	Secret    *SecretVolumeSource    `yaml:"secret,omitempty" json:"secret,omitempty"`
	HostPath  *HostPathVolumeSource  `yaml:"hostPath,omitempty" json:"hostPath,omitempty"`
}

// EmptyDirVolumeSource is scratch space that lives as long as the pod: a per-pod
// Docker volume, or tmpfs with Medium "Memory".
type EmptyDirVolumeSource struct {
	Medium    string `yaml:"medium,omitempty" json:"medium,omitempty"`
	SizeLimit string `yaml:"sizeLimit,omitempty" json:"sizeLimit,omitempty"`
}

// MediumMemory backs an emptyDir with tmpfs.
const MediumMemory = "Memory"

// ConfigMapVolumeSource projects a ConfigMap's keys as files.
type ConfigMapVolumeSource struct {
	Name        string      `yaml:"name" json:"name"`
	Items       []KeyToPath `yaml:"items,omitempty" json:"items,omitempty"`
	DefaultMode *int32      `yaml:"defaultMode,omitempty" json:"defaultMode,omitempty"`
	Optional    *bool       `yaml:"optional,omitempty" json:"optional,omitempty"`
}

// SecretVolumeSource projects a Secret's keys as files.
type SecretVolumeSource struct {
	SecretName  string      `yaml:"secretName" json:"secretName"`
	Items       []KeyToPath `yaml:"items,omitempty" json:"items,omitempty"`
	DefaultMode *int32      `yaml:"defaultMode,omitempty" json:"defaultMode,omitempty"`
	Optional    *bool       `yaml:"optional,omitempty" json:"optional,omitempty"`
}

// KeyToPath picks one key and names its file (relative, no "..").
type KeyToPath struct {
	Key  string `yaml:"key" json:"key"`
	Path string `yaml:"path" json:"path"`
	Mode *int32 `yaml:"mode,omitempty" json:"mode,omitempty"`
}

// DefaultFileMode is Kubernetes' defaultMode for configMap and secret files (0644).
const DefaultFileMode = int32(0o644)

// HostPathVolumeSource mounts a host directory or file; relative paths are resolved
// against the ordset file's directory.
type HostPathVolumeSource struct {
	Path string `yaml:"path" json:"path"`
	Type string `yaml:"type,omitempty" json:"type,omitempty"`
}
