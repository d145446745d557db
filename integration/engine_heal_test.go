//go:build integration

package integration

import (
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
	e := newEngineWith(t, "healevent", orchestrator.Options{Resync: time.Minute})
	e.m.Apply(e.ns, e.testappSet(2, "    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 30}\n"), 2)
	e.waitReady(2, 90*time.Second)
	// Each pod is killed once: its first replacement is immediate (later ones back off).
	for round, pod := range []string{"app-1", "app-0"} {
		old := e.pod(pod)
		tk := time.Now()
		e.killContainer(old.ContainerID)
		e.waitFor(pod+" replaced", 60*time.Second, func(orchestrator.SetStatus) bool {
			p := e.pod(pod)
			return p.ContainerID != "" && p.ContainerID != old.ContainerID
		})
		created, ok := e.firstEvent(tk, orchestrator.EventPodCreated, pod)
		if !ok {
			t.Fatalf("round %d: no PodCreated event for the replacement of %s", round+1, pod)
		}
		if d := created.Time.Sub(tk); d > 3*time.Second {
			t.Errorf("round %d: %s replaced %s after the kill; the die event should have triggered it within a second or two", round+1, pod, d)
		}
		e.waitReady(2, 60*time.Second)
	}
}
