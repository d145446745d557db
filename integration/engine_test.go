//go:build integration

package integration

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator"
)

// These tests prove the StatefulSet engine (orchestrator.Manager over the Docker runtime)
// against the real engine: ordering, per-ordinal volumes, scaling, self-healing, rolling
// updates and ownership, each in its own namespace, asserting on Manager events and Docker
// timestamps rather than on sleeps.

// TestEngineOrderedReadyStart: pod N+1 starts only after pod N became Ready (it may be
// created ahead: TestEngineCreateAheadKeepsTheOrder proves the order from inside the pods).
func TestEngineOrderedReadyStart(t *testing.T) {
	e := newEngine(t, "ordered")
	t0 := time.Now()
	e.m.Apply(e.ns, e.testappSet(3, "    env: {READY_DELAY: 700ms}\n"), 3)
	st := e.waitReady(3, 90*time.Second)

	if got := e.podOrder(t0, orchestrator.EventPodCreated); !slices.Equal(got, []string{"app-0", "app-1", "app-2"}) {
		t.Fatalf("pods created in order %v, want app-0, app-1, app-2", got)
	}
	byName := map[string]orchestrator.PodStatus{}
	for _, p := range st.Pods {
		byName[p.Name] = p
	}
	for _, pair := range [][2]string{{"app-0", "app-1"}, {"app-1", "app-2"}} {
		ready, ok := e.firstEvent(t0, orchestrator.EventPodReady, pair[0])
		if !ok {
			t.Fatalf("no PodReady event for %s", pair[0])
		}
		next := byName[pair[1]]
		// Docker stamps StartedAt once the process runs, so a stamp before Ready is a violation.
		if next.StartedAt.Before(ready.Time) {
			t.Errorf("%s container started at %s, before %s became Ready at %s",
				pair[1], next.StartedAt.Format(time.RFC3339Nano), pair[0], ready.Time.Format(time.RFC3339Nano))
		}
		// READY_DELAY makes a pod unready for 700 ms after it starts; ready must not come earlier.
		prev := byName[pair[0]]
		if ready.Time.Sub(prev.StartedAt) < 700*time.Millisecond {
			t.Errorf("%s Ready %s after start, before its READY_DELAY of 700ms", pair[0], ready.Time.Sub(prev.StartedAt))
		}
	}
	for _, p := range st.Pods {
		if want := e.ns + "-" + p.Name; p.Container != want {
			t.Errorf("pod %s has container %s, want %s", p.Name, p.Container, want)
		}
		if code, body := podHTTP(t, "GET", p.IP, "/hostname", ""); code != 200 || strings.TrimSpace(body) != p.Name {
			t.Errorf("pod %s answers hostname %q (%d)", p.Name, body, code)
		}
	}
}

// TestEnginePerOrdinalVolumes: each ordinal owns a volume whose data survives a kill, a
// removal and a scale down and up.
func TestEnginePerOrdinalVolumes(t *testing.T) {
	e := newEngine(t, "volumes")
	e.m.Apply(e.ns, e.testappSet(3, ""), 3)
	st := e.waitReady(3, 90*time.Second)
	want := []string{e.ns + "_data-app-0", e.ns + "_data-app-1", e.ns + "_data-app-2"}
	if got := e.volumeNames(); !slices.Equal(got, want) {
		t.Fatalf("volumes %v, want %v", got, want)
	}
	for _, p := range st.Pods {
		if code, _ := podHTTP(t, "PUT", p.IP, "/data/who", p.Name); code/100 != 2 {
			t.Fatalf("PUT /data/who on %s: %d", p.Name, code)
		}
	}
	check := func(when string) {
		t.Helper()
		for _, p := range e.status().Pods {
			if code, body := podHTTP(t, "GET", p.IP, "/data/who", ""); code != 200 || body != p.Name {
				t.Errorf("%s: %s reads %q (%d) from its volume, want %q", when, p.Name, body, code, p.Name)
			}
		}
	}

	old := e.pod("app-1")
	e.killContainer(old.ContainerID)
	e.waitFor("app-1 restarted after kill", 60*time.Second, func(st orchestrator.SetStatus) bool {
		p := e.pod("app-1")
		return p.Ready && p.Restarts > old.Restarts && st.Ready == 3
	})
	if p := e.pod("app-1"); p.Restarts != 1 || p.ContainerID != old.ContainerID {
		t.Errorf("restart of app-1: container %.12s restarts %d, want %.12s restarted in place with restarts 1",
			p.ContainerID, p.Restarts, old.ContainerID)
	}
	check("after kill")

	old = e.pod("app-1")
	e.removeContainer(old.ContainerID)
	e.waitFor("app-1 recreated after removal", 60*time.Second, func(st orchestrator.SetStatus) bool {
		p := e.pod("app-1")
		return p.Ready && p.ContainerID != old.ContainerID && st.Ready == 3
	})
	check("after removal")

	if err := e.m.Scale(e.ns, "app", 1); err != nil {
		t.Fatal(err)
	}
	e.waitReady(1, 60*time.Second)
	if got := e.volumeNames(); !slices.Equal(got, want) {
		t.Fatalf("after scale to 1 volumes are %v, want all of %v (whenScaled: Retain)", got, want)
	}
	if err := e.m.Scale(e.ns, "app", 3); err != nil {
		t.Fatal(err)
	}
	e.waitReady(3, 90*time.Second)
	check("after scale 3 -> 1 -> 3")
}

// TestEngineScaleOrder: scale up creates the new ordinals lowest first, scale down removes
// from the highest, one at a time; whenScaled decides about the volumes.
func TestEngineScaleOrder(t *testing.T) {
	for _, policy := range []string{"Retain", "Delete"} {
		t.Run(policy, func(t *testing.T) {
			e := newEngine(t, "scale"+policy)
			set := e.testappSet(3, "    persistentVolumeClaimRetentionPolicy: {whenScaled: "+policy+"}\n")
			e.m.Apply(e.ns, set, 3)
			before := e.waitReady(3, 90*time.Second)

			t0 := time.Now()
			if err := e.m.Scale(e.ns, "app", 5); err != nil {
				t.Fatal(err)
			}
			up := e.waitReady(5, 90*time.Second)
			if got := e.podOrder(t0, orchestrator.EventPodCreated); !slices.Equal(got, []string{"app-3", "app-4"}) {
				t.Fatalf("scale 3 -> 5 created %v, want app-3 then app-4", got)
			}
			if r, ok := e.firstEvent(t0, orchestrator.EventPodReady, "app-3"); !ok || e.pod("app-4").StartedAt.Before(r.Time) {
				t.Errorf("app-4 started at %s before app-3 was Ready (%v)", e.pod("app-4").StartedAt, r.Time)
			}
			for name, id := range podIDs(before) {
				if podIDs(up)[name] != id {
					t.Errorf("scale up touched %s", name)
				}
			}

			t1 := time.Now()
			if err := e.m.Scale(e.ns, "app", 2); err != nil {
				t.Fatal(err)
			}
			down := e.waitReady(2, 90*time.Second)
			if got := e.podOrder(t1, orchestrator.EventPodDeleted); !slices.Equal(got, []string{"app-4", "app-3", "app-2"}) {
				t.Fatalf("scale 5 -> 2 deleted %v, want app-4, app-3, app-2", got)
			}
			for _, name := range []string{"app-0", "app-1"} {
				if podIDs(down)[name] != podIDs(before)[name] {
					t.Errorf("scale down touched %s", name)
				}
			}
			all := []string{e.ns + "_data-app-0", e.ns + "_data-app-1", e.ns + "_data-app-2", e.ns + "_data-app-3", e.ns + "_data-app-4"}
			want := all
			if policy == "Delete" {
				want = all[:2]
				// Volume removal may follow the container removal by a pass.
				deadline := time.Now().Add(30 * time.Second)
				for !slices.Equal(e.volumeNames(), want) && time.Now().Before(deadline) {
					time.Sleep(50 * time.Millisecond)
				}
			}
			if got := e.volumeNames(); !slices.Equal(got, want) {
				t.Errorf("after scale 5 -> 2 with whenScaled %s volumes are %v, want %v", policy, got, want)
			}
			if got := namespaceObjects(t, e.cli, e.ns); slices.ContainsFunc(got, func(s string) bool {
				return strings.Contains(s, "app-2") && strings.HasPrefix(s, "container")
			}) {
				t.Errorf("container of app-2 still exists: %v", got)
			}
		})
	}
}
