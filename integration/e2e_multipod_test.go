//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator/identity"
)

// multiPod is a pod of two containers sharing an emptyDir: main serves HTTP on 8080 and
// records each of its starts in the emptyDir; side is Ready only once /shared/ready exists.
const multiPod = `namespace: %s
statefulsets:
  duo:
    terminationGracePeriodSeconds: 1
    shareProcessNamespace: true
    containers:
      - name: main
        image: ordset-test/busybox:latest
        imagePullPolicy: Never
        command: [sh, -c, "mkdir -p /tmp/www && echo served-by-$(POD_NAME) > /tmp/www/index.html && echo start >> /shared/starts && exec httpd -f -p 8080 -h /tmp/www"]
        env: [{name: MY_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}]
        volumeMounts: [{name: shared, mountPath: /shared}]
      - name: side
        image: ordset-test/busybox:latest
        imagePullPolicy: Never
        command: [sh, -c, "exec sleep 3600"]
        readinessProbe: {exec: {command: [test, -f, /shared/ready]}, periodSeconds: 1}
        volumeMounts: [{name: shared, mountPath: /shared}]
    volumes: [{name: shared, emptyDir: {}}]
`

// TestMultiContainerPod runs a two-container pod on the real engine and checks, from inside
// it: the sidecar reaches the main container on 127.0.0.1; status.podIP is the pod's IP; the
// pod is Ready only once both containers are; killing the main container restarts it alone
// (in place), the pod keeping its IP and its emptyDir, and logs -p -c main shows the killed
// run; deleting the pod makes a new one, with a fresh emptyDir and no previous run.
func TestMultiContainerPod(t *testing.T) {
	e, ns := podEnv(t, "e2emulti", multiPod)
	e.must("up", "--no-wait", "--progress", "plain")
	in := func(c, script string) result {
		t.Helper()
		return e.run("exec", "duo-0", "-n", ns, "-c", c, "--", "sh", "-c", script)
	}
	until := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(2 * time.Minute); !ok(); time.Sleep(300 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting: %s", what)
			}
		}
	}
	until("both containers run", func() bool {
		return in("side", "wget -qO- http://127.0.0.1:8080/").stdout == "served-by-duo-0\n"
	})
	pods := e.ps(ns)
	if len(pods) != 1 || pods[0].Ready || pods[0].IP == "" {
		t.Fatalf("before the sidecar is Ready: want one pod, not Ready, with an IP: %+v", pods)
	}
	ip := pods[0].IP
	if r := in("main", `echo "$MY_IP"`); r.stdout != ip+"\n" {
		t.Errorf("status.podIP = %q, pod IP %s", r.stdout, ip)
	}
	if r := in("side", "hostname"); r.stdout != "duo-0\n" {
		t.Errorf("sidecar hostname = %q, want duo-0", r.stdout)
	}
	if r := in("side", "ps -o comm"); !strings.Contains(r.stdout, "httpd") || !strings.Contains(r.stdout, "ordset") {
		t.Errorf("shareProcessNamespace: the sidecar sees %q, want the main container's httpd and the infrastructure process", r.stdout)
	}
	in("side", "touch /shared/ready")
	e.waitReady(ns, 1)
	checkPodTop(t, e, ns)

	cli := testenv.Docker(t)
	ctx := context.Background()
	mainName := identity.AppContainerName(ns, "duo", 0, "main")
	side, err := cli.ContainerInspect(ctx, identity.AppContainerName(ns, "duo", 0, "side"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.ContainerKill(ctx, mainName, "KILL"); err != nil {
		t.Fatal(err)
	}
	until("main restarted", func() bool { return in("main", "cat /shared/starts").stdout == "start\nstart\n" })
	pods = e.waitReady(ns, 1)
	if pods[0].IP != ip {
		t.Errorf("pod IP after the main container's restart = %s, want %s", pods[0].IP, ip)
	}
	if r := in("side", "test -f /shared/ready && echo kept"); r.stdout != "kept\n" {
		t.Errorf("emptyDir lost its file across the restart: %q %q", r.stdout, r.stderr)
	}
	if again, err := cli.ContainerInspect(ctx, side.Name); err != nil || again.ID != side.ID || again.RestartCount != 0 ||
		again.State.StartedAt != side.State.StartedAt {
		t.Errorf("the sidecar was touched by the main container's restart (err %v)", err)
	}
	if r := in("side", "wget -qO- http://127.0.0.1:8080/"); r.stdout != "served-by-duo-0\n" {
		t.Errorf("after the restart the sidecar reads %q", r.stdout)
	}
	// logs -p -c main shows the killed run (the main container restarted in place); the
	// sidecar never crashed.
	until("main's previous run", func() bool { return e.run("logs", "-p", "duo-0", "-n", ns, "-c", "main").code == 0 })
	if r := e.run("logs", "-p", "duo-0", "-n", ns, "-c", "side"); r.code != 1 || !strings.Contains(r.stderr, `previous terminated container in pod "duo-0" not found`) {
		t.Errorf("logs -p -c side: exit %d %q", r.code, r.stderr)
	}

	// Deleting the pod makes a new one: new containers, a fresh emptyDir.
	e.must("delete", "pod", "duo-0", "-n", ns)
	until("duo-0 back with a fresh emptyDir", func() bool {
		return in("main", "cat /shared/starts; ls /shared").stdout == "start\nstarts\n"
	})
	if r := e.run("logs", "-p", "duo-0", "-n", ns, "-c", "main"); r.code != 1 {
		t.Errorf("a deleted pod's new incarnation has a previous container: exit %d %q", r.code, r.stdout)
	}
	vol := identity.EmptyDirName(ns, "duo", 0, "shared")
	if _, err := cli.VolumeInspect(ctx, vol); err != nil {
		t.Fatalf("emptyDir volume %s: %v", vol, err)
	}
	e.must("down", "-n", ns, "--timeout", "1m")
	if _, err := cli.VolumeInspect(ctx, vol); err == nil {
		t.Errorf("emptyDir volume %s survived the pod's deletion", vol)
	}
	left, err := cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range left {
		for _, n := range c.Names {
			if strings.HasPrefix(n, "/"+ns+"-") {
				t.Errorf("container %s left after down", n)
			}
		}
	}
}

// checkPodTop: top measures a pod with several containers by its containers (httpd in main,
// sleep in side: a process each), summed, not by its infrastructure container; --containers
// prints a row for each.
func checkPodTop(t *testing.T, e *cliEnv, ns string) {
	t.Helper()
	var usage []struct {
		Pod         string `json:"pod"`
		MemoryBytes uint64 `json:"memoryBytes"`
		Pids        uint64 `json:"pids"`
		Containers  []struct {
			Name        string `json:"name"`
			MemoryBytes uint64 `json:"memoryBytes"`
			Pids        uint64 `json:"pids"`
		} `json:"containers"`
	}
	r := e.must("top", "duo-0", "-n", ns, "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &usage); err != nil || len(usage) != 1 || len(usage[0].Containers) != 2 {
		t.Fatalf("top -o json: %v\n%s", err, r.stdout)
	}
	u := usage[0]
	if u.Containers[0].Name != "main" || u.Containers[1].Name != "side" || u.Containers[0].Pids != 1 || u.Containers[1].Pids != 1 ||
		u.Pids != 2 || u.MemoryBytes != u.Containers[0].MemoryBytes+u.Containers[1].MemoryBytes || u.MemoryBytes == 0 {
		t.Errorf("top duo-0: %+v, want main and side with a process each, summed", u)
	}
	r = e.must("top", "duo-0", "-n", ns, "--containers", "--no-stream")
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], "duo-0") ||
		!strings.Contains(lines[1], "main") || !strings.Contains(lines[2], "side") {
		t.Errorf("top --containers:\n%s", r.stdout)
	}
}
