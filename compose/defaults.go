package compose

import (
	"path/filepath"
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
}

func defaultSet(s *StatefulSet, dir string) {
	if s.Replicas == nil {
		n := DefaultReplicas
		s.Replicas = &n
	}
	if s.ServiceName == "" {
		s.ServiceName = s.Name
	}
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
	if s.ImagePullPolicy == "" {
		s.ImagePullPolicy = defaultPullPolicy(s.Image)
	}
	if s.TerminationGracePeriodSeconds == nil {
		g := DefaultTerminationGracePeriodSeconds
		s.TerminationGracePeriodSeconds = &g
	}
	for i := range s.Ports {
		pt := &s.Ports[i]
		if pt.Protocol == "" {
			pt.Protocol = DefaultProtocol
		}
		if pt.HostPort != 0 && pt.HostIP == "" {
			pt.HostIP = DefaultHostIP
		}
	}
	for _, pr := range []*Probe{s.ReadinessProbe, s.LivenessProbe, s.StartupProbe} {
		defaultProbe(pr, s.Ports)
	}
	for i := range s.VolumeClaimTemplates {
		if s.VolumeClaimTemplates[i].Size == "" {
			s.VolumeClaimTemplates[i].Size = DefaultClaimSize
		}
		s.VolumeClaimTemplates[i].Size = canonicalQuantity(s.VolumeClaimTemplates[i].Size)
	}
	for _, l := range []ResourceList{s.Resources.Limits, s.Resources.Requests} {
		for k, v := range l {
			l[k] = canonicalQuantity(v)
		}
	}
	absMounts(s.VolumeMounts, dir)
	for i := range s.InitContainers {
		c := &s.InitContainers[i]
		if c.ImagePullPolicy == "" && c.Image != "" {
			c.ImagePullPolicy = defaultPullPolicy(c.Image)
		}
		absMounts(c.VolumeMounts, dir)
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
		if h.Path == "" {
			h.Path = "/"
		}
		if h.Scheme == "" {
			h.Scheme = "HTTP"
		}
		resolvePort(&h.Port, ports)
	}
	if t := pr.TCPSocket; t != nil {
		resolvePort(&t.Port, ports)
	}
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

func absMounts(ms []VolumeMount, dir string) {
	for i := range ms {
		if hp := ms[i].HostPath; hp != "" && !filepath.IsAbs(hp) {
			ms[i].HostPath = filepath.Join(dir, hp)
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
