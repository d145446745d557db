package daemon

import (
	"context"
	"io"
	"testing"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/server/api"
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

// describe shows how a pod restarted in place last ended, and logs --previous what it wrote
// before its restart.
func TestLastStateOfInPlaceRestart(t *testing.T) {
	rt := fakeruntime.New(nil)
	rt.LogFunc = func(name string, opts orchestrator.LogOptions) string {
		if opts.Until.IsZero() {
			return "first run\nsecond run\n"
		}
		return "first run\n"
	}
	h := start(t, shortDir(t), rt)
	defer h.stop()
	ctx := context.Background()
	h.apply("t1", 1)
	before := h.readyPods("t1", 1)[0]
	rt.Exit(before.Container, 3)
	waitFor(t, "web-0 restarted in place", func() bool {
		p := h.readyPods("t1", 1)[0]
		return p.Restarts == 1 && p.ContainerID == before.ContainerID
	})
	desc, err := h.c.Describe(ctx, "t1", "web-0")
	if err != nil || desc.LastState == nil || desc.LastState.State != "exited" || desc.LastState.ExitCode != 3 {
		t.Fatalf("describe web-0 after an in-place restart: last state %+v, %v; want exited with code 3", desc.LastState, err)
	}
	rc, err := h.c.Logs(ctx, "t1", "web-0", api.LogOptions{Previous: true})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "first run\n" {
		t.Errorf("logs --previous after an in-place restart: %q", b)
	}
}
