//go:build integration

package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
)

// TestEngineCreateAheadKeepsTheOrder: while pod N waits for Ready, pod N+1 is created but
// not started (Pending), and no process of pod N+1 runs before pod N is Ready. Readiness is
// in the test's hands (a file the readiness probe tests for), so every step is causal: the
// test sees N+1 prepared before it lets N become Ready. The proof of the order comes from
// inside the pods: each pod's first process, as its first action, touches a file on its claim
// volume; the kernel stamps the file (with a clock that can only lag), and that stamp must
// come after ordset's PodReady event of the pod below.
func TestEngineCreateAheadKeepsTheOrder(t *testing.T) {
	e := newEngine(t, "ahead")
	testenv.EnsureImages(t, "busybox")
	rt := testenv.Runtime(t)
	const n = 3
	t0 := time.Now()
	e.m.Apply(e.ns, e.aheadSet(n), n)

	for ord := range n {
		pod, next := fmt.Sprintf("app-%d", ord), fmt.Sprintf("app-%d", ord+1)
		e.waitFor(pod+" running", 90*time.Second, func(orchestrator.SetStatus) bool {
			return e.pod(pod).Status == orchestrator.PhaseRunning
		})
		if ord+1 < n {
			st := e.waitFor(next+" prepared", 60*time.Second, func(orchestrator.SetStatus) bool {
				p := e.pod(next)
				return p.ContainerID != "" && p.Status == orchestrator.PhasePending
			})
			c, err := e.cli.ContainerInspect(context.Background(), e.pod(next).ContainerID)
			if err != nil {
				t.Fatalf("inspect %s: %v", next, err)
			}
			if c.State.Status != "created" || c.State.Pid != 0 {
				t.Fatalf("%s is %s (pid %d) while %s is not Ready; status: %s", next, c.State.Status, c.State.Pid, pod, describeSet(st))
			}
			if ord+2 < n && e.pod(fmt.Sprintf("app-%d", ord+2)).ContainerID != "" {
				t.Fatalf("app-%d created two ordinals ahead: %s", ord+2, describeSet(st))
			}
		}
		execOK(t, rt, e.pod(pod).ContainerID, "touch", "/tmp/ready")
	}
	e.waitReady(n, 90*time.Second)

	for ord := 0; ord+1 < n; ord++ {
		pod, next := fmt.Sprintf("app-%d", ord), fmt.Sprintf("app-%d", ord+1)
		ready, ok := e.firstEvent(t0, orchestrator.EventPodReady, pod)
		if !ok {
			t.Fatalf("no PodReady event for %s", pod)
		}
		out := execOK(t, rt, e.pod(next).ContainerID, "stat", "-c", "%y", "/data/started")
		started, err := time.Parse("2006-01-02 15:04:05.999999999 -0700", strings.TrimSpace(out))
		if err != nil {
			t.Fatalf("start stamp of %s %q: %v", next, out, err)
		}
		if !started.After(ready.Time) {
			t.Errorf("%s's first process ran at %s, not after %s became Ready at %s",
				next, started.Format(time.RFC3339Nano), pod, ready.Time.Format(time.RFC3339Nano))
		}
		if created := e.pod(next).CreatedAt; !created.Before(ready.Time) {
			t.Errorf("%s created at %s, not ahead of %s's Ready at %s", next, created, pod, ready.Time)
		}
	}
}

// aheadSet is set "app" on busybox whose readiness the test grants by touching /tmp/ready.
func (e *engine) aheadSet(replicas int) *compose.StatefulSet {
	e.t.Helper()
	doc := fmt.Sprintf(`namespace: %s
statefulsets:
  app:
    replicas: %d
    image: %s
    imagePullPolicy: Never
    command: [sh, -c, "touch /data/started && exec sleep 3600"]
    readinessProbe: {exec: {command: [test, -f, /tmp/ready]}, periodSeconds: 1}
    terminationGracePeriodSeconds: 1
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
`, e.ns, replicas, testenv.Image("busybox"))
	p, err := compose.LoadBytes("ahead.yaml", []byte(doc), compose.LoadOptions{})
	if err != nil {
		e.t.Fatalf("load set: %v\n%s", err, doc)
	}
	return p.StatefulSets["app"]
}

// execOK runs cmd in a container and returns its output, failing the test unless it exits 0.
func execOK(t *testing.T, rt orchestrator.Runtime, id string, cmd ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := rt.Exec(ctx, id, cmd)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("exec %v in %.12s: exit %d, %v: %s", cmd, id, res.ExitCode, err, res.Output)
	}
	return string(res.Output)
}
