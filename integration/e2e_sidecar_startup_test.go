//go:build integration

package integration

import (
	"testing"
	"time"
)

// gatedSidecarPod: native sidecar gate is Started only once /shared/go exists (its
// startupProbe); init container after records whether it existed when it ran.
const gatedSidecarPod = `namespace: %s
statefulsets:
  gated:
    terminationGracePeriodSeconds: 1
    initContainers:
      - name: gate
        image: ordset-test/busybox:latest
        imagePullPolicy: Never
        restartPolicy: Always
        command: [sh, -c, "exec sleep 3600"]
        startupProbe: {exec: {command: [test, -f, /shared/go]}, periodSeconds: 1, failureThreshold: 600}
        volumeMounts: [{name: shared, mountPath: /shared}]
      - name: after
        image: ordset-test/busybox:latest
        imagePullPolicy: Never
        command: [sh, -c, "if [ -f /shared/go ]; then echo saw-go >> /shared/log; else echo too-early >> /shared/log; fi"]
        volumeMounts: [{name: shared, mountPath: /shared}]
    containers:
      - name: main
        image: ordset-test/busybox:latest
        imagePullPolicy: Never
        command: [sh, -c, "exec sleep 3600"]
        volumeMounts: [{name: shared, mountPath: /shared}]
    volumes: [{name: shared, emptyDir: {}}]
`

// TestSidecarStartupProbeGatesNextInit: the init container after a native sidecar runs only
// once the sidecar's startupProbe passed, not as soon as the sidecar runs (the kubelet's
// order). The test makes the probe pass from inside the running sidecar; the init container
// then finds the file the probe waited for.
func TestSidecarStartupProbeGatesNextInit(t *testing.T) {
	e, ns := podEnv(t, "e2egate", gatedSidecarPod)
	e.must("up", "--no-wait", "--progress", "plain")
	for deadline := time.Now().Add(2 * time.Minute); e.run("exec", "gated-0", "-n", ns, "-c", "gate", "--", "true").code != 0; time.Sleep(300 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the sidecar to run")
		}
	}
	if r := e.run("exec", "gated-0", "-n", ns, "-c", "gate", "--", "sh", "-c", "cat /shared/log 2>/dev/null; touch /shared/go"); r.stdout != "" {
		t.Errorf("the next init container ran while the sidecar's startup probe had not passed: %q", r.stdout)
	}
	e.waitReady(ns, 1)
	if r := e.run("exec", "gated-0", "-n", ns, "-c", "main", "--", "cat", "/shared/log"); r.stdout != "saw-go\n" {
		t.Errorf("init container after: %q (stderr %q), want it to run once, after the startup probe passed", r.stdout, r.stderr)
	}
}
