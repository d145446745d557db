package daemon

import (
	"context"
	"testing"

	"github.com/ordset/ordset/orchestrator/fakeruntime"
)

// A pod restarted in place counts its restarts in `ps` (its container's labels cannot), also
// after the daemon restarts: the counters are in the store.
func TestRestartsOfInPlaceRestartSurviveDaemonRestart(t *testing.T) {
	rt := fakeruntime.New(nil)
	dir := shortDir(t)
	h := start(t, dir, rt)
	h.apply("t1", 1)
	before := h.readyPods("t1", 1)[0]
	rt.Exit(before.Container, 1)
	waitFor(t, "web-0 restarted in place", func() bool {
		p := h.readyPods("t1", 1)[0]
		return p.Restarts == 1 && p.ContainerID == before.ContainerID
	})
	h.stop()

	h = start(t, dir, rt)
	defer h.stop()
	pods, err := h.c.Pods(context.Background(), "t1")
	if err != nil {
		t.Fatal(err)
	}
	if len(pods) != 1 || pods[0].Restarts != 1 || pods[0].ContainerID != before.ContainerID {
		t.Fatalf("pods after the daemon restarted: %+v; want web-0 in its container with 1 restart", pods)
	}
}
