package kube

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/ordset/ordset/compose"
)

func TestOwnServiceNotes(t *testing.T) {
	tmpl := map[string]string{"app": "kv", "tier": "db"}
	for _, c := range []struct {
		name string
		spec corev1.ServiceSpec
		want []string // "path: words of the message"
	}{
		{"matching", corev1.ServiceSpec{Selector: map[string]string{"app": "kv"}}, nil},
		{"no selector", corev1.ServiceSpec{}, []string{"spec: no selector"}},
		{"other pods", corev1.ServiceSpec{Selector: map[string]string{"app": "web"}}, []string{"spec.selector: selects none"}},
	} {
		got := ownServiceNotes(c.spec, tmpl)
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

// The own Service's ports become servicePorts unless they say only what the containers say;
// a port whose target no container declares is warned at the manifest's field, once.
func TestOwnServicePortsImport(t *testing.T) {
	manifest := func(ports string) string {
		return `apiVersion: v1
kind: Service
metadata: {name: kv}
spec:
  clusterIP: None
  selector: {app: kv}
  ports: ` + ports + `
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kv}
spec:
  serviceName: kv
  selector: {matchLabels: {app: kv}}
  template:
    metadata: {labels: {app: kv}}
    spec:
      containers:
        - name: kv
          image: kv:1
          ports: [{name: kv, containerPort: 6379}, {name: gossip, containerPort: 7946, protocol: UDP}]
`
	}
	for _, c := range []struct {
		name, ports string
		want        []compose.ServicePort
		warn        string
	}{
		{"same as the containers", `[{name: kv, port: 6379}, {name: gossip, port: 7946, protocol: UDP}]`, nil, ""},
		{"chart names", `[{name: tcp-kv, port: 6379, targetPort: kv}]`,
			[]compose.ServicePort{{Name: "tcp-kv", Protocol: "TCP", Port: 6379, TargetPort: compose.PortRef{Name: "kv"}}}, ""},
		{"missing target", `[{name: kv, port: 6379, targetPort: redis}]`,
			[]compose.ServicePort{{Name: "kv", Protocol: "TCP", Port: 6379, TargetPort: compose.PortRef{Name: "redis"}}},
			`probe.yaml:7:46: Service/kv spec.ports[0].targetPort: no container port "redis" (TCP) in the set: _kv has no SRV record`},
		{"wrong protocol", `[{name: gossip, port: 7946, targetPort: gossip}]`,
			[]compose.ServicePort{{Name: "gossip", Protocol: "TCP", Port: 7946, TargetPort: compose.PortRef{Name: "gossip"}}},
			`Service/kv spec.ports[0].targetPort: no container port "gossip" (TCP)`},
	} {
		p, warnings, err := LoadBytes("probe.yaml", []byte(manifest(c.ports)), compose.LoadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := p.StatefulSets["kv"].ServicePorts
		if len(got) != len(c.want) || (len(got) > 0 && !slicesEqual(got, c.want)) {
			t.Errorf("%s: servicePorts %+v, want %+v", c.name, got, c.want)
		}
		var all []string
		for _, w := range warnings {
			all = append(all, w.String())
		}
		for _, w := range p.Warnings {
			all = append(all, w.String())
		}
		n := 0
		for _, w := range all {
			if strings.Contains(w, "SRV") {
				n++
				if c.warn == "" || !strings.Contains(w, c.warn) {
					t.Errorf("%s: warning %q, want %q", c.name, w, c.warn)
				}
			}
		}
		if c.warn != "" && n != 1 {
			t.Errorf("%s: %d SRV warnings in %q, want one", c.name, n, all)
		}
	}
}

func slicesEqual(a, b []compose.ServicePort) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}
