package compose

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Service is a Kubernetes Service that is not a set's own (the headless one named by
// serviceName): ordset serves it as a DNS name, <name>.<namespace>.svc.<zone>, that answers
// the addresses of the Ready pods whose labels its selector matches, whichever set they belong
// to. There is no virtual IP and no proxy: a client reaches a pod's address directly, so it
// must connect to the target port; SRV records (_<port name>._<protocol>.<name>...) give it.
type Service struct {
	// Name is the map key under `services`; filled in by Load.
	Name string `yaml:"-" json:"-"`
	// Selector picks pods by label (the template's labels, plus statefulset.kubernetes.io/pod-name
	// and apps.kubernetes.io/pod-index as Kubernetes sets them). It is required.
	Selector map[string]string `yaml:"selector" json:"selector"`
	Ports    []ServicePort     `yaml:"ports,omitempty" json:"ports,omitempty"`
	// PublishNotReadyAddresses answers pods that are not Ready too.
	PublishNotReadyAddresses bool `yaml:"publishNotReadyAddresses,omitempty" json:"publishNotReadyAddresses,omitempty"`
	// Headless is clusterIP: None as written (kept for export; DNS answers alike).
	Headless bool `yaml:"headless,omitempty" json:"headless,omitempty"`
}

// ServicePort is core/v1 ServicePort without node ports: TargetPort is a number or the name of
// a container port of the selected pods, resolved per pod (default: Port).
type ServicePort struct {
	Name       string  `yaml:"name,omitempty" json:"name,omitempty"`
	Protocol   string  `yaml:"protocol,omitempty" json:"protocol"`
	Port       int     `yaml:"port" json:"port"`
	TargetPort PortRef `yaml:"targetPort,omitempty" json:"targetPort"`
}

// Pod labels Kubernetes' StatefulSet controller adds to every pod, which a Service may select.
const (
	LabelPodName  = "statefulset.kubernetes.io/pod-name"
	LabelPodIndex = "apps.kubernetes.io/pod-index"
)

// SelectsPod reports whether the selector matches the pod <set>-<ordinal> of a template with
// labels: every selector label must be there with the same value.
func SelectsPod(selector, labels map[string]string, podName string, ordinal int) bool {
	if len(selector) == 0 {
		return false
	}
	for k, want := range selector {
		var got string
		var ok bool
		switch k {
		case LabelPodName:
			got, ok = podName, true
		case LabelPodIndex:
			got, ok = strconv.Itoa(ordinal), true
		default:
			got, ok = labels[k]
		}
		if !ok || got != want {
			return false
		}
	}
	return true
}

// TargetPortOf resolves a service port's target against a pod's container ports: the number,
// or the port of that name and protocol (ok false when no container declares it).
func TargetPortOf(sp ServicePort, ports []Port) (int, bool) {
	if sp.TargetPort.Name == "" {
		if sp.TargetPort.Number != 0 {
			return sp.TargetPort.Number, true
		}
		return sp.Port, true
	}
	for _, p := range ports {
		if p.Name == sp.TargetPort.Name && (p.Protocol == sp.Protocol || p.Protocol == "" && sp.Protocol == "TCP") {
			return p.ContainerPort, true
		}
	}
	return 0, false
}

func defaultService(sv *Service) { defaultServicePorts(sv.Ports) }

// defaultServicePorts fills what Kubernetes' API server defaults: protocol TCP and a
// targetPort equal to the port.
func defaultServicePorts(ports []ServicePort) {
	for i := range ports {
		sp := &ports[i]
		if sp.Protocol == "" {
			sp.Protocol = "TCP"
		}
		if sp.TargetPort.Name == "" && sp.TargetPort.Number == 0 {
			sp.TargetPort.Number = sp.Port
		}
	}
}

// services checks the project's Services: names, selectors, ports, and that no name is also
// a set's headless service (the two would own the same DNS name).
func (c *checker) services(p *Project) {
	headless := map[string]string{}
	for _, n := range slices.Sorted(maps.Keys(p.StatefulSets)) {
		if s := p.StatefulSets[n]; s != nil {
			headless[s.Service()] = n
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		sv, path := p.Services[name], "services."+name
		c.label(path, name)
		if set, ok := headless[name]; ok {
			c.add(path, "%q is the headless service of statefulset %s; a Service that is not a set's own needs another name", name, set)
		}
		selected := selectedSets(sv.Selector, p)
		switch {
		case len(sv.Selector) == 0:
			c.add(path+".selector", "is required (ordset serves a Service as the pods its selector matches)")
		case len(selected) == 0:
			c.warn(path+".selector", "matches no statefulset's pod template labels: the name answers nothing")
		}
		c.servicePorts(sv.Ports, path+".ports")
		c.portMapping(name, sv.Ports, selected, path+".ports")
	}
}

// selectedSets are the sets (in name order) with at least one pod the selector matches.
func selectedSets(sel map[string]string, p *Project) []*StatefulSet {
	var out []*StatefulSet
	for _, n := range slices.Sorted(maps.Keys(p.StatefulSets)) {
		s := p.StatefulSets[n]
		if s == nil {
			continue
		}
		for o := s.Ordinals.Start; o < s.Ordinals.Start+max(s.ReplicaCount(), 1); o++ {
			if SelectsPod(sel, s.Template.Metadata.Labels, fmt.Sprintf("%s-%d", s.Name, o), o) {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

// portMapping warns where DNS alone cannot do what a cluster's virtual IP does: a port whose
// target differs (clients must connect to the target port, which SRV records give), and a
// named target that no selected pod declares (that port has no SRV record).
func (c *checker) portMapping(svc string, ports []ServicePort, sets []*StatefulSet, path string) {
	for i, sp := range ports {
		pp := fmt.Sprintf("%s[%d].targetPort", path, i)
		targets := map[int]bool{}
		for _, s := range sets {
			if n, ok := TargetPortOf(sp, PodPorts(s)); ok {
				targets[n] = true
			}
		}
		srv := "no SRV record: the port has no name"
		if sp.Name != "" {
			srv = fmt.Sprintf("SRV _%s._%s.%s gives it", sp.Name, strings.ToLower(sp.Protocol), svc)
		}
		switch {
		case len(targets) == 0 && sp.TargetPort.Name != "" && len(sets) > 0:
			c.warn(pp, "no selected pod has a container port named %q: the port is not served", sp.TargetPort.Name)
		case len(targets) > 1 || len(targets) == 1 && !targets[sp.Port]:
			c.warn(pp, "port %d is not remapped to %s: the name answers pod addresses (no virtual IP), so clients connect to %s (%s)",
				sp.Port, joinInts(targets), joinInts(targets), srv)
		}
	}
}

// PodPorts are the container ports of every container of a set's pod (sidecars included):
// what a Service's named targetPort is resolved against.
func PodPorts(s *StatefulSet) []Port {
	var out []Port
	for _, ct := range s.Template.Spec.InitContainers {
		out = append(out, ct.Ports...)
	}
	for _, ct := range s.Template.Spec.Containers {
		out = append(out, ct.Ports...)
	}
	return out
}

func joinInts(set map[int]bool) string {
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(set)) {
		parts = append(parts, strconv.Itoa(n))
	}
	return strings.Join(parts, " or ")
}

func (c *checker) servicePorts(ports []ServicePort, path string) {
	names := map[string]bool{}
	for i, sp := range ports {
		pp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case sp.Name == "" && len(ports) > 1:
			c.add(pp+".name", "is required when a Service has several ports")
		case sp.Name != "" && names[sp.Name]:
			c.add(pp+".name", "duplicate port name %q", sp.Name)
		case sp.Name != "":
			if m := portNameProblem(sp.Name); m != "" {
				c.add(pp+".name", "%s", m)
			}
		}
		names[sp.Name] = true
		c.portRange(pp+".port", sp.Port)
		c.word(pp+".protocol", sp.Protocol, "TCP", "UDP", "SCTP")
		if sp.TargetPort.Name != "" {
			if m := portNameProblem(sp.TargetPort.Name); m != "" {
				c.add(pp+".targetPort", "%s", m)
			}
		} else if sp.TargetPort.Number != sp.Port {
			c.portRange(pp+".targetPort", sp.TargetPort.Number)
		}
	}
}

// ownServiceTargets warns where a set's servicePorts name a target port no container of the
// set declares: that port has no SRV record, as on a cluster.
func (c *checker) ownServiceTargets(s *StatefulSet, path string) {
	ports := PodPorts(s)
	for i, sp := range s.ServicePorts {
		if _, ok := TargetPortOf(sp, ports); !ok {
			c.warn(fmt.Sprintf("%s[%d].targetPort", path, i), "no container port %q (%s) in the set: _%s has no SRV record",
				sp.TargetPort.Name, sp.Protocol, sp.Name)
		}
	}
}

func (c *checker) portRange(path string, v int) {
	if v < 1 || v > 65535 {
		c.add(path, "must be between 1 and 65535, got %d", v)
	}
}
