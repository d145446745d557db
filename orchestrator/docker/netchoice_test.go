package docker

import (
	"reflect"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"

	"github.com/ordset/ordset/orchestrator/identity"
)

func TestChooseNetwork(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Millisecond)
	for _, tc := range []struct {
		name  string
		cands []netCandidate
		want  netChoice
	}{
		{"none", nil, netChoice{}},
		{"only foreign", []netCandidate{{ID: "f", Created: t0}}, netChoice{}},
		{"single owned", []netCandidate{{ID: "a", Created: t0, Owned: true, Endpoints: -1}}, netChoice{Keep: "a"}},
		{"oldest kept, empty duplicate removed",
			[]netCandidate{{ID: "new", Created: t1, Owned: true}, {ID: "old", Created: t0, Owned: true, Endpoints: 3}},
			netChoice{Keep: "old", Remove: []string{"new"}}},
		{"same creation time: lower ID kept",
			[]netCandidate{{ID: "b", Created: t0, Owned: true}, {ID: "a", Created: t0, Owned: true}},
			netChoice{Keep: "a", Remove: []string{"b"}}},
		{"duplicate with containers is left",
			[]netCandidate{{ID: "a", Created: t0, Owned: true}, {ID: "b", Created: t1, Owned: true, Endpoints: 1}},
			netChoice{Keep: "a", Busy: []string{"b"}}},
		{"uninspected duplicate is left",
			[]netCandidate{{ID: "a", Created: t0, Owned: true}, {ID: "b", Created: t1, Owned: true, Endpoints: -1}},
			netChoice{Keep: "a", Busy: []string{"b"}}},
		{"older foreign network is neither kept nor removed",
			[]netCandidate{{ID: "f", Created: t0}, {ID: "b", Created: t1, Owned: true}, {ID: "c", Created: t1.Add(time.Second), Owned: true}},
			netChoice{Keep: "b", Remove: []string{"c"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := chooseNetwork(tc.cands); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("chooseNetwork = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestNetworkModeName(t *testing.T) {
	id := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	pod := map[string]string{identity.LabelNamespace: "shop"}
	nets := map[string]*network.EndpointSettings{"ordset-shop": {NetworkID: id}}
	for _, tc := range []struct {
		name, mode string
		nets       map[string]*network.EndpointSettings
		labels     map[string]string
		want       string
	}{
		{"attached by ID", id, nets, pod, "ordset-shop"},
		{"created by name (before IDs)", "ordset-shop", nets, pod, "ordset-shop"},
		{"joined", "container:abc", nil, pod, "container:abc"},
		{"network removed by hand", id, nil, pod, "ordset-shop"},
		{"unknown ID without namespace", id, nil, nil, id},
		{"default bridge", "default", nil, pod, "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := networkModeName(tc.mode, tc.nets, tc.labels); got != tc.want {
				t.Fatalf("networkModeName(%q) = %q, want %q", tc.mode, got, tc.want)
			}
		})
	}
}
