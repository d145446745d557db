package kube

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ordset/ordset/compose"
)

func TestOwnServiceNotes(t *testing.T) {
	tmpl := map[string]string{"app": "kv", "tier": "db"}
	ports := []compose.Port{{Name: "kv", ContainerPort: 6379}, {ContainerPort: 9121}, {Name: "gossip", ContainerPort: 7946, Protocol: "UDP"}}
	sel := map[string]string{"app": "kv"}
	port := func(name string, p int32, target intstr.IntOrString, proto corev1.Protocol) corev1.ServicePort {
		return corev1.ServicePort{Name: name, Port: p, TargetPort: target, Protocol: proto}
	}
	for _, c := range []struct {
		name string
		spec corev1.ServiceSpec
		want []string // "path: words of the message"
	}{
		{"matching", corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{port("kv", 6379, intstr.FromString("kv"), ""), port("gossip", 7946, intstr.IntOrString{}, corev1.ProtocolUDP)}}, nil},
		{"unnamed port", corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{port("", 9121, intstr.IntOrString{}, "")}}, nil},
		{"no selector", corev1.ServiceSpec{}, []string{"spec: no selector"}},
		{"other pods", corev1.ServiceSpec{Selector: map[string]string{"app": "web"}}, []string{"spec.selector: selects none"}},
		{"chart port name", corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{port("tcp-kv", 6379, intstr.FromString("kv"), "TCP")}}, nil}, // SRV _tcp-kv, as on a cluster
		{"by number", corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{port("redis", 80, intstr.FromInt32(6379), "")}}, nil},
		{"target unnamed", corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{port("metrics", 9121, intstr.IntOrString{}, "")}}, nil},
		{"missing target", corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{port("kv", 6379, intstr.FromString("redis"), "")}}, []string{"spec.ports[0].targetPort: no container port redis"}},
		{"wrong protocol", corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{port("gossip", 7946, intstr.IntOrString{}, "")}}, []string{"spec.ports[0].targetPort: no container port"}},
	} {
		got := ownServiceNotes(c.spec, tmpl, ports)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d notes %v, want %d %v", c.name, len(got), got, len(c.want), c.want)
			continue
		}
		for i, w := range c.want {
			path, words, _ := strings.Cut(w, ": ")
			if got[i].path != path || !strings.Contains(got[i].message, words) {
				t.Errorf("%s: note %d = %s: %s, want %s: ...%s...", c.name, i, got[i].path, got[i].message, path, words)
			}
		}
	}
}
