package orchestrator

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// PodTemplate turns a set into fully resolved container specs, one ordinal at a time. It is
// pure: the runtime applies no policy, so every derived value (names, env, DNS, ports) is
// decided here and can be tested without Docker.
type PodTemplate struct {
	Namespace string
	Set       *compose.StatefulSet
	Revision  string
	// Current and CurrentRevision are the revision pods below the partition are created at
	// (nil: the same as Set).
	Current         *compose.StatefulSet
	CurrentRevision string
	// Network is the namespace network the pods join, and NetworkID its ID as observed.
	Network   string
	NetworkID string
	// DNSServer is the IP of ordset's DNS listener on that network (its gateway); "" keeps Docker's.
	DNSServer string
	// Zone is the cluster DNS zone (default cluster.local).
	Zone string
	// ExtraLabels are added to every container (e.g. a test marker); identity labels win.
	ExtraLabels map[string]string
	// Objects are the namespace's ConfigMaps and Secrets (env references, volume files).
	Objects Objects
	// InfraID is the ID of the pod's infrastructure container when the pod has one: its other
	// containers join its namespaces. Set per action by the executor ("" for one-container pods).
	InfraID string
	// PodIP is that infrastructure container's address (status.podIP).
	PodIP string
	// hookOf names the container whose lifecycle hooks run ("" is the first container), and
	// hookless says there are none (the infrastructure container).
	hookOf   string
	hookless bool
}

// ForContainer is the template whose lifecycle hooks are those of the named container (an app
// container or sidecar of a multi-container pod; "" is the first container).
func (t PodTemplate) ForContainer(name string) PodTemplate {
	t.hookOf = name
	return t
}

// forAction is the template an action's containers are built from: its revision, the pod's
// infrastructure container, and the container whose hooks run.
func (t PodTemplate) forAction(a Action) PodTemplate {
	t = t.At(a.Revision)
	t.InfraID, t.PodIP, t.hookOf, t.hookless = a.InfraID, a.PodIP, a.Container, a.Infra
	return t
}

// At returns the template of revision rev: the current one when rev names it, else t.
func (t PodTemplate) At(rev string) PodTemplate {
	if t.Current != nil && rev == t.CurrentRevision && rev != t.Revision {
		t.Set, t.Revision = t.Current, t.CurrentRevision
	}
	return t
}

func (t PodTemplate) zone() string {
	if t.Zone == "" {
		return identity.DefaultZone
	}
	return t.Zone
}

func (t PodTemplate) service() string { return t.Set.Service() }

// Pod builds the main container of one ordinal. restarts and backoff are carried in labels.
func (t PodTemplate) Pod(ordinal, restarts, backoff int) (ContainerSpec, error) {
	s, c := t.Set, t.Set.Main()
	spec := t.base(identity.Container{Ordinal: ordinal, Restarts: restarts, Backoff: backoff})
	spec.Name = identity.ContainerName(t.Namespace, s.Name, ordinal)
	if err := t.app(&spec, c, ordinal); err != nil {
		return ContainerSpec{}, err
	}
	spec.Aliases = t.aliases(ordinal)
	spec.Ports = t.ports(ordinal, []compose.Container{*c})
	return spec, nil
}

// aliases are the pod's per-pod network aliases. Docker's resolver answers aliases itself,
// whatever the readiness: only per-pod names are aliased, so service names stay with ordset's
// readiness-aware DNS.
func (t PodTemplate) aliases(ordinal int) []string {
	s := t.Set
	pod, svc := identity.PodName(s.Name, ordinal), t.service()
	return []string{pod, pod + "." + svc, pod + "." + svc + "." + t.Namespace,
		identity.PodFQDN(s.Name, ordinal, svc, t.Namespace, t.zone())}
}

// ports publishes the containers' ports, host ports offset by the ordinal.
func (t PodTemplate) ports(ordinal int, cs []compose.Container) []PortBinding {
	var out []PortBinding
	for _, c := range cs {
		for _, p := range c.Ports {
			b := PortBinding{ContainerPort: p.ContainerPort, Protocol: strings.ToLower(orDefault(p.Protocol, "tcp"))}
			if p.HostPort > 0 {
				b.HostIP = orDefault(p.HostIP, "127.0.0.1")
				b.HostPort = p.HostPort + ordinal - t.Set.Ordinals.Start
			}
			out = append(out, b)
		}
	}
	return out
}

// app fills what a long-running container takes from its template entry besides the
// pod-level settings: image, process, env, mounts, limits and the healthcheck choice.
func (t PodTemplate) app(spec *ContainerSpec, c *compose.Container, ordinal int) error {
	pod := identity.PodName(t.Set.Name, ordinal)
	spec.Image = c.Image
	if err := t.container(spec, c, ordinal); err != nil {
		return err
	}
	if q := c.Resources.Limits["cpu"]; q != "" {
		m, err := compose.ParseCPU(q)
		if err != nil {
			return fmt.Errorf("pod %s: container %s: cpu limit: %w", pod, c.Name, err)
		}
		spec.NanoCPUs = m * 1_000_000
	}
	if q := c.Resources.Limits["memory"]; q != "" {
		b, err := compose.ParseMemory(q)
		if err != nil {
			return fmt.Errorf("pod %s: container %s: memory limit: %w", pod, c.Name, err)
		}
		spec.MemoryBytes = b
	}
	spec.UseImageHealthcheck = c.ReadinessProbe == nil
	return nil
}

// Init builds init container i of one ordinal; it inherits the main container's image when it names none.
func (t PodTemplate) Init(ordinal, i, restarts, backoff int) (ContainerSpec, error) {
	s := t.Set
	inits := s.Template.Spec.InitContainers
	if i < 0 || i >= len(inits) {
		return ContainerSpec{}, fmt.Errorf("pod %s: no init container %d", identity.PodName(s.Name, ordinal), i)
	}
	ic := inits[i]
	spec := t.base(identity.Container{Ordinal: ordinal, Init: ic.Name, Restarts: restarts, Backoff: backoff})
	spec.Name = identity.InitContainerName(t.Namespace, s.Name, ordinal, ic.Name)
	if err := t.app(&spec, &ic, ordinal); err != nil {
		return ContainerSpec{}, err
	}
	spec.Image, _ = s.ImageOf(i)
	spec.UseImageHealthcheck = ic.Sidecar() && ic.ReadinessProbe == nil
	if t.InfraID == "" { // a one-container pod's init containers run without limits, as before
		spec.NanoCPUs, spec.MemoryBytes = 0, 0
		return spec, nil
	}
	t.join(&spec)
	return spec, nil
}

// PullPolicy returns the image and pull policy of the main container (init < 0) or an init container.
func (t PodTemplate) PullPolicy(init int) (image, policy string) { return t.Set.ImageOf(init) }

// base fills what every container of a pod shares: identity, labels, network, DNS, grace.
// id carries the container's own part of the identity (ordinal, role, counters).
func (t PodTemplate) base(id identity.Container) ContainerSpec {
	s, ordinal := t.Set, id.Ordinal
	md := s.Template.Metadata
	// The template's annotations, then its labels, become Docker labels; identity labels win.
	extra := make(map[string]string, len(t.ExtraLabels)+len(md.Labels)+len(md.Annotations))
	for _, m := range []map[string]string{md.Annotations, md.Labels, t.ExtraLabels} {
		for k, v := range m {
			extra[k] = v
		}
	}
	id.Namespace, id.Set, id.Service, id.Revision = t.Namespace, s.Name, t.service(), t.Revision
	l := identity.ContainerLabels(id, extra)
	spec := ContainerSpec{
		Hostname:    identity.Hostname(s.Name, ordinal),
		Domainname:  identity.Domainname(t.service(), t.Namespace, t.zone()),
		Labels:      l,
		Network:     t.Network,
		NetworkID:   t.NetworkID,
		StopTimeout: s.GracePeriod(),
	}
	if t.DNSServer != "" {
		z := t.zone()
		spec.DNS = []string{t.DNSServer}
		spec.DNSSearch = []string{t.Namespace + ".svc." + z, "svc." + z, z}
		spec.DNSOptions = []string{"ndots:5"}
	}
	if d := s.Template.Spec.DNSConfig; d != nil { // dnsPolicy ClusterFirst: added to ordset's own
		spec.DNS = append(slices.Clone(spec.DNS), d.Nameservers...)
		spec.DNSSearch = append(slices.Clone(spec.DNSSearch), d.Searches...)
		for _, o := range d.Options {
			opt := o.Name
			if o.Value != nil {
				opt += ":" + *o.Value
			}
			spec.DNSOptions = mergeOption(spec.DNSOptions, o.Name, opt)
		}
	}
	return spec
}

// mounts resolves claim mounts to the ordinal's volume and hostPath volumes to binds
// (absolute after Load).
func (t PodTemplate) mounts(ordinal int, ms []compose.VolumeMount) []Mount {
	var out []Mount
	for _, m := range ms {
		// subPath binds a part of a host directory or of a configMap/secret volume's files; of a
		// claim, the runtime binds it from the volume's directory (Docker 20.10 cannot mount part
		// of a volume), and Unsupported keeps it off emptyDirs and claims of other drivers.
		if hp := t.hostPath(m); hp != "" {
			out = append(out, Mount{Type: "bind", Source: filepath.Join(hp, m.SubPath), Target: m.MountPath, ReadOnly: m.ReadOnly})
			continue
		}
		if v := t.volume(m.Name); v != nil && v.EmptyDir != nil {
			out = append(out, emptyDirMount(t.Namespace, t.Set.Name, ordinal, v, m, t.fsGroup()))
			continue
		} else if v != nil && (v.ConfigMap != nil || v.Secret != nil) { // read-only, as the kubelet mounts them
			out = append(out, Mount{Type: "bind", Source: filepath.Join(t.Objects.FilesPath(t.Namespace, t.Set, *v), m.SubPath),
				Target: m.MountPath, ReadOnly: true})
			continue
		}
		out = append(out, Mount{Type: "volume", Source: identity.VolumeName(t.Namespace, m.Name, t.Set.Name, ordinal),
			Target: m.MountPath, ReadOnly: m.ReadOnly, SubPath: m.SubPath, Group: t.fsGroup()})
	}
	return out
}

// mergeOption sets a resolv.conf option, replacing one of the same name (ndots:5 -> ndots:2).
func mergeOption(opts []string, name, opt string) []string {
	out := make([]string, 0, len(opts)+1)
	for _, o := range opts {
		if n, _, _ := strings.Cut(o, ":"); n != name {
			out = append(out, o)
		}
	}
	return append(out, opt)
}

// volume returns the pod volume a mount names, or nil (a claim template).
func (t PodTemplate) volume(name string) *compose.Volume {
	for i, v := range t.Set.Template.Spec.Volumes {
		if v.Name == name {
			return &t.Set.Template.Spec.Volumes[i]
		}
	}
	return nil
}

// emptyDirMount mounts the pod's emptyDir volume (see PodTemplate.EmptyDirs), shared by the
// pod's containers and living as long as the pod. A disk one is made world-writable (0777) when
// created and fsGroup then adds the group (2777, as the kubelet); a tmpfs (medium Memory) is
// world-writable (mode 1777) already. NoCopy: the image's files at the mount path never fill it.
func emptyDirMount(ns, set string, ordinal int, v *compose.Volume, m compose.VolumeMount, group *int64) Mount {
	mt := Mount{Type: "volume", Source: identity.EmptyDirName(ns, set, ordinal, v.Name), Target: m.MountPath, ReadOnly: m.ReadOnly, NoCopy: true}
	if v.EmptyDir.Medium != compose.MediumMemory {
		mt.Group = group
	}
	return mt
}

// fsGroup is the pod's securityContext.fsGroup: the group its claim and emptyDir volumes are
// given before a container starts, as the kubelet does (nil: volumes keep their owners).
func (t PodTemplate) fsGroup() *int64 {
	if sc := t.Set.Template.Spec.SecurityContext; sc != nil {
		return sc.FSGroup
	}
	return nil
}

// hostPath is the host directory a mount binds, or "" for a claim.
func (t PodTemplate) hostPath(m compose.VolumeMount) string {
	if m.HostPath != "" {
		return m.HostPath
	}
	for _, v := range t.Set.Template.Spec.Volumes {
		if v.Name == m.Name && v.HostPath != nil {
			return v.HostPath.Path
		}
	}
	return ""
}

func lookupIn(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// expandAll applies $(VAR) expansion to command or args; nil stays nil (the image's default).
func expandAll(list []string, vals map[string]string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i], _ = compose.Expand(a, lookupIn(vals))
	}
	return out
}
