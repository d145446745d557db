package daemon

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/server/api"
)

// previousNames lists the fake engine's kept previous containers of one pod container.
func previousNames(rt *fakeruntime.Runtime, container string) []string {
	var out []string
	for _, n := range rt.ContainerNames() {
		if strings.HasPrefix(n, container+".previous-") {
			out = append(out, n)
		}
	}
	return out
}

// logs --previous reads the pod's last crashed container, kept beside its replacement (a
// crashed container that cannot start again in place is replaced); a pod that never crashed,
// or was deleted since, has none (kubectl's words).
func TestLogsPrevious(t *testing.T) {
	rt := fakeruntime.New(nil)
	h := start(t, shortDir(t), rt)
	ctx := context.Background()
	h.apply("t1", 1)
	h.readyPods("t1", 1)
	_, err := h.c.Logs(ctx, "t1", "web-0", api.LogOptions{Previous: true})
	if !errors.Is(err, api.ErrNotFound) || !strings.Contains(err.Error(), `previous terminated container in pod "web-0" not found`) {
		t.Fatalf("logs --previous before any crash: %v", err)
	}

	rt.FailOnce("StartContainer", "t1-web-0", errors.New("cannot start"))
	rt.Exit("t1-web-0", 1)
	waitFor(t, "the crashed container kept as previous", func() bool { return len(previousNames(rt, "t1-web-0")) == 1 })
	h.readyPods("t1", 1)
	rt.ResetCalls()
	rc, err := h.c.Logs(ctx, "t1", "web-0", api.LogOptions{Previous: true})
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, rc)
	rc.Close()
	kept := previousNames(rt, "t1-web-0")
	if calls := rt.CallsTo("Logs"); !slices.Equal(calls, kept) {
		t.Fatalf("logs --previous read %v, want the previous container %v", calls, kept)
	}
	desc, err := h.c.Describe(ctx, "t1", "web-0")
	if err != nil || desc.LastState == nil || desc.LastState.State != "exited" || desc.LastState.ExitCode != 1 {
		t.Errorf("describe web-0 after a crash: last state %+v, %v; want exited with code 1", desc.LastState, err)
	}

	if _, err := h.c.Logs(ctx, "t1", "web-0", api.LogOptions{Previous: true, Container: "sidecar"}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("logs --previous of a container the pod does not have: %v", err)
	}

	before := h.readyPods("t1", 1)[0].ContainerID
	if err := h.c.DeletePod(ctx, api.DeletePodRequest{Namespace: "t1", Pod: "web-0"}); err != nil {
		t.Fatal(err)
	}
	if left := previousNames(rt, "t1-web-0"); len(left) != 0 {
		t.Errorf("delete pod left its previous container %v", left)
	}
	// Ready again in its new container (the status read right after the delete may still be
	// the last pass's, which saw the old one).
	waitFor(t, "web-0 Ready in a new container", func() bool {
		return h.readyPods("t1", 1)[0].ContainerID != before
	})
	rt.FailOnce("StartContainer", "t1-web-0", errors.New("cannot start"))
	rt.Exit("t1-web-0", 1) // a deleted pod is a new pod: its first crash is restarted at once
	waitFor(t, "a previous container again", func() bool {
		now := previousNames(rt, "t1-web-0")
		return len(now) == 1 && now[0] != kept[0]
	})
	if _, err := h.c.Delete(ctx, api.DeleteRequest{Namespace: "t1"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "down removes every container, the previous one too", func() bool { return len(rt.ContainerNames()) == 0 })
}

// A container started again in place (no kept previous container) keeps one log: what it
// wrote before its current start is its previous run's output.
func TestLogsPreviousOfContainerStartedInPlace(t *testing.T) {
	rt := fakeruntime.New(nil)
	rt.LogFunc = func(name string, opts orchestrator.LogOptions) string {
		if opts.Until.IsZero() {
			return "earlier run\ncurrent run\n"
		}
		return "earlier run\n"
	}
	dir := shortDir(t)
	h := start(t, dir, rt)
	ctx := context.Background()
	h.apply("t1", 1)
	pods := h.readyPods("t1", 1)
	if _, err := h.c.Logs(ctx, "t1", "web-0", api.LogOptions{Previous: true}); !errors.Is(err, api.ErrNotFound) {
		t.Fatalf("logs --previous of a container that never exited: %v", err)
	}
	h.stop() // started again in place behind the daemon's back, as "docker restart" does
	rt.Exit(pods[0].Container, 0)
	if err := rt.StartContainer(ctx, pods[0].ContainerID); err != nil {
		t.Fatal(err)
	}
	h = start(t, dir, rt)
	h.readyPods("t1", 1)
	rt.ResetCalls()
	rc, err := h.c.Logs(ctx, "t1", "web-0", api.LogOptions{Previous: true})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "earlier run\n" {
		t.Errorf("logs --previous of a container started in place: %q", b)
	}
	c, _ := rt.Container(pods[0].Container)
	if calls := rt.CallsTo("Logs"); len(calls) != 1 || calls[0] != c.Name {
		t.Errorf("logs read %v, want the pod's own container once", calls)
	}
}
