package compose

import (
	"path/filepath"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Defaults, as Kubernetes applies them, in one place so consumers never guess.
const (
	DefaultNamespace                     = "default"
	DefaultReplicas                      = 1
	DefaultTerminationGracePeriodSeconds = int64(30)
	DefaultHostIP                        = "127.0.0.1"
	DefaultProtocol                      = "TCP"
	// DefaultClaimSize is what an exported claim template requests when the file names no size.
	DefaultClaimSize = "1Gi"

	DefaultProbeTimeoutSeconds   = 1
	DefaultProbePeriodSeconds    = 10
	DefaultProbeSuccessThreshold = 1
	DefaultProbeFailureThreshold = 3
)

// applyDefaults fills every unset field with its default, resolves named probe
// ports it can, and makes relative host paths absolute against p.Dir. It never
// fails: whatever stays wrong is validation's to report.
func applyDefaults(p *Project) {
	if p.Namespace == "" {
		p.Namespace = DefaultNamespace
	}
	if p.StatefulSets == nil {
		p.StatefulSets = map[string]*StatefulSet{}
	}
	for name, s := range p.StatefulSets {
		if s == nil {
			s = &StatefulSet{}
			p.StatefulSets[name] = s
		}
		s.Name = name
		defaultSet(s, p.Dir)
	}
	for name, sv := range p.Services {
		if sv == nil {
			sv = &Service{}
			p.Services[name] = sv
		}
		sv.Name = name
		defaultService(sv)
	}
	for name, cm := range p.ConfigMaps {
		if cm == nil {
			cm = &ConfigMap{}
			p.ConfigMaps[name] = cm
		}
		cm.Name = name
	}
	for name, sec := range p.Secrets {
		if sec == nil {
			sec = &Secret{}
			p.Secrets[name] = sec
		}
		sec.Name = name
		if sec.Type == "" {
			sec.Type = DefaultSecretType
		}
	}
}

func defaultSet(s *StatefulSet, dir string) {
	if s.Replicas == nil {
		n := DefaultReplicas
		s.Replicas = &n
	}
	if s.ServiceName == "" {
		s.ServiceName = s.Name
	}
	defaultServicePorts(s.ServicePorts)
	if s.PodManagementPolicy == "" {
		s.PodManagementPolicy = OrderedReady
	}
	if s.UpdateStrategy.Type == "" {
		s.UpdateStrategy.Type = RollingUpdate
	}
	if s.PersistentVolumeClaimRetentionPolicy.WhenScaled == "" {
		s.PersistentVolumeClaimRetentionPolicy.WhenScaled = Retain
	}
	if s.PersistentVolumeClaimRetentionPolicy.WhenDeleted == "" {
		s.PersistentVolumeClaimRetentionPolicy.WhenDeleted = Retain
	}
	for i := range s.VolumeClaimTemplates {
		if s.VolumeClaimTemplates[i].Size == "" {
			s.VolumeClaimTemplates[i].Size = DefaultClaimSize
		}
		s.VolumeClaimTemplates[i].Size = canonicalQuantity(s.VolumeClaimTemplates[i].Size)
	}
	spec := &s.Template.Spec
	if spec.TerminationGracePeriodSeconds == nil {
		g := DefaultTerminationGracePeriodSeconds
		spec.TerminationGracePeriodSeconds = &g
	}
	for i := range spec.InitContainers {
		defaultContainer(&spec.InitContainers[i])
	}
	for i := range spec.Containers {
		defaultContainer(&spec.Containers[i])
	}
	hostPathVolumes(s, dir)
	for i := range spec.Volumes {
		defaultVolume(&spec.Volumes[i], dir)
	}
}

func defaultContainer(c *Container) {
	if c.ImagePullPolicy == "" && c.Image != "" {
		c.ImagePullPolicy = defaultPullPolicy(c.Image)
	}
	for i := range c.Ports {
		pt := &c.Ports[i]
		if pt.Protocol == "" {
			pt.Protocol = DefaultProtocol
		}
		if pt.HostPort != 0 && pt.HostIP == "" {
			pt.HostIP = DefaultHostIP
		}
	}
	for _, pr := range []*Probe{c.ReadinessProbe, c.LivenessProbe, c.StartupProbe} {
		defaultProbe(pr, c.Ports)
	}
	for _, l := range []ResourceList{c.Resources.Limits, c.Resources.Requests} {
		for k, v := range l {
			l[k] = canonicalQuantity(v)
		}
	}
	if l := c.Lifecycle; l != nil {
		for _, h := range []*LifecycleHandler{l.PostStart, l.PreStop} {
			if h != nil && h.HTTPGet != nil {
				defaultHTTPGet(h.HTTPGet, c.Ports)
			}
		}
	}
}

func defaultVolume(v *Volume, dir string) {
	mode := DefaultFileMode
	switch {
	case v.ConfigMap != nil && v.ConfigMap.DefaultMode == nil:
		v.ConfigMap.DefaultMode = &mode
	case v.Secret != nil && v.Secret.DefaultMode == nil:
		v.Secret.DefaultMode = &mode
	case v.HostPath != nil && v.HostPath.Path != "" && !filepath.IsAbs(v.HostPath.Path):
		v.HostPath.Path = filepath.Join(dir, v.HostPath.Path)
	}
}

// hostPathVolumes turns the file's `hostPath:` mounts into hostPath volumes
// (one per distinct path, named host-N), so a loaded spec mounts by name only.
func hostPathVolumes(s *StatefulSet, dir string) {
	spec := &s.Template.Spec
	used := map[string]bool{}
	for _, v := range spec.Volumes {
		used[v.Name] = true
	}
	for _, t := range s.VolumeClaimTemplates {
		used[t.Name] = true
	}
	byPath := map[string]string{}
	next := 0
	for _, cs := range [][]Container{spec.InitContainers, spec.Containers} {
		for i := range cs {
			for j := range cs[i].VolumeMounts {
				m := &cs[i].VolumeMounts[j]
				if m.HostPath == "" || m.Name != "" {
					continue
				}
				path := m.HostPath
				if !filepath.IsAbs(path) {
					path = filepath.Join(dir, path)
				}
				name, ok := byPath[path]
				for !ok {
					name = "host-" + strconv.Itoa(next)
					next++
					ok = !used[name]
				}
				if _, seen := byPath[path]; !seen {
					byPath[path], used[name] = name, true
					spec.Volumes = append(spec.Volumes, Volume{Name: name, HostPath: &HostPathVolumeSource{Path: path}})
				}
				m.Name, m.HostPath = name, ""
			}
		}
	}
}

func defaultProbe(pr *Probe, ports []Port) {
	if pr == nil {
		return
	}
	if pr.TimeoutSeconds == 0 {
		pr.TimeoutSeconds = DefaultProbeTimeoutSeconds
	}
	if pr.PeriodSeconds == 0 {
		pr.PeriodSeconds = DefaultProbePeriodSeconds
	}
	if pr.SuccessThreshold == 0 {
		pr.SuccessThreshold = DefaultProbeSuccessThreshold
	}
	if pr.FailureThreshold == 0 {
		pr.FailureThreshold = DefaultProbeFailureThreshold
	}
	if h := pr.HTTPGet; h != nil {
		defaultHTTPGet(h, ports)
	}
	if t := pr.TCPSocket; t != nil {
		resolvePort(&t.Port, ports)
	}
}

func defaultHTTPGet(h *HTTPGetAction, ports []Port) {
	if h.Path == "" {
		h.Path = "/"
	}
	if h.Scheme == "" {
		h.Scheme = "HTTP"
	}
	resolvePort(&h.Port, ports)
}

// resolvePort turns a named reference into the container port's number.
func resolvePort(r *PortRef, ports []Port) {
	if r.Name == "" || r.Number != 0 {
		return
	}
	for _, pt := range ports {
		if pt.Name == r.Name {
			r.Number = pt.ContainerPort
			return
		}
	}
}

// defaultPullPolicy follows Kubernetes: Always for :latest or no tag (a digest
// pins the image, so IfNotPresent), else IfNotPresent.
func defaultPullPolicy(image string) string {
	if strings.Contains(image, "@") {
		return PullIfNotPresent
	}
	last := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	if !ok || tag == "latest" {
		return PullAlways
	}
	return PullIfNotPresent
}

// canonicalQuantity writes a quantity as Kubernetes does ("1.5" -> "1500m"), so the spec
// reads the same whether it came from an ordset file or a manifest; invalid ones stay for
// validation to report.
func canonicalQuantity(s string) string {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return s
	}
	return q.String()
}
