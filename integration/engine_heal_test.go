//go:build integration

package integration

import (
	"os"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator"
)

// TestEngineKillNoticedByEvent: a killed pod is replaced because Docker said it died, not
// because a probe or the resync found out later. The readiness probe is slow (30 s period) and
// the resync long, so only the die event can explain a fast replacement.
//
// Docker 20.10 emits "die" before its container list shows the container as exited (by
// 40-80 ms, more under load), so a pass that only lists right after the event sees it running.
func TestEngineKillNoticedByEvent(t *testing.T) {
	if os.Getenv("ORDSET_TEST_KNOWN_BUGS") == "" {
		t.Skip("known bug: the pass a die event triggers lists the container as still running, and no " +
			"later event follows; the replacement waits for the resync or a probe failure (set ORDSET_TEST_KNOWN_BUGS=1 " +
			"to run; remove this skip with the fix)")
	}
	e := newEngineWith(t, "healevent", orchestrator.Options{Resync: time.Minute})
	e.m.Apply(e.ns, e.testappSet(2, "    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 30}\n"), 2)
	e.waitReady(2, 90*time.Second)
	for round := range 3 {
		old := e.pod("app-1")
		tk := time.Now()
		e.killContainer(old.ContainerID)
		e.waitFor("app-1 replaced", 60*time.Second, func(orchestrator.SetStatus) bool {
			p := e.pod("app-1")
			return p.ContainerID != "" && p.ContainerID != old.ContainerID
		})
		created, ok := e.firstEvent(tk, orchestrator.EventPodCreated, "app-1")
		if !ok {
			t.Fatalf("round %d: no PodCreated event for the replacement of app-1", round+1)
		}
		if d := created.Time.Sub(tk); d > 3*time.Second {
			t.Errorf("round %d: app-1 replaced %s after the kill; the die event should have triggered it within a second or two", round+1, d)
		}
		e.waitReady(2, 60*time.Second)
	}
}
