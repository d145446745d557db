//go:build integration

package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/mount"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator/identity"
)

// podEnv is a private daemon and a unique namespace with an ordset file made from format
// (whose one %s is the namespace), torn down with its volumes when the test ends.
func podEnv(t *testing.T, prefix, format string) (*cliEnv, string) {
	t.Helper()
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, prefix)
	e := newCLIEnv(t)
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(fmt.Sprintf(format, ns)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })
	return e, ns
}

const securePod = `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "exec sleep 3600"]
    terminationGracePeriodSeconds: 1
    securityContext:
      runAsUser: 1000
      runAsGroup: 1000
      supplementalGroups: [4]
      capabilities: {drop: [ALL]}
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
    hostAliases: [{ip: 10.1.2.3, hostnames: [backup.local]}]
    env:
      - {name: INDEX, valueFrom: {fieldRef: {fieldPath: "metadata.labels['apps.kubernetes.io/pod-index']"}}}
      - {name: GREETING, value: "pod $(POD_NAME) index $(INDEX)"}
    volumeMounts:
      - {name: scratch, mountPath: /scratch}
      - {name: shm, mountPath: /dev/shm}
    volumes:
      - {name: scratch, emptyDir: {}}
      - {name: shm, emptyDir: {medium: Memory, sizeLimit: 16Mi}}
`

// TestPodSecurityContext runs a pod with a Kubernetes securityContext and checks, from inside
// the pod, that each setting took effect; it also checks the emptyDir volumes and env sources.
func TestPodSecurityContext(t *testing.T) {
	e, ns := podEnv(t, "e2epod", securePod)
	e.must("up", "--timeout", "2m", "--progress", "plain")

	in := func(script string) result {
		t.Helper()
		return e.run("exec", "box-0", "-n", ns, "--", "sh", "-c", script)
	}
	for _, c := range []struct{ what, script, want string }{
		{"runAsUser/runAsGroup", "id -u; id -g", "1000\n1000\n"},
		{"capabilities.drop: [ALL] (the bounding set, which a non-root user keeps otherwise)", "grep ^CapBnd /proc/self/status", "CapBnd:\t0000000000000000\n"},
		{"allowPrivilegeEscalation: false", "grep ^NoNewPrivs /proc/self/status", "NoNewPrivs:\t1\n"},
		{"hostAliases", "grep backup.local /etc/hosts | tr -s ' \\t' ' '", "10.1.2.3 backup.local\n"},
		{"fieldRef pod index and $(VAR)", "echo \"$GREETING\"", "pod box-0 index 0\n"},
		{"memory emptyDir is writable", "echo x > /dev/shm/f && cat /dev/shm/f", "x\n"},
	} {
		r := in(c.script)
		if r.code != 0 || r.stdout != c.want {
			t.Errorf("%s: exit %d, stdout %q (want %q), stderr %q", c.what, r.code, r.stdout, c.want, r.stderr)
		}
	}
	if r := in("grep -w /dev/shm /proc/mounts"); !strings.Contains(r.stdout, "tmpfs") || !strings.Contains(r.stdout, "size=16384k") {
		t.Errorf("/dev/shm is not a 16Mi tmpfs: %q", r.stdout)
	}
	if r := in("id -G"); !strings.Contains(" "+r.stdout, " 4") {
		t.Errorf("supplementalGroups: id -G = %q", r.stdout)
	}
	// readOnlyRootFilesystem: writing outside a volume fails, as root of the pod's own files.
	if r := in("touch /newfile"); r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("readOnlyRootFilesystem: touch /newfile exit %d, stderr %q", r.code, r.stderr)
	}

	// The disk emptyDir is a volume of the pod (which then has an infrastructure container
	// holding it, and its app container beside), gone with the pod.
	cli := testenv.Docker(t)
	info, err := cli.ContainerInspect(context.Background(), identity.AppContainerName(ns, "box", 0, "box"))
	if err != nil {
		t.Fatal(err)
	}
	var scratch string
	for _, m := range info.Mounts {
		if m.Destination == "/scratch" && m.Type == mount.TypeVolume {
			scratch = m.Name
		}
	}
	if scratch == "" {
		t.Fatalf("no volume mounted at /scratch: %+v", info.Mounts)
	}
	e.must("down", "-n", ns, "--timeout", "1m")
	if _, err := cli.VolumeInspect(context.Background(), scratch); err == nil {
		t.Errorf("emptyDir volume %s survived the pod's deletion", scratch)
	}
}

// TestPodRefusesWhatItCannotRun checks that a set using a part of the pod model the runtime
// does not run yet is refused, naming the part, and nothing of it is created.
func TestPodRefusesWhatItCannotRun(t *testing.T) {
	e, ns := podEnv(t, "e2epodno", `namespace: %s
statefulsets:
  two:
    securityContext: {runAsGroup: 1000}
    containers:
      - {name: a, image: ordset-test/busybox:latest, imagePullPolicy: Never}
      - {name: b, image: ordset-test/busybox:latest, imagePullPolicy: Never}
`)
	r := e.run("up", "--timeout", "1m", "--progress", "plain")
	if r.code == 0 || !strings.Contains(r.stderr, "statefulset two uses what this version of ordset cannot run yet: container a: runAsGroup without runAsUser") {
		t.Errorf("up of a pod with runAsGroup alone: exit %d, stderr %q", r.code, r.stderr)
	}
	if objs := engineContainers(t, ns); len(objs) != 0 {
		t.Errorf("refused set left containers: %v", objs)
	}
}

const hookPod = `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, 'trap "if [ -f /data/prestop ]; then echo after-prestop; else echo no-prestop; fi > /data/term; exit 0" TERM; while true; do sleep 0.1; done']
    terminationGracePeriodSeconds: 10
    lifecycle:
      postStart: {exec: {command: [sh, -c, "echo started >> /data/poststart"]}}
      preStop: {exec: {command: [sh, -c, "echo stopping > /data/prestop"]}}
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
`

// TestPodLifecycleHooks checks postStart runs after the start and preStop runs before the
// stop signal: the process's TERM handler sees the hook's file in the pod's volume.
func TestPodLifecycleHooks(t *testing.T) {
	e, ns := podEnv(t, "e2ehook", hookPod)
	e.must("up", "--timeout", "2m", "--progress", "plain")
	if r := e.run("exec", "box-0", "-n", ns, "--", "cat", "/data/poststart"); r.stdout != "started\n" {
		t.Errorf("postStart: %q %q", r.stdout, r.stderr)
	}
	// Scale to zero keeps the volume (whenScaled: Retain); the next pod reads what the stop left.
	e.must("scale", "box", "0", "-n", ns, "--timeout", "1m")
	e.must("scale", "box", "1", "-n", ns, "--timeout", "1m")
	r := e.run("exec", "box-0", "-n", ns, "--", "cat", "/data/prestop", "/data/term")
	if r.code != 0 || r.stdout != "stopping\nafter-prestop\n" {
		t.Errorf("after the stop: exit %d, stdout %q, stderr %q; want the preStop file, then the TERM handler seeing it", r.code, r.stdout, r.stderr)
	}
}

// TestPodRunAsNonRootChecksTheImage: with runAsNonRoot and no runAsUser, the image's user
// decides; the busybox image runs as root, so the pod is refused with the reason, not started.
func TestPodRunAsNonRootChecksTheImage(t *testing.T) {
	e, ns := podEnv(t, "e2enonroot", `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sleep, "3600"]
    securityContext: {runAsNonRoot: true}
`)
	if r := e.run("up", "--timeout", "20s", "--progress", "plain"); r.code == 0 {
		t.Fatalf("up of a root image with runAsNonRoot succeeded:\n%s", r.stderr)
	}
	if ev := e.must("events", "-n", ns).stdout; !strings.Contains(ev, "runAsNonRoot, but it runs as root") {
		t.Errorf("events do not say why:\n%s", ev)
	}
	if objs := engineContainers(t, ns); len(objs) != 0 {
		t.Errorf("containers created for a refused pod: %v", objs)
	}
}

// TestPodContainerFlag: logs and exec take -c as kubectl does: the first container by default
// or by name, an init container by its name, and an unknown name is an error listing them.
func TestPodContainerFlag(t *testing.T) {
	e, ns := podEnv(t, "e2ecflag", `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "echo main-says-hi; exec sleep 3600"]
    terminationGracePeriodSeconds: 1
    initContainers:
      - {name: seed, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [echo, seed-says-hi]}
`)
	e.must("up", "--timeout", "2m", "--progress", "plain")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"logs", "box-0", "-n", ns}, "main-says-hi\n"},
		{[]string{"logs", "box-0", "-n", ns, "-c", "box"}, "main-says-hi\n"},
		{[]string{"logs", "box-0", "-n", ns, "-c", "seed"}, "seed-says-hi\n"},
		{[]string{"exec", "-c", "box", "box-0", "-n", ns, "--", "echo", "in-main"}, "in-main\n"},
	} {
		if r := e.run(c.args...); r.code != 0 || r.stdout != c.want {
			t.Errorf("ordset %v: exit %d, stdout %q (want %q), stderr %q", c.args, r.code, r.stdout, c.want, r.stderr)
		}
	}
	r := e.run("logs", "box-0", "-n", ns, "-c", "nope")
	if r.code == 0 || !strings.Contains(r.stderr, `pod box-0 has no container "nope" (containers: box; init containers: seed)`) {
		t.Errorf("logs -c nope: exit %d, stderr %q", r.code, r.stderr)
	}
}
