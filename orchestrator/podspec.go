package orchestrator

import (
	"fmt"
	"strconv"
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
	// Network is the namespace network the pods join.
	Network string
	// DNSServer is the IP of ordset's DNS listener on that network (its gateway); "" keeps Docker's.
	DNSServer string
	// Zone is the cluster DNS zone (default cluster.local).
	Zone string
	// ExtraLabels are added to every container (e.g. a test marker); identity labels win.
	ExtraLabels map[string]string
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
	s := t.Set
	spec := t.base(ordinal, restarts, backoff, "")
	spec.Name = identity.ContainerName(t.Namespace, s.Name, ordinal)
	spec.Image = s.Image
	spec.Entrypoint, spec.Cmd = s.Command, s.Args
	spec.WorkingDir, spec.User = s.WorkingDir, s.User
	spec.Env = podEnv(t.Namespace, s.Name, ordinal, s.Env)
	spec.Mounts = t.mounts(ordinal, s.VolumeMounts)
	// Docker's resolver answers aliases itself, whatever the readiness: only per-pod names are
	// aliased, so service names stay with ordset's readiness-aware DNS.
	pod, svc := identity.PodName(s.Name, ordinal), t.service()
	spec.Aliases = []string{pod, pod + "." + svc, pod + "." + svc + "." + t.Namespace,
		identity.PodFQDN(s.Name, ordinal, svc, t.Namespace, t.zone())}
	for _, p := range s.Ports {
		b := PortBinding{ContainerPort: p.ContainerPort, Protocol: strings.ToLower(orDefault(p.Protocol, "tcp"))}
		if p.HostPort > 0 {
			b.HostIP = orDefault(p.HostIP, "127.0.0.1")
			b.HostPort = p.HostPort + ordinal - s.Ordinals.Start
		}
		spec.Ports = append(spec.Ports, b)
	}
	if q := s.Resources.Limits["cpu"]; q != "" {
		m, err := compose.ParseCPU(q)
		if err != nil {
			return ContainerSpec{}, fmt.Errorf("pod %s: cpu limit: %w", pod, err)
		}
		spec.NanoCPUs = m * 1_000_000
	}
	if q := s.Resources.Limits["memory"]; q != "" {
		b, err := compose.ParseMemory(q)
		if err != nil {
			return ContainerSpec{}, fmt.Errorf("pod %s: memory limit: %w", pod, err)
		}
		spec.MemoryBytes = b
	}
	spec.UseImageHealthcheck = s.ReadinessProbe == nil
	return spec, nil
}

// Init builds init container i of one ordinal; it inherits the set's image when it names none.
func (t PodTemplate) Init(ordinal, i, restarts, backoff int) (ContainerSpec, error) {
	s := t.Set
	if i < 0 || i >= len(s.InitContainers) {
		return ContainerSpec{}, fmt.Errorf("pod %s: no init container %d", identity.PodName(s.Name, ordinal), i)
	}
	ic := s.InitContainers[i]
	spec := t.base(ordinal, restarts, backoff, ic.Name)
	spec.Name = identity.InitContainerName(t.Namespace, s.Name, ordinal, ic.Name)
	spec.Image, _ = s.ImageOf(i)
	spec.Entrypoint, spec.Cmd = ic.Command, ic.Args
	spec.WorkingDir, spec.User = ic.WorkingDir, ic.User
	spec.Env = podEnv(t.Namespace, s.Name, ordinal, ic.Env)
	spec.Mounts = t.mounts(ordinal, ic.VolumeMounts)
	return spec, nil
}

// PullPolicy returns the image and pull policy of the main container (init < 0) or an init container.
func (t PodTemplate) PullPolicy(init int) (image, policy string) { return t.Set.ImageOf(init) }

// base fills what main and init containers share: identity, labels, network, DNS, grace.
func (t PodTemplate) base(ordinal, restarts, backoff int, init string) ContainerSpec {
	s := t.Set
	l := identity.ContainerLabels(identity.Container{Namespace: t.Namespace, Set: s.Name, Service: t.service(),
		Revision: t.Revision, Ordinal: ordinal, Init: init, Restarts: restarts, Backoff: backoff}, t.ExtraLabels)
	spec := ContainerSpec{
		Hostname:    identity.Hostname(s.Name, ordinal),
		Domainname:  identity.Domainname(t.service(), t.Namespace, t.zone()),
		Labels:      l,
		Network:     t.Network,
		StopTimeout: s.GracePeriod(),
	}
	if t.DNSServer != "" {
		z := t.zone()
		spec.DNS = []string{t.DNSServer}
		spec.DNSSearch = []string{t.Namespace + ".svc." + z, "svc." + z, z}
		spec.DNSOptions = []string{"ndots:5"}
	}
	return spec
}

// mounts resolves claim mounts to the ordinal's volume and keeps binds (absolute after Load).
func (t PodTemplate) mounts(ordinal int, ms []compose.VolumeMount) []Mount {
	var out []Mount
	for _, m := range ms {
		if m.HostPath != "" {
			out = append(out, Mount{Type: "bind", Source: m.HostPath, Target: m.MountPath, ReadOnly: m.ReadOnly})
			continue
		}
		out = append(out, Mount{Type: "volume", Source: identity.VolumeName(t.Namespace, m.Name, t.Set.Name, ordinal),
			Target: m.MountPath, ReadOnly: m.ReadOnly})
	}
	return out
}

// podEnv puts the identity variables first, then the user's, dropping an identity variable the
// user sets: user env wins on a clash.
func podEnv(namespace, set string, ordinal int, user compose.EnvList) []string {
	userSet := map[string]bool{}
	for _, e := range user {
		userSet[e.Name] = true
	}
	var env []string
	for _, kv := range [][2]string{{"POD_NAME", identity.PodName(set, ordinal)}, {"POD_NAMESPACE", namespace},
		{"POD_ORDINAL", strconv.Itoa(ordinal)}} {
		if !userSet[kv[0]] {
			env = append(env, kv[0]+"="+kv[1])
		}
	}
	for _, e := range user {
		env = append(env, e.Name+"="+e.Value)
	}
	return env
}
