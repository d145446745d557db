package kube

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/ordset/ordset/compose"
)

// fieldNote is a warning about one field of a manifest object.
type fieldNote struct{ path, message string }

// ownServiceNotes compares a set's own (governing) Service with the set: ordset serves that
// Service from the set itself (every pod by its serviceName, SRV records named after the
// Service's named ports), so where the Service's selector says otherwise a cluster and ordset
// differ, and the user is told where. (A port whose target no container declares is the
// loader's warning on servicePorts, named at the manifest's field.)
func ownServiceNotes(spec corev1.ServiceSpec, template map[string]string) []fieldNote {
	var out []fieldNote
	switch {
	case len(spec.Selector) == 0:
		out = append(out, fieldNote{"spec", "the set's own Service has no selector: on a cluster its pods get no DNS names; ordset names them anyway"})
	case !labels.SelectorFromSet(spec.Selector).Matches(labels.Set(template)):
		out = append(out, fieldNote{"spec.selector", fmt.Sprintf("selects none of the set's pods (template labels {%s}): on a cluster they get no DNS names; ordset names them anyway", labels.Set(template))})
	}
	return out
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
