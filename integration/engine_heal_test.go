//go:build integration

package integration

import (
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator"
)

// TestEngineKillNoticedByEvent: a killed pod is restarted because Docker said it died, not
// because a probe or the resync found out later. The resync is an hour and the readiness probe
// period too, so within the test's (generous) deadline only the die event can trigger the pass
// that restarts the pod: the test asserts that cause, never how fast it was.
//
// Docker 20.10 emits "die" before its container list shows the container as exited (by
// 40-80 ms, more under load), so a pass that only lists right after the event sees it running.
func TestEngineKillNoticedByEvent(t *testing.T) {
	const never = time.Hour // longer than any deadline below: no resync, no periodic probe
	e := newEngineWith(t, "healevent", orchestrator.Options{Resync: never})
	e.m.Apply(e.ns, e.testappSet(2, "    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 3600}\n"), 2)
	e.waitReady(2, 90*time.Second)
	// Each pod is killed once: its first restart is immediate (later ones back off).
	for round, pod := range []string{"app-1", "app-0"} {
		old := e.pod(pod)
		tk := time.Now()
		e.killContainer(old.ContainerID)
		e.waitFor(pod+" restarted", 60*time.Second, func(orchestrator.SetStatus) bool {
			return e.pod(pod).Restarts > old.Restarts
		})
		if _, ok := e.firstEvent(tk, orchestrator.EventPodRestarted, pod); !ok {
			t.Fatalf("round %d: no PodRestarted event for %s", round+1, pod)
		}
		if p := e.pod(pod); p.ContainerID != old.ContainerID {
			t.Fatalf("round %d: %s runs in container %.12s, want %.12s restarted in place", round+1, pod, p.ContainerID, old.ContainerID)
		}
		e.waitReady(2, 60*time.Second)
	}
}
