package compose

// ConfigMap is core/v1 ConfigMap as a project object. Files is ordset's
// convenience (like Compose's configs): key -> path beside the ordset file,
// read at load into Data (UTF-8) or BinaryData (anything else), so a loaded
// ConfigMap has no Files.
type ConfigMap struct {
	// Name is the map key under `configMaps`; filled in by Load.
	Name       string            `yaml:"-" json:"-"`
	Data       map[string]string `yaml:"data,omitempty" json:"data,omitempty"`
	BinaryData map[string]string `yaml:"binaryData,omitempty" json:"binaryData,omitempty"`
	Files      map[string]string `yaml:"files,omitempty" json:"files,omitempty"`
}

// Secret is core/v1 Secret as a project object. Load folds StringData and Files
// into Data (base64, as Kubernetes stores it), so a loaded Secret has Data only.
type Secret struct {
	// Name is the map key under `secrets`; filled in by Load.
	Name       string            `yaml:"-" json:"-"`
	Type       string            `yaml:"type,omitempty" json:"type,omitempty"`
	Data       map[string]string `yaml:"data,omitempty" json:"data,omitempty"`
	StringData map[string]string `yaml:"stringData,omitempty" json:"stringData,omitempty"`
	Files      map[string]string `yaml:"files,omitempty" json:"files,omitempty"`
}

// DefaultSecretType is Kubernetes' type for arbitrary user data.
const DefaultSecretType = "Opaque"

// MaxObjectBytes bounds the content of one ConfigMap or Secret, as Kubernetes does (1 MiB).
const MaxObjectBytes = 1 << 20

// Redacted is what `ordset config` prints instead of a secret value.
const Redacted = "(redacted)"

// Redacted returns a copy of the project whose Secret values read Redacted,
// for output a user did not ask to contain secrets. Keys stay visible: they
// are what a reader checks against secretKeyRef and items.
func (p *Project) Redacted() *Project {
	out := *p
	out.Secrets = make(map[string]*Secret, len(p.Secrets))
	for name, s := range p.Secrets {
		c := *s
		c.Data = make(map[string]string, len(s.Data))
		for k := range s.Data {
			c.Data[k] = Redacted
		}
		c.StringData = nil
		out.Secrets[name] = &c
	}
	return &out
}
