//go:build integration

package docker_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// podSpec is a testapp pod of namespace ns on its network, as the controller would resolve it.
func podSpec(ns string, nw orchestrator.Network, set string, ordinal int) orchestrator.ContainerSpec {
	pod := fmt.Sprintf("%s-%d", set, ordinal)
	return orchestrator.ContainerSpec{
		Name:       ns + "-" + pod,
		Image:      testenv.Image("testapp"),
		Hostname:   pod,
		Domainname: set + "." + ns + ".svc.cluster.local",
		Env:        []string{"POD_NAME=" + pod},
		Labels: map[string]string{
			identity.LabelNamespace: ns, identity.LabelSet: set, identity.LabelOrdinal: fmt.Sprint(ordinal),
			identity.LabelPod: pod, identity.LabelRole: identity.RolePod,
		},
		Network:     nw.Name,
		Aliases:     []string{pod + "." + set},
		DNS:         []string{nw.Gateway},
		DNSSearch:   []string{ns + ".svc.cluster.local", "svc.cluster.local", "cluster.local"},
		DNSOptions:  []string{"ndots:5"},
		StopTimeout: 5 * time.Second,
	}
}

// waitState polls ListContainers until the container reaches want.
func waitState(t *testing.T, rt orchestrator.Runtime, ns, id string, want orchestrator.ContainerState) orchestrator.Container {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		cs, err := rt.ListContainers(context.Background(), ns)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.ID == id && c.State == want {
				return c
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s not %s after 30s: %+v", id, want, cs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
