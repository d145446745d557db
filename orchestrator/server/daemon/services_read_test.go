package daemon

import (
	"strconv"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// serviceList: a set's own Service answers its Ready pods (by servicePorts' names when set);
// a selecting Service answers the Ready pods of any set its selector matches; deleting sets
// and pods without an address are left out; sorted by namespace and name.
func TestServiceList(t *testing.T) {
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	spec := func(name string, labels map[string]string, svcPorts []compose.ServicePort) *compose.StatefulSet {
		return &compose.StatefulSet{Name: name, ServiceName: name, ServicePorts: svcPorts,
			Template: compose.PodTemplateSpec{Metadata: compose.PodMetadata{Labels: labels},
				Spec: compose.PodSpec{Containers: []compose.Container{{Name: name, Ports: []compose.Port{{Name: "kv", ContainerPort: 6379, Protocol: "TCP"}}}}}}}
	}
	chart := []compose.ServicePort{{Name: "tcp-kv", Protocol: "TCP", Port: 6379, TargetPort: compose.PortRef{Name: "kv"}}}
	stored := []store.Set{
		{Namespace: "demo", Name: "kv", Spec: spec("kv", map[string]string{"app": "kv"}, chart), CreatedAt: created},
		{Namespace: "demo", Name: "plain", Spec: spec("plain", map[string]string{"app": "plain"}, nil), CreatedAt: created},
		{Namespace: "demo", Name: "gone", Spec: spec("gone", map[string]string{"app": "kv"}, nil), Deleting: &store.Deletion{}},
	}
	sets := []api.StatefulSet{
		{Namespace: "demo", Name: "kv", Pods: []api.Pod{{Name: "kv-0", IP: "10.0.0.2", Ready: true}, {Name: "kv-1", IP: "10.0.0.3", Ordinal: 1}, {Name: "kv-2", Ordinal: 2, Ready: true}}},
		{Namespace: "demo", Name: "plain", Pods: []api.Pod{{Name: "plain-0", IP: "10.0.0.9", Ready: true}}},
		{Namespace: "demo", Name: "gone", Pods: []api.Pod{{Name: "gone-0", IP: "10.0.0.7", Ready: true}}},
	}
	others := map[string]map[string]*compose.Service{"demo": {"cache": {Selector: map[string]string{"app": "kv"},
		Ports: []compose.ServicePort{{Name: "redis", Protocol: "TCP", Port: 80, TargetPort: compose.PortRef{Name: "kv"}}}}}}

	got := serviceList(stored, sets, others)
	type row struct {
		name, typ string
		eps       []string // pod=port
	}
	want := []row{
		{"cache", "ClusterIP", []string{"kv-0=6379"}},
		{"kv", "Headless", []string{"kv-0=6379"}},
		{"plain", "Headless", []string{"plain-0=6379"}},
	}
	if len(got) != len(want) {
		t.Fatalf("services %+v, want %d", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		var eps []string
		for _, ep := range g.Endpoints {
			for _, port := range ep.Ports {
				eps = append(eps, ep.Pod+"="+strconv.Itoa(port))
			}
		}
		if g.Name != w.name || g.Type != w.typ || len(eps) != len(w.eps) || (len(eps) > 0 && eps[0] != w.eps[0]) {
			t.Errorf("service %d = %s %s %v, want %s %s %v", i, g.Name, g.Type, eps, w.name, w.typ, w.eps)
		}
	}
	if kv := got[1]; kv.Ports[0].Name != "tcp-kv" || kv.Endpoints[0].Ports["tcp-kv"] != 6379 || !kv.CreatedAt.Equal(created) || kv.StatefulSet != "kv" {
		t.Errorf("kv's own Service %+v: want servicePorts' names, the set's age and owner", kv)
	}
	if plain := got[2]; len(plain.Ports) != 1 || plain.Ports[0].Name != "kv" {
		t.Errorf("a set without servicePorts: ports %+v, want the container's kv", plain.Ports)
	}
}
