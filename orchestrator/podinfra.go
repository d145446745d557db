package orchestrator

import (
	"fmt"
	"strconv"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// NeedsInfra reports whether the pods of s hold their namespaces in an infrastructure
// container, as Kubernetes' pod sandbox: several containers (or a native sidecar) share one
// network namespace, hostname and IP through it; the pod keeps that IP while one container
// restarts; status.podIP is its address, known before any other container starts; an
// emptyDir lives as long as it does. Every other pod stays one container, the fast path.
func NeedsInfra(s *compose.StatefulSet) bool {
	spec := &s.Template.Spec
	if len(spec.Containers) > 1 || isTrue(spec.ShareProcessNamespace) {
		return true
	}
	for _, v := range spec.Volumes {
		if v.EmptyDir != nil {
			return true
		}
	}
	for _, cs := range [][]compose.Container{spec.InitContainers, spec.Containers} {
		for i := range cs {
			if cs[i].Sidecar() || usesPodIP(&cs[i]) {
				return true
			}
		}
	}
	return false
}

func usesPodIP(c *compose.Container) bool {
	for _, e := range c.Env {
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == compose.FieldPodIP {
			return true
		}
	}
	return false
}

// infraUser is the unprivileged user the infrastructure process runs as (nobody).
const infraUser = "65534:65534"

// Infra builds the infrastructure container of one ordinal from image (the daemon's own
// pause image). It carries what Docker lets only the owner of a network namespace set: the
// hostname, DNS, /etc/hosts lines, published ports of every container, aliases and the
// pod's sysctls; it shares its IPC namespace with the pod's containers.
func (t PodTemplate) Infra(ordinal int, image string, restarts int) ContainerSpec {
	spec := t.base(identity.Container{Ordinal: ordinal, Infra: true, Restarts: restarts})
	spec.Name = identity.ContainerName(t.Namespace, t.Set.Name, ordinal)
	spec.Image = image
	spec.Aliases = t.aliases(ordinal)
	podSpec := &t.Set.Template.Spec
	var long []compose.Container
	for _, ic := range podSpec.InitContainers {
		if ic.Sidecar() {
			long = append(long, ic)
		}
	}
	spec.Ports = t.ports(ordinal, append(long, podSpec.Containers...))
	for _, a := range podSpec.HostAliases {
		for _, h := range a.Hostnames {
			spec.ExtraHosts = append(spec.ExtraHosts, h+":"+a.IP)
		}
	}
	if sc := podSpec.SecurityContext; sc != nil && len(sc.Sysctls) > 0 {
		spec.Sysctls = make(map[string]string, len(sc.Sysctls))
		for _, s := range sc.Sysctls {
			spec.Sysctls[s.Name] = s.Value
		}
	}
	spec.IpcMode = "shareable"
	spec.User = infraUser
	spec.CapDrop = []string{"ALL"}
	spec.ReadonlyRootfs = true
	spec.NoNewPrivileges = true
	spec.MemoryBytes = 16 << 20
	return spec
}

// Member builds app container name of one ordinal, joined to the pod's infrastructure
// container (t.InfraID). restarts and backoff are its own crash-loop counters.
func (t PodTemplate) Member(ordinal int, name string, restarts, backoff int) (ContainerSpec, error) {
	var c *compose.Container
	for i := range t.Set.Template.Spec.Containers {
		if t.Set.Template.Spec.Containers[i].Name == name {
			c = &t.Set.Template.Spec.Containers[i]
		}
	}
	pod := identity.PodName(t.Set.Name, ordinal)
	if c == nil {
		return ContainerSpec{}, fmt.Errorf("pod %s: no container %s", pod, name)
	}
	if t.InfraID == "" {
		return ContainerSpec{}, fmt.Errorf("pod %s: container %s: no infrastructure container to join", pod, name)
	}
	spec := t.base(identity.Container{Ordinal: ordinal, App: name, Restarts: restarts, Backoff: backoff})
	spec.Name = identity.AppContainerName(t.Namespace, t.Set.Name, ordinal, name)
	if err := t.app(&spec, c, ordinal); err != nil {
		return ContainerSpec{}, err
	}
	t.join(&spec)
	return spec, nil
}

// join makes a container a member of the pod's infrastructure container: Docker 20.10 gives
// it that container's network namespace, hostname, resolv.conf and /etc/hosts, and refuses
// any of them set on the member, so they are cleared here (the infra container has them).
func (t PodTemplate) join(spec *ContainerSpec) {
	ns := "container:" + t.InfraID
	spec.Network, spec.IpcMode = ns, ns
	if isTrue(t.Set.Template.Spec.ShareProcessNamespace) {
		spec.PidMode = ns
	}
	spec.Hostname, spec.Domainname = "", ""
	spec.DNS, spec.DNSSearch, spec.DNSOptions = nil, nil, nil
	spec.Aliases, spec.Ports, spec.ExtraHosts, spec.Sysctls = nil, nil, nil, nil
}

// EmptyDirs returns the volumes to create for one pod incarnation's emptyDirs: labelled with
// the infrastructure container's ID (uid), so a later incarnation knows them as stale. A
// Memory medium is a tmpfs the local driver mounts, which every container of the pod shares.
func (t PodTemplate) EmptyDirs(ordinal int, uid string) []VolumeSpec {
	var out []VolumeSpec
	for _, v := range t.Set.Template.Spec.Volumes {
		if v.EmptyDir == nil {
			continue
		}
		vs := VolumeSpec{Name: identity.EmptyDirName(t.Namespace, t.Set.Name, ordinal, v.Name), Driver: "local",
			Labels: identity.EmptyDirLabels(t.Namespace, t.Set.Name, ordinal, v.Name, uid)}
		if v.EmptyDir.Medium == compose.MediumMemory {
			vs.DriverOpts = map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "mode=1777"}
			if size, _ := compose.ParseMemory(v.EmptyDir.SizeLimit); size > 0 { // validated at load
				vs.DriverOpts["o"] += ",size=" + strconv.FormatInt(size, 10)
			}
		} else {
			vs.WorldWritable = true // 0777 as the kubelet's; a tmpfs gets 1777 from its options
		}
		out = append(out, vs)
	}
	return out
}
