package kube

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ordset/ordset/compose"
)

// fieldNote is a warning about one field of a manifest object.
type fieldNote struct{ path, message string }

// ownServiceNotes compares a set's own (governing) Service with the set: ordset serves that
// Service from the set itself (every pod by its serviceName, SRV records named after the
// Service's named ports), so where the Service says otherwise a cluster and ordset differ,
// and the user is told where.
func ownServiceNotes(spec corev1.ServiceSpec, template map[string]string, ports []compose.Port) []fieldNote {
	var out []fieldNote
	switch {
	case len(spec.Selector) == 0:
		out = append(out, fieldNote{"spec", "the set's own Service has no selector: on a cluster its pods get no DNS names; ordset names them anyway"})
	case !labels.SelectorFromSet(spec.Selector).Matches(labels.Set(template)):
		out = append(out, fieldNote{"spec.selector", fmt.Sprintf("selects none of the set's pods (template labels {%s}): on a cluster they get no DNS names; ordset names them anyway", labels.Set(template))})
	}
	for i, sp := range spec.Ports {
		if sp.Name == "" {
			continue // no SRV record on either side
		}
		if _, ok := targetPort(sp, ports); !ok {
			out = append(out, fieldNote{fmt.Sprintf("spec.ports[%d].targetPort", i),
				fmt.Sprintf("no container port %s in the set: _%s has no SRV record", sp.TargetPort.String(), sp.Name)})
		}
	}
	return out
}

// targetPort is the container port a Service port sends to: targetPort by name or number,
// else the port's own number, with the same protocol.
func targetPort(sp corev1.ServicePort, ports []compose.Port) (compose.Port, bool) {
	proto := protocolOf(string(sp.Protocol))
	for _, p := range ports {
		if protocolOf(p.Protocol) != proto {
			continue
		}
		switch {
		case sp.TargetPort.Type == intstr.String && sp.TargetPort.StrVal != "":
			if p.Name == sp.TargetPort.StrVal {
				return p, true
			}
		case sp.TargetPort.IntVal != 0:
			if p.ContainerPort == int(sp.TargetPort.IntVal) {
				return p, true
			}
		case p.ContainerPort == int(sp.Port):
			return p, true
		}
	}
	return compose.Port{}, false
}

func protocolOf(p string) string {
	if p == "" {
		return "TCP"
	}
	return strings.ToUpper(p)
}

// sameServicePorts reports whether two port lists are equal once defaulted (protocol TCP,
// targetPort the port): a set's own Service that says only what its containers say is left
// out of the ordset form, so export and import round-trip.
func sameServicePorts(a, b []compose.ServicePort) bool {
	return slices.Equal(defaulted(a), defaulted(b))
}

func defaulted(ports []compose.ServicePort) []compose.ServicePort {
	out := make([]compose.ServicePort, len(ports))
	for i, sp := range ports {
		sp.Protocol = protocolOf(sp.Protocol)
		if sp.TargetPort.Name == "" && sp.TargetPort.Number == 0 {
			sp.TargetPort.Number = sp.Port
		}
		out[i] = sp
	}
	return out
}
