//go:build integration

package orchestrator_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
)

// TestManagerOnDocker drives the real runtime and real probes: ordered start gated on an exec
// readiness probe, identity inside the pod, a crash replaced with its data intact, and delete.
func TestManagerOnDocker(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "engine")
	rt := testenv.Runtime(t)
	m := orchestrator.NewManager(rt, orchestrator.Options{Resync: 2 * time.Second})
	events, unsub := m.Subscribe()
	defer unsub()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() {
		cancel()
		<-done
	}()

	grace := int64(1)
	set := &compose.StatefulSet{
		Name: "web", ServiceName: "web", PodManagementPolicy: compose.OrderedReady,
		UpdateStrategy:                       compose.UpdateStrategy{Type: compose.RollingUpdate},
		PersistentVolumeClaimRetentionPolicy: compose.RetentionPolicy{WhenScaled: compose.Retain, WhenDeleted: compose.Retain},
		Template: compose.PodTemplateSpec{Spec: compose.PodSpec{Containers: []compose.Container{{
			Name: "web", Image: testenv.Image("busybox"), ImagePullPolicy: compose.PullNever,
			Command: []string{"sh", "-c", `[ -f /data/id ] || echo "$POD_NAME" > /data/id; sleep 0.2; touch /tmp/ready; exec sleep 3600`},
			ReadinessProbe: &compose.Probe{Exec: &compose.ExecAction{Command: []string{"test", "-f", "/tmp/ready"}},
				PeriodSeconds: 1, TimeoutSeconds: 2, SuccessThreshold: 1, FailureThreshold: 3},
			VolumeMounts: []compose.VolumeMount{{Name: "data", MountPath: "/data"}}}},
			TerminationGracePeriodSeconds: &grace}},
		VolumeClaimTemplates: []compose.VolumeClaimTemplate{{Name: "data"}},
	}
	m.Apply(ns, set, 2)

	var ready0, created1 time.Time
	deadline := time.After(60 * time.Second)
	for ready0.IsZero() || created1.IsZero() {
		select {
		case ev := <-events:
			if ev.Namespace != ns {
				continue
			}
			switch {
			case ev.Type == orchestrator.EventPodReady && ev.Pod == "web-0":
				ready0 = time.Now()
			case ev.Type == orchestrator.EventPodCreated && ev.Pod == "web-1" && strings.Contains(ev.Message, "ahead of its turn"):
				// Created, not started, while web-0 waits (create-ahead): no process of web-1 runs yet.
			case (ev.Type == orchestrator.EventPodCreated || ev.Type == orchestrator.EventPodStarted) && ev.Pod == "web-1":
				created1 = time.Now()
				if ready0.IsZero() {
					t.Fatalf("web-1 started (%s) before web-0 was Ready", ev.Type)
				}
			case ev.Type == orchestrator.EventError:
				t.Fatalf("error event: %s", ev.Message)
			}
		case <-deadline:
			t.Fatalf("no ordered start; status %+v", m.Status(ns))
		}
	}
	t.Logf("web-0 Ready -> web-1 started: %v", created1.Sub(ready0))
	st := waitConverged(t, m, ns, 2)
	c1, err := rt.InspectContainer(context.Background(), st.Pods[1].ContainerID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("web-0 Ready -> web-1 container created (engine clock): %v; -> started: %v",
		c1.CreatedAt.Sub(ready0), c1.StartedAt.Sub(ready0))

	out := execIn(t, rt, st.Pods[1].ContainerID, "sh", "-c", "hostname; echo $POD_NAME $POD_NAMESPACE $POD_ORDINAL; cat /data/id; cat /etc/resolv.conf")
	for _, want := range []string{"web-1\n", "web-1 " + ns + " 1\n", "web-1\n", "search " + ns + ".svc.cluster.local svc.cluster.local cluster.local", "ndots:5"} {
		if !strings.Contains(out, want) {
			t.Errorf("pod output lacks %q:\n%s", want, out)
		}
	}

	// A crash: the pod's container is started again, in place, with its volume.
	old := st.Pods[1].ContainerID
	if err := rt.StopContainer(context.Background(), old, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "web-1 restarted", func() bool {
		s := m.Status(ns)
		return len(s) == 1 && len(s[0].Pods) == 2 && s[0].Pods[1].Restarts == 1 && s[0].Pods[1].Ready
	})
	st = m.Status(ns)[0]
	if got := execIn(t, rt, st.Pods[1].ContainerID, "cat", "/data/id"); got != "web-1\n" {
		t.Fatalf("data after the restart = %q", got)
	}
	if st.Pods[1].ContainerID != old || st.Pods[1].Container != ns+"-web-1" {
		t.Fatalf("web-1 runs in %s %.12s, want %.12s restarted in place", st.Pods[1].Container, st.Pods[1].ContainerID, old)
	}

	// A template change rolls web-1 then web-0; the data stays with the ordinal.
	set2 := *set
	set2.Template.Spec.Containers = slices.Clone(set.Template.Spec.Containers)
	set2.Template.Spec.Containers[0].Env = compose.EnvList{{Name: "VERSION", Value: "2"}}
	m.Apply(ns, &set2, 2)
	st = waitConverged(t, m, ns, 2)
	if st.Revision != compose.Revision(&set2) {
		t.Fatalf("revision %s", st.Revision)
	}
	p0, _ := rt.InspectContainer(context.Background(), st.Pods[0].ContainerID)
	p1, _ := rt.InspectContainer(context.Background(), st.Pods[1].ContainerID)
	if !p1.CreatedAt.Before(p0.CreatedAt) {
		t.Fatalf("web-0 (%v) recreated before web-1 (%v)", p0.CreatedAt, p1.CreatedAt)
	}
	if got := execIn(t, rt, st.Pods[0].ContainerID, "sh", "-c", "cat /data/id; echo $VERSION"); got != "web-0\n2\n" {
		t.Fatalf("web-0 after update: %q", got)
	}

	m.Delete(ns, "web", true)
	waitFor(t, "set deleted", func() bool { return len(m.Status(ns)) == 0 })
	cs, _ := rt.ListContainers(context.Background(), ns)
	vs, _ := rt.ListVolumes(context.Background(), ns)
	if len(cs) != 0 || len(vs) != 0 {
		t.Fatalf("left behind: %d containers, %d volumes", len(cs), len(vs))
	}
}

func waitConverged(t *testing.T, m *orchestrator.Manager, ns string, n int) orchestrator.SetStatus {
	t.Helper()
	var st orchestrator.SetStatus
	waitFor(t, "converged", func() bool {
		s := m.Status(ns)
		if len(s) != 1 {
			return false
		}
		st = s[0]
		return st.Ready == n && st.Updated == n && len(st.Pods) == n && st.Waiting == ""
	})
	return st
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func execIn(t *testing.T, rt orchestrator.Runtime, id string, cmd ...string) string {
	t.Helper()
	res, err := rt.Exec(context.Background(), id, cmd)
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("exec %v: %v (exit %d) %s", cmd, err, res.ExitCode, res.Output)
	}
	return string(res.Output)
}
