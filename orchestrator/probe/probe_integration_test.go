//go:build integration

package probe_test

import (
	"context"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/probe"
)

// TestWorkerAgainstContainer probes a real testapp pod whose /ready turns 200 after
// READY_DELAY, over its network IP (httpGet) and through docker exec, and reports how long
// after the application became ready the worker said so.
func TestWorkerAgainstContainer(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rt := testenv.Runtime(t)
	ns := testenv.UniqueNamespace(t, "probe")
	nw, err := rt.EnsureNetwork(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	const readyDelay = 1500 * time.Millisecond
	id, err := rt.CreateContainer(ctx, orchestrator.ContainerSpec{
		Name: ns + "-web-0", Image: testenv.Image("testapp"), Network: nw.Name,
		Env:    []string{"READY_DELAY=" + readyDelay.String()},
		Labels: map[string]string{identity.LabelNamespace: ns, identity.LabelPod: "web-0", identity.LabelRole: identity.RolePod},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	c, err := rt.InspectContainer(ctx, id)
	if err != nil || c.IP == "" {
		t.Fatalf("inspect = %+v, %v", c, err)
	}
	exec := func(ctx context.Context, id string, cmd []string) (int, []byte, error) {
		r, err := rt.Exec(ctx, id, cmd)
		return r.ExitCode, r.Output, err
	}
	probes := map[string]*compose.Probe{
		"httpGet": {HTTPGet: &compose.HTTPGetAction{Path: "/ready", Port: compose.PortRef{Number: 8080}}},
		"exec":    {Exec: &compose.ExecAction{Command: []string{"/testapp", "probe", "http://127.0.0.1:8080/ready"}}},
	}
	type readyAt struct {
		kind string
		at   time.Time
	}
	got := make(chan readyAt, len(probes))
	for kind, p := range probes {
		p.PeriodSeconds, p.TimeoutSeconds, p.SuccessThreshold, p.FailureThreshold = 10, 1, 1, 3
		w := probe.NewWorker(probe.WorkerConfig{
			Target: probe.Target{ContainerID: id, IP: c.IP}, Readiness: p, Exec: exec, StartedAt: c.StartedAt,
			OnChange: func(s probe.Status) {
				if s.Ready {
					got <- readyAt{kind, time.Now()}
				}
			},
		})
		w.Start(ctx)
		defer w.Stop()
	}
	appReady := c.StartedAt.Add(readyDelay)
	for range probes {
		select {
		case r := <-got:
			lag := r.at.Sub(appReady)
			t.Logf("%s: Ready %v after the app's READY_DELAY elapsed", r.kind, lag.Round(time.Millisecond))
			if lag < 0 {
				t.Errorf("%s: Ready before the app was (%v)", r.kind, lag)
			}
			// The app's own start-up adds to the delay; the worker's share is at most its fast
			// limit (40 ms httpGet, 200 ms exec) plus one attempt (a docker exec is ~50 ms).
			if lag > time.Second {
				t.Errorf("%s: Ready %v late", r.kind, lag)
			}
		case <-ctx.Done():
			t.Fatal("not ready in time")
		}
	}
}
