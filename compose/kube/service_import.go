package kube

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ordset/ordset/compose"
)

// otherService maps a Service that no set names as its serviceName: one with a selector is
// served as a DNS name over the pods it selects (compose.Service); one without (an
// ExternalName, or endpoints kept by hand) is ignored with a warning.
func (im *importer) otherService(sv *serviceDoc, p *compose.Project) {
	spec := sv.svc.Spec
	if spec.Type == corev1.ServiceTypeExternalName || len(spec.Selector) == 0 {
		im.warn(sv.d, "spec", "ignored: a Service without a selector (ExternalName, manual endpoints) has no pods for ordset to answer")
		return
	}
	out := &compose.Service{Selector: spec.Selector, PublishNotReadyAddresses: spec.PublishNotReadyAddresses,
		Headless: spec.ClusterIP == corev1.ClusterIPNone}
	im.serviceWarnings(sv)
	base := "services." + sv.d.name
	im.at[base] = sv.d.position("metadata.name")
	im.same(base+".selector", sv.d, "spec.selector")
	out.Ports = im.servicePorts(sv, base+".ports")
	if p.Services == nil {
		p.Services = map[string]*compose.Service{}
	}
	p.Services[sv.d.name] = out
}

// servicePorts converts a Service's ports, and records where each field was written so a
// problem found under the ordset path to (services.NAME.ports or statefulsets.NAME.servicePorts)
// names the manifest's line.
func (im *importer) servicePorts(sv *serviceDoc, to string) []compose.ServicePort {
	var out []compose.ServicePort
	for i, sp := range sv.svc.Spec.Ports {
		path := fmt.Sprintf("spec.ports[%d]", i)
		at := fmt.Sprintf("%s[%d]", to, i)
		for _, f := range []string{"", ".name", ".port", ".protocol", ".targetPort"} {
			im.same(at+f, sv.d, path+f)
		}
		out = append(out, compose.ServicePort{Name: sp.Name, Protocol: string(sp.Protocol), Port: int(sp.Port),
			TargetPort: fromIntOrString(sp.TargetPort)})
	}
	return out
}

// serviceWarnings names what of a Service's spec ordset does not do: no virtual IP, no
// node ports or load balancer, no proxy to keep affinity or traffic local. The defaults a
// server writes (clusterIP addresses, ipFamilies, traffic policy Cluster, affinity None) are
// silent, so kubectl get -o yaml output loads without noise.
func (im *importer) serviceWarnings(sv *serviceDoc) {
	spec := sv.svc.Spec
	switch spec.Type {
	case corev1.ServiceTypeNodePort, corev1.ServiceTypeLoadBalancer:
		im.warn(sv.d, "spec.type", "served as a DNS name over the selected pods: there is no %s on one Docker host (publish a port with hostPort)", spec.Type)
	}
	const noProxy = "ignored: there is no proxy (the name answers the pods' own addresses)"
	const noLB = "ignored: there is no load balancer on one Docker host"
	for _, f := range []struct {
		path, why string
		set       bool
	}{
		{"spec.sessionAffinity", noProxy, spec.SessionAffinity == corev1.ServiceAffinityClientIP},
		{"spec.externalIPs", noProxy, len(spec.ExternalIPs) > 0},
		{"spec.externalTrafficPolicy", noProxy, spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal},
		{"spec.internalTrafficPolicy", noProxy, spec.InternalTrafficPolicy != nil && *spec.InternalTrafficPolicy == corev1.ServiceInternalTrafficPolicyLocal},
		{"spec.trafficDistribution", noProxy, spec.TrafficDistribution != nil},
		{"spec.loadBalancerIP", noLB, spec.LoadBalancerIP != ""},
		{"spec.loadBalancerSourceRanges", noLB, len(spec.LoadBalancerSourceRanges) > 0},
		{"spec.loadBalancerClass", noLB, spec.LoadBalancerClass != nil},
	} {
		if f.set {
			im.warn(sv.d, f.path, "%s", f.why)
		}
	}
	for i, sp := range spec.Ports {
		if sp.NodePort != 0 {
			im.warn(sv.d, fmt.Sprintf("spec.ports[%d].nodePort", i), "ignored: there are no node ports (publish a port with hostPort)")
		}
	}
}

func fromIntOrString(v intstr.IntOrString) compose.PortRef {
	if v.Type == intstr.String {
		return compose.PortRef{Name: v.StrVal}
	}
	return compose.PortRef{Number: int(v.IntVal)}
}
