//go:build integration

package integration

import (
	"strings"
	"testing"
)

// httpHookPod serves a CGI script with busybox httpd: a GET of /cgi-bin/stop writes the
// preStop file into the claim volume; the TERM handler records whether it was there first.
const httpHookPod = `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command:
      - sh
      - -c
      - |
        mkdir -p /www/cgi-bin
        printf '#!/bin/sh\necho stopping > /data/prestop\nprintf "Content-Type: text/plain\\r\\n\\r\\nok\\n"\n' > /www/cgi-bin/stop
        chmod 755 /www/cgi-bin/stop
        rm -f /data/prestop
        trap 'if [ -f /data/prestop ]; then echo after-prestop; else echo no-prestop; fi > /data/term; exit 0' TERM
        httpd -p 8080 -h /www
        while true; do sleep 0.1; done
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {tcpSocket: {port: http}, periodSeconds: 1}
    terminationGracePeriodSeconds: 10
    lifecycle:
      preStop: {httpGet: {path: /cgi-bin/stop, port: http}}
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
`

// TestPodHTTPPreStopOnDelete: "ordset delete pod" runs the preStop hook, here an httpGet sent
// by the daemon to the pod's IP, before the stop signal: the TERM handler finds the file the
// hook's request wrote, and the next pod on the same volume reads both.
func TestPodHTTPPreStopOnDelete(t *testing.T) {
	e, ns := podEnv(t, "e2ehttphook", httpHookPod)
	e.must("up", "--timeout", "2m", "--progress", "plain")
	e.must("delete", "pod", "box-0", "-n", ns, "--wait", "--timeout", "1m")
	r := e.run("exec", "box-0", "-n", ns, "--", "cat", "/data/term")
	if r.code != 0 || r.stdout != "after-prestop\n" {
		t.Errorf("after delete pod: exit %d, stdout %q, stderr %q; want the TERM handler to have seen the preStop file", r.code, r.stdout, r.stderr)
	}
}

const fsGroupPod = `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "exec sleep 3600"]
    terminationGracePeriodSeconds: 1
    securityContext: {runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000}
    volumeMounts:
      - {name: data, mountPath: /data}
      - {name: data, mountPath: /logs, subPath: app/logs}
      - {name: data, mountPath: /mine, subPathExpr: "pods/$(POD_NAME)"}
      - {name: scratch, mountPath: /scratch}
    volumes: [{name: scratch, emptyDir: {}}]
    volumeClaimTemplates: [{name: data}]
  plain:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "exec sleep 3600"]
    terminationGracePeriodSeconds: 1
    securityContext: {runAsUser: 1000}
    volumeMounts: [{name: scratch, mountPath: /scratch}, {name: over, mountPath: /root}]
    volumes: [{name: scratch, emptyDir: {}}, {name: over, emptyDir: {}}]
  root:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "exec sleep 3600"]
    terminationGracePeriodSeconds: 1
    securityContext:
      capabilities: {drop: [ALL]}
      readOnlyRootFilesystem: true
`

// TestPodFSGroupSubPathAndCapabilities checks, from inside the pods: fsGroup owns a fresh
// claim volume (group, setgid, group-writable for a non-root user that has the group) and an
// emptyDir (2777, as the kubelet); without fsGroup a disk emptyDir is 0777, so a non-root
// user writes there, and it never takes the image's files nor mode at its mount path (no copy-up); a subPath of the claim is created and bound, and what is written there is in the
// claim; and a root container with capabilities.drop [ALL] has no effective capability and
// cannot write its read-only root filesystem.
func TestPodFSGroupSubPathAndCapabilities(t *testing.T) {
	e, ns := podEnv(t, "e2efsgroup", fsGroupPod)
	e.must("up", "--timeout", "2m", "--progress", "plain")
	for _, c := range []struct{ pod, what, script, want string }{
		{"box-0", "fsGroup in the groups", "id -u; id -G | tr ' ' '\\n' | grep -x 2000", "1000\n2000\n"},
		{"box-0", "fsGroup owns the fresh claim, setgid, group-writable", "stat -c '%g %A' /data", "2000 drwxrwsr-x\n"},
		{"box-0", "the non-root user writes there, files join the group", "touch /data/f && stat -c '%u %g' /data/f", "1000 2000\n"},
		{"box-0", "fsGroup owns the emptyDir", "stat -c '%g %A' /scratch && touch /scratch/f", "2000 drwxrwsrwx\n"},
		{"box-0", "subPath is in the claim", "echo hi > /logs/x && cat /data/app/logs/x && stat -c '%g' /data/app/logs", "hi\n2000\n"},
		{"box-0", "subPathExpr expands the pod's name", "echo me > /mine/y && cat /data/pods/box-0/y", "me\n"},
		{"plain-0", "a disk emptyDir is world-writable (0777) for a non-root user without fsGroup",
			"id -u; stat -c '%u %A' /scratch && echo hi > /scratch/f && stat -c '%u' /scratch/f", "1000\n0 drwxrwxrwx\n1000\n"},
		{"plain-0", "an emptyDir over an image directory (0755 in the image) keeps 0777, not the image's mode",
			"stat -c '%A' /root && touch /root/x", "drwxrwxrwx\n"},
		{"root-0", "capabilities.drop [ALL] as root", "id -u; grep -E '^Cap(Eff|Prm|Bnd)' /proc/self/status | tr -s '\\t' ' '",
			"0\nCapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapBnd: 0000000000000000\n"},
		{"root-0", "root without CAP_CHOWN cannot chown", "touch /tmp/x 2>/dev/null; echo ro=$?; chown 1 /proc/self/fd/0 2>/dev/null; echo chown=$?", "ro=1\nchown=1\n"},
	} {
		r := e.run("exec", c.pod, "-n", ns, "--", "sh", "-c", c.script)
		if r.code != 0 || r.stdout != c.want {
			t.Errorf("%s: %s: exit %d, stdout %q (want %q), stderr %q", c.pod, c.what, r.code, r.stdout, c.want, r.stderr)
		}
	}
}

const subPathOnlyPod = `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "echo kept > /app/data/f; exec sleep 3600"]
    terminationGracePeriodSeconds: 1
    volumeMounts: [{name: data, mountPath: /app/data, subPath: app}]
    volumeClaimTemplates: [{name: data}]
`

// TestPodSubPathClaimSurvivesDaemonRestart: a pod that mounts its claim only through a subPath
// (a bind of part of the volume's directory, not a volume mount) is still proven to be the pod
// a restarted daemon finds: adopted, not replaced nor left alone as an impostor.
func TestPodSubPathClaimSurvivesDaemonRestart(t *testing.T) {
	e, ns := podEnv(t, "e2esubpath", subPathOnlyPod)
	e.must("up", "--timeout", "2m", "--progress", "plain")
	before := e.waitReady(ns, 1)
	if want := ns + "_data-box-0"; len(before[0].Volumes) != 1 || before[0].Volumes[0] != want {
		t.Errorf("ps volumes %v, want [%s]", before[0].Volumes, want)
	}
	e.must("daemon", "stop")
	e.must("up", "--timeout", "2m", "--progress", "plain")
	after := e.waitReady(ns, 1)
	if after[0].Container != before[0].Container {
		t.Errorf("the restarted daemon replaced the pod: container %s, then %s", before[0].Container, after[0].Container)
	}
	if ev := e.must("events", "-n", ns).stdout; strings.Contains(ev, "left alone") {
		t.Errorf("the pod was taken for an impostor:\n%s", ev)
	}
	r := e.run("exec", "box-0", "-n", ns, "--", "cat", "/app/data/f")
	if r.code != 0 || r.stdout != "kept\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
