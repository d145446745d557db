//go:build integration

package integration

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator/identity"
)

// TestChaosInterference: out-of-band changes to a running set, one at a time, each followed
// by a check that the set converged with every pod's data. Cases the planner cannot handle
// yet are skipped with what is missing, so they turn on once it can. A second daemon on the
// same engine is TestTwoDaemonsOneEngine.
func TestChaosInterference(t *testing.T) {
	testenv.EnsureImages(t, "testapp", "busybox")
	e := newCLIEnv(t)
	c := &chaosTrial{t: t, e: e, ns: testenv.UniqueNamespace(t, "meddle")}
	t.Cleanup(func() { e.t = t; e.run("down", "-n", c.ns, "--volumes", "--timeout", "60s") }) // before the sweep
	c.e.must("up", "-f", c.file(3), "--timeout", "60s", "--progress", "plain")
	c.writeMarkers(3)
	cli := testenv.Docker(t)
	ctx := context.Background()
	pod1 := c.ns + "-web-1"

	for _, tc := range []struct {
		name, skip string
		touchesAll bool // the meddling reaches every pod, not only web-1
		meddle     func(t *testing.T)
		check      func(t *testing.T)
	}{
		{name: "docker rm -f", meddle: func(t *testing.T) {
			if err := cli.ContainerRemove(ctx, pod1, container.RemoveOptions{Force: true}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "docker stop", meddle: func(t *testing.T) {
			was, before := containerID(t, pod1), c.podOf("web-1")
			if err := cli.ContainerStop(ctx, pod1, container.StopOptions{}); err != nil {
				t.Fatal(err)
			}
			// Until the daemon has seen the exit, ps may still show the stopped pod Ready.
			c.waitPod("web-1", "restarted", 60*time.Second, func(p psPod) bool { return p.Ready && p.Restarts > before.Restarts })
			if id, _ := lookupID(cli, pod1); id != was {
				t.Errorf("the stopped pod runs in container %.12s, want %.12s started again in place", id, was)
			}
		}},
		{name: "docker pause", meddle: func(t *testing.T) {
			before, was := c.podOf("web-1"), containerID(t, pod1)
			if err := cli.ContainerPause(ctx, pod1); err != nil {
				t.Fatal(err)
			}
			c.waitPod("web-1", "paused, not Ready", 30*time.Second, func(p psPod) bool { return p.Status == "Paused" && !p.Ready })
			if out := c.e.run("dns", "resolve", "web-1.web."+c.ns+".svc.cluster.local").stdout; strings.Contains(out, before.IP) {
				t.Errorf("DNS still answers the paused pod:\n%s", out)
			}
			if err := cli.ContainerUnpause(ctx, pod1); err != nil {
				t.Fatal(err)
			}
			c.waitPods(3, 60*time.Second)
			if after := c.podOf("web-1"); after.Container != before.Container || containerID(t, pod1) != was {
				t.Errorf("the paused pod was replaced, not waited for")
			}
		}},
		{name: "network removed", touchesAll: true, meddle: func(t *testing.T) {
			removeNetwork(t, identity.NetworkName(c.ns))
			c.waitPods(3, 60*time.Second)
			for _, p := range c.e.ps(c.ns) {
				if out := c.e.run("dns", "resolve", p.Name+".web."+c.ns+".svc.cluster.local").stdout; !strings.Contains(out, p.IP) {
					t.Errorf("DNS does not answer %s with its new address %s:\n%s", p.Name, p.IP, out)
				}
			}
		}},
		{name: "network recreated while a pod is down", touchesAll: true, meddle: func(t *testing.T) {
			// With the daemon stopped, web-1 dies and the network goes: web-1 names a network
			// that no longer exists, so it cannot start again in place and is replaced.
			was := containerID(t, pod1)
			c.e.must("daemon", "stop")
			if err := cli.ContainerKill(ctx, pod1, "KILL"); err != nil {
				t.Fatal(err)
			}
			removeNetwork(t, identity.NetworkName(c.ns))
			c.e.must("ps", "-n", c.ns) // the next command starts the daemon again
			c.waitPod("web-1", "replaced", 60*time.Second, func(p psPod) bool {
				id, _ := lookupID(cli, pod1)
				return p.Ready && id != "" && id != was
			})
		}},
		{name: "forged-label container", meddle: func(t *testing.T) {
			real, err := cli.ContainerInspect(ctx, pod1)
			if err != nil {
				t.Fatal(err)
			}
			// A copy of web-1's labels (owner id included) on another name, the default bridge
			// and no volume: beside the pod it must not be removed as a duplicate, and with the
			// pod gone it must not be adopted.
			f, err := cli.ContainerCreate(ctx, &container.Config{Image: testenv.Image("busybox"), Cmd: []string{"sleep", "600"},
				Labels: real.Config.Labels}, nil, nil, nil, c.ns+"-forged")
			if err != nil {
				t.Fatal(err)
			}
			defer cli.ContainerRemove(context.Background(), f.ID, container.RemoveOptions{Force: true})
			if err := cli.ContainerStart(ctx, f.ID, container.StartOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := cli.ContainerRemove(ctx, pod1, container.RemoveOptions{Force: true}); err != nil {
				t.Fatal(err)
			}
			// web-1 back under its name (so the daemon has planned with the forgery present).
			p := c.waitPod("web-1", "recreated", 60*time.Second, func(p psPod) bool {
				id, _ := lookupID(cli, pod1)
				return p.Ready && id != "" && id != real.ID
			})
			if id := containerID(t, pod1); id == f.ID {
				t.Errorf("web-1 is the forged container %s", identity.ShortID(id))
			}
			if got, err := cli.ContainerInspect(ctx, f.ID); err != nil || got.State == nil || !got.State.Running {
				t.Errorf("the forged container was touched (removed or stopped): %v", err)
			}
			if !slices.Contains(p.Volumes, c.ns+"_data-web-1") {
				t.Errorf("web-1 shown with volumes %v", p.Volumes)
			}
			if err := cli.ContainerRemove(ctx, f.ID, container.RemoveOptions{Force: true}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "foreign container on the next name", meddle: func(t *testing.T) {
			name := c.ns + "-web-3"
			f, err := cli.ContainerCreate(ctx, &container.Config{Image: testenv.Image("busybox"), Cmd: []string{"sleep", "600"},
				Labels: testenv.Labels()}, nil, nil, nil, name)
			if err != nil {
				t.Fatal(err)
			}
			defer cli.ContainerRemove(context.Background(), f.ID, container.RemoveOptions{Force: true})
			r := c.e.run("scale", "web", "4", "-n", c.ns, "--timeout", "15s", "--progress", "plain")
			if r.code == 0 || !strings.Contains(r.stdout+r.stderr, name) {
				t.Errorf("scale onto a foreign container's name: exit %d, output does not name %s:\n%s", r.code, name, r.stderr)
			}
			if got, err := cli.ContainerInspect(ctx, f.ID); err != nil || got.Config.Image != testenv.Image("busybox") {
				t.Errorf("the foreign container was touched: %v", err)
			}
			c.e.must("scale", "web", "3", "-n", c.ns, "--timeout", "60s")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != "" {
				t.Skip(tc.skip)
			}
			c.t, c.e.t = t, t
			defer func() { c.t, c.e.t = nil, nil }()
			id := func(name string) string {
				x, err := cli.ContainerInspect(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				return x.ID
			}
			others := map[string]string{c.ns + "-web-0": id(c.ns + "-web-0"), c.ns + "-web-2": id(c.ns + "-web-2")}
			tc.meddle(t)
			c.waitPods(3, 60*time.Second)
			c.checkExactlyOnce(3)
			c.checkMarkers(3)
			for name, was := range others {
				if !tc.touchesAll && id(name) != was {
					t.Errorf("%s was replaced although only web-1 was touched", name)
				}
			}
		})
	}
	c.t, c.e.t = t, t
	_ = os.Remove(filepath.Join(e.workDir, c.ns+".yaml"))
}

// podOf returns the named pod as `ps` shows it (zero when it is not listed).
func (c *chaosTrial) podOf(name string) psPod {
	for _, p := range c.e.ps(c.ns) {
		if p.Name == name {
			return p
		}
	}
	return psPod{}
}

// waitPod waits until `ps` shows the named pod in a state ok accepts.
func (c *chaosTrial) waitPod(name, what string, timeout time.Duration, ok func(psPod) bool) psPod {
	deadline := time.Now().Add(timeout)
	for {
		p := c.podOf(name)
		if ok(p) {
			return p
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s not %s within %v: ps shows %+v", name, what, timeout, p)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// containerID returns the engine's ID of the named container.
func containerID(t *testing.T, name string) string {
	t.Helper()
	id, err := lookupID(testenv.Docker(t), name)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// lookupID returns the engine's ID of the named container, or an error when there is none.
func lookupID(cli *client.Client, name string) (string, error) {
	x, err := cli.ContainerInspect(context.Background(), name)
	if err != nil {
		return "", err
	}
	return x.ID, nil
}

// removeNetwork removes a network as a user must: the engine refuses to remove a network in
// use, so every container is disconnected first. The daemon may already be healing (a
// disconnected pod is recreated on the network while it still exists), so it tries again
// until the network is gone.
func removeNetwork(t *testing.T, name string) {
	t.Helper()
	cli, ctx := testenv.Docker(t), context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, err := cli.NetworkInspect(ctx, name, network.InspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for id := range n.Containers {
			_ = cli.NetworkDisconnect(ctx, name, id, true) // it may be gone since the inspect
		}
		err = cli.NetworkRemove(ctx, name)
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("remove network %s: %v", name, err)
		}
	}
}
