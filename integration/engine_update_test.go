//go:build integration

package integration

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator"
)

// TestEngineRollingUpdate: a template change recreates pods from the highest ordinal down,
// each Ready before the next; a partition keeps the lower ordinals; OnDelete changes a pod
// only when it is deleted.
func TestEngineRollingUpdate(t *testing.T) {
	e := newEngine(t, "rolling")
	e.m.Apply(e.ns, e.testappSet(3, "    env: {V: \"1\"}\n"), 3)
	e.waitReady(3, 90*time.Second)

	envOf := func(pod string) string {
		t.Helper()
		code, body := podHTTP(t, "GET", e.pod(pod).IP, "/env/V", "")
		if code != 200 {
			t.Fatalf("GET /env/V on %s: %d", pod, code)
		}
		return strings.TrimSpace(body)
	}
	atRevision := func(st orchestrator.SetStatus, pods ...string) bool {
		for _, p := range st.Pods {
			if slices.Contains(pods, p.Name) && (p.Revision != st.Revision || !p.Ready) {
				return false
			}
		}
		return st.Ready == 3
	}

	// RollingUpdate, partition 0: 2, 1, 0.
	t0 := time.Now()
	e.m.Apply(e.ns, e.testappSet(3, "    env: {V: \"2\"}\n"), 3)
	e.waitReady(3, 120*time.Second)
	if got := e.podOrder(t0, orchestrator.EventPodCreated); !slices.Equal(got, []string{"app-2", "app-1", "app-0"}) {
		t.Fatalf("rolling update recreated %v, want app-2, app-1, app-0", got)
	}
	for _, pair := range [][2]string{{"app-2", "app-1"}, {"app-1", "app-0"}} {
		ready, ok := e.firstEvent(t0, orchestrator.EventPodReady, pair[0])
		if !ok {
			t.Fatalf("no PodReady for updated %s", pair[0])
		}
		if c := e.pod(pair[1]).CreatedAt; c.Before(ready.Time) {
			t.Errorf("updated %s created at %s, before updated %s was Ready at %s", pair[1], c, pair[0], ready.Time)
		}
	}
	for _, p := range []string{"app-0", "app-1", "app-2"} {
		if v := envOf(p); v != "2" {
			t.Errorf("%s runs with V=%s after the update, want 2", p, v)
		}
	}

	// Partition 1: only 2 and 1 move to the new revision.
	keep := e.pod("app-0")
	t1 := time.Now()
	e.m.Apply(e.ns, e.testappSet(3, "    env: {V: \"3\"}\n    updateStrategy: {type: RollingUpdate, partition: 1}\n"), 3)
	e.waitFor("app-2 and app-1 updated", 120*time.Second, func(st orchestrator.SetStatus) bool {
		return atRevision(st, "app-2", "app-1") && st.Revision != keep.Revision
	})
	e.holds("app-0 below the partition stays", 3*time.Second, func(orchestrator.SetStatus) bool {
		p := e.pod("app-0")
		return p.ContainerID == keep.ContainerID && p.Revision == keep.Revision
	})
	if got := e.podOrder(t1, orchestrator.EventPodCreated); !slices.Equal(got, []string{"app-2", "app-1"}) {
		t.Fatalf("partitioned update recreated %v, want app-2, app-1", got)
	}
	if v := envOf("app-0"); v != "2" {
		t.Errorf("app-0 below the partition runs V=%s, want the old 2", v)
	}

	// OnDelete: nothing moves until a pod is deleted; then only that pod is updated.
	before := podIDs(e.status())
	e.m.Apply(e.ns, e.testappSet(3, "    env: {V: \"4\"}\n    updateStrategy: {type: OnDelete}\n"), 3)
	e.holds("OnDelete leaves every pod alone", 3*time.Second, func(st orchestrator.SetStatus) bool {
		return maps.Equal(podIDs(st), before)
	})
	e.removeContainer(before["app-1"])
	st := e.waitFor("deleted app-1 recreated at the new revision", 60*time.Second, func(st orchestrator.SetStatus) bool {
		p := e.pod("app-1")
		return p.ContainerID != before["app-1"] && p.Ready && p.Revision == st.Revision && st.Ready == 3
	})
	if now := podIDs(st); now["app-0"] != before["app-0"] || now["app-2"] != before["app-2"] {
		t.Errorf("OnDelete touched pods nobody deleted: before %v, after %v", before, now)
	}
	if v := envOf("app-1"); v != "4" {
		t.Errorf("recreated app-1 runs V=%s, want 4", v)
	}
	if v := envOf("app-2"); v != "3" {
		t.Errorf("app-2 runs V=%s under OnDelete, want its old 3", v)
	}
}
