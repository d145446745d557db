//go:build integration

package docker_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
)

// TestListContainersLatency measures one observe pass over 10 running pods: the first (every
// container inspected once) and steady ones (one list call), beside the naive list+inspect-all.
func TestListContainersLatency(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ctx := testCtx(t)
	rt := testenv.Runtime(t)
	cli := testenv.Docker(t)
	ns := testenv.UniqueNamespace(t, "lat")
	nw, err := rt.EnsureNetwork(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	const pods = 10
	var ids []string
	for i := range pods {
		id, err := rt.CreateContainer(ctx, podSpec(ns, nw, "web", i))
		if err != nil {
			t.Fatal(err)
		}
		if err := rt.StartContainer(ctx, id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	for _, id := range ids {
		waitState(t, rt, ns, id, orchestrator.StateRunning)
	}

	fresh := testenv.Runtime(t) // empty cache
	fresh.APIVersion(ctx)       // negotiate outside the measurement
	start := time.Now()
	cs, err := fresh.ListContainers(ctx, ns)
	cold := time.Since(start)
	if err != nil || len(cs) != pods {
		t.Fatalf("ListContainers = %d containers, %v", len(cs), err)
	}
	ips := map[string]bool{}
	for _, c := range cs {
		if c.State != orchestrator.StateRunning || c.IP == "" || c.StartedAt.IsZero() || c.CreatedAt.IsZero() {
			t.Fatalf("incomplete observation %+v", c)
		}
		ips[c.IP] = true
	}
	if len(ips) != pods {
		t.Fatalf("IPs not distinct: %v", ips)
	}

	warm := measure(t, 30, func() {
		if _, err := fresh.ListContainers(ctx, ns); err != nil {
			t.Fatal(err)
		}
	})
	naive := measure(t, 10, func() {
		list, err := cli.ContainerList(ctx, container.ListOptions{All: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range list {
			if slices.Contains(ids, s.ID) {
				if _, err := cli.ContainerInspect(ctx, s.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
	t.Logf("ListContainers with %d pods: first pass %v, steady pass median %v; list+inspect-all median %v (%.1fx)",
		pods, cold.Round(time.Microsecond), warm.Round(time.Microsecond), naive.Round(time.Microsecond),
		float64(naive)/float64(warm))
	if warm > 50*time.Millisecond {
		t.Errorf("steady ListContainers pass took %v, want a few ms", warm)
	}

	// A restart behind ordset's back must still be observed with its new StartedAt.
	before := cs[0]
	if err := cli.ContainerRestart(ctx, before.ID, container.StopOptions{}); err != nil {
		t.Fatal(err)
	}
	after, err := fresh.ListContainers(context.Background(), ns)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range after {
		if c.ID == before.ID && !c.StartedAt.After(before.StartedAt) {
			t.Fatalf("restart not observed: StartedAt %v, before %v", c.StartedAt, before.StartedAt)
		}
	}
}

func measure(t *testing.T, n int, f func()) time.Duration {
	t.Helper()
	d := make([]time.Duration, n)
	for i := range d {
		start := time.Now()
		f()
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d[n/2]
}
