//go:build integration

package integration

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/compose/kube"
	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
)

// importEnv is a private daemon with the manifest format (whose %s are the namespace) written
// to web.yaml, torn down with its volumes when the test ends.
func importEnv(t *testing.T, prefix, format string, images ...string) (*cliEnv, string, string) {
	t.Helper()
	testenv.EnsureImages(t, images...)
	ns := testenv.UniqueNamespace(t, prefix)
	e := newCLIEnv(t)
	file := filepath.Join(e.workDir, "web.yaml")
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(format, "%s", ns)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })
	return e, ns, file
}

// webManifests: a headless Service and its StatefulSet as `kubectl get -o yaml` prints them
// (server fields and status included), an image from a registry this machine cannot reach
// (replaced with --image), and a ClusterIP Service selecting the pods by label, port 80 to
// the named port http (8080).
const webManifests = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: %s}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: front
  namespace: %s
  resourceVersion: "4711"
  uid: 0b6f3c9e-1d2a-4c5b-8e7f-90a1b2c3d4e5
spec:
  type: ClusterIP
  clusterIP: 10.96.0.42
  clusterIPs: [10.96.0.42]
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  sessionAffinity: None
  selector: {tier: front}
  ports: [{name: http, port: 80, targetPort: http, protocol: TCP}]
status: {loadBalancer: {}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  namespace: %s
  generation: 3
  resourceVersion: "4712"
  uid: 7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f
  creationTimestamp: "2026-01-02T03:04:05Z"
  managedFields:
  - {manager: kubectl-client-side-apply, operation: Update, apiVersion: apps/v1}
spec:
  serviceName: web
  replicas: 2
  podManagementPolicy: Parallel
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web, tier: front}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: registry.k8s.io/e2e-test-images/agnhost:2.39
        imagePullPolicy: IfNotPresent
        ports: [{name: http, containerPort: 8080}]
        readinessProbe:
          httpGet: {path: /ready, port: http}
          periodSeconds: 1
          failureThreshold: 1
status:
  replicas: 2
  readyReplicas: 2
  currentRevision: web-5d4b9c7f8
  updateRevision: web-5d4b9c7f8
  observedGeneration: 3
`

// TestImportServices runs a headless Service + StatefulSet pair and a ClusterIP Service from
// one manifest file: the pods' own names answer, the ClusterIP name answers only the Ready
// pods selected by label, and its SRV record gives the target port behind port 80.
func TestImportServices(t *testing.T) {
	e, ns, file := importEnv(t, "e2eimport", webManifests, "testapp")
	override := "registry.k8s.io/e2e-test-images/agnhost=" + testenv.Image("testapp")
	if r := e.run("validate", "--strict", "-f", file, "--image", override); r.code != 1 || !strings.Contains(r.stderr, "port 80 is not remapped to 8080") {
		t.Errorf("validate --strict: exit %d, want 1 naming the port DNS cannot remap:\n%s", r.code, r.stderr)
	}
	e.must("up", "-f", file, "--image", override, "--timeout", "2m", "--progress", "plain")
	pods := e.waitReady(ns, 2)
	ips := map[string]string{}
	for _, p := range pods {
		ips[p.Name] = p.IP
	}
	zone := ns + ".svc.cluster.local"
	if out := e.must("dns", "resolve", "web-1.web."+zone).stdout; !strings.Contains(out, ips["web-1"]) {
		t.Errorf("web-1.web: want %s in\n%s", ips["web-1"], out)
	}
	srv := e.must("dns", "resolve", "_http._tcp.front."+zone, "SRV").stdout
	for _, pod := range []string{"web-0", "web-1"} {
		if !strings.Contains(srv, "8080 "+pod+".web."+zone) {
			t.Errorf("front SRV: want port 8080 and target %s.web in\n%s", pod, srv)
		}
	}
	// From a pod, the short name through the search path, on the target port.
	if r := e.run("exec", "-n", ns, "web-0", "--", "/testapp", "probe", "http://front:8080/ready"); r.code != 0 {
		t.Errorf("http://front:8080/ready from web-0: exit %d %s", r.code, r.stderr)
	}
	frontIPs := func() []string {
		out := e.must("dns", "resolve", "front."+zone).stdout
		var got []string
		for _, p := range []string{"web-0", "web-1"} {
			if strings.Contains(out, ips[p]) {
				got = append(got, p)
			}
		}
		return got
	}
	waitFront := func(what string, want []string) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for !slices.Equal(frontIPs(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: front answers %v, want %v", what, frontIPs(), want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	waitFront("both Ready", []string{"web-0", "web-1"})
	e.must("exec", "-n", ns, "web-1", "--", "/testapp", "touch", "/tmp/not-ready")
	waitFront("web-1 not Ready", []string{"web-0"})
	e.must("exec", "-n", ns, "web-1", "--", "/testapp", "rm", "/tmp/not-ready")
	waitFront("web-1 Ready again", []string{"web-0", "web-1"})

	// config shows the mapping: the replaced image and the Service.
	cfg := e.must("config", "-f", file, "--image", override).stdout
	if !strings.Contains(cfg, "image: "+testenv.Image("testapp")) || !strings.Contains(cfg, "services:\n  front:") {
		t.Errorf("config -f: want the replaced image and services.front in\n%s", cfg)
	}
}

// boxManifests: a ConfigMap holding the readiness script (mounted executable), a Secret read
// as env (data base64, stringData plain), and a busybox set using both.
const boxManifests = `apiVersion: v1
kind: ConfigMap
metadata: {name: probes, namespace: %s}
data:
  ready.sh: |
    #!/bin/sh
    test ! -e /tmp/not-ready
---
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: %s}
type: Opaque
data:
  TOKEN: czNjcjN0   # s3cr3t
stringData:
  PASSWORD: hunter2
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: box, namespace: %s}
spec:
  serviceName: box
  replicas: 1
  selector: {matchLabels: {app: box}}
  template:
    metadata: {labels: {app: box}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: box
        image: ordset-test/busybox:latest
        imagePullPolicy: Never
        command: [sh, -c, "exec sleep 3600"]
        envFrom: [{secretRef: {name: creds}}]
        env:
        - {name: PW, valueFrom: {secretKeyRef: {name: creds, key: PASSWORD}}}
        readinessProbe:
          exec: {command: [/probes/ready.sh]}
          periodSeconds: 1
          failureThreshold: 1
        volumeMounts: [{name: probes, mountPath: /probes}]
      volumes:
      - {name: probes, configMap: {name: probes, defaultMode: 0755}}
`

// TestImportConfigMapProbeAndSecretEnv: the readiness probe is a script from a ConfigMap
// volume (the pod follows it both ways), and a Secret's keys arrive as env.
func TestImportConfigMapProbeAndSecretEnv(t *testing.T) {
	e, ns, file := importEnv(t, "e2eimpcm", boxManifests, "busybox")
	e.must("up", "-f", file, "--strict", "--timeout", "2m", "--progress", "plain")
	e.waitReady(ns, 1)
	if r := e.must("exec", "-n", ns, "box-0", "--", "sh", "-c", "echo $TOKEN $PASSWORD $PW"); r.stdout != "s3cr3t hunter2 hunter2\n" {
		t.Errorf("Secret env: %q, want %q", r.stdout, "s3cr3t hunter2 hunter2\n")
	}
	e.must("exec", "-n", ns, "box-0", "--", "touch", "/tmp/not-ready")
	waitPod(t, e, ns, "box-0", false)
	e.must("exec", "-n", ns, "box-0", "--", "rm", "/tmp/not-ready")
	waitPod(t, e, ns, "box-0", true)
}

func waitPod(t *testing.T, e *cliEnv, ns, pod string, ready bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, p := range e.ps(ns) {
			if p.Name == pod && p.Ready == ready {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never became ready=%v: %+v", pod, ready, e.ps(ns))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// sidecarManifest: an init container seeds a shared emptyDir, a sidecar serves beside the main
// container; both come from the manifest.
const sidecarManifest = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: pair, namespace: %s}
spec:
  serviceName: pair
  replicas: 1
  selector: {matchLabels: {app: pair}}
  template:
    metadata: {labels: {app: pair}}
    spec:
      terminationGracePeriodSeconds: 1
      initContainers:
      - {name: seed, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [sh, -c, "echo seeded > /shared/marker"],
         volumeMounts: [{name: shared, mountPath: /shared}]}
      containers:
      - {name: main, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [sh, -c, "exec sleep 3600"],
         volumeMounts: [{name: shared, mountPath: /shared}]}
      - {name: side, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [sh, -c, "exec sleep 3600"],
         volumeMounts: [{name: shared, mountPath: /shared}]}
      volumes: [{name: shared, emptyDir: {}}]
`

// TestImportSidecarAndInit runs a set whose init and second container come from the manifest.
// It needs the multi-container pod runtime; until the controller runs it, it is skipped with
// what the controller reports it cannot run.
func TestImportSidecarAndInit(t *testing.T) {
	p, err := loadManifestForCheck(strings.ReplaceAll(sidecarManifest, "%s", "check"))
	if err != nil {
		t.Fatal(err)
	}
	if gaps := orchestrator.Unsupported(p.StatefulSets["pair"]); len(gaps) > 0 {
		t.Skipf("needs the multi-container pod runtime (several containers per pod, a shared emptyDir); this build refuses: %s",
			strings.Join(gaps, "; "))
	}
	e, ns, file := importEnv(t, "e2eimpside", sidecarManifest, "busybox")
	e.must("up", "-f", file, "--timeout", "2m", "--progress", "plain")
	e.waitReady(ns, 1)
	for _, c := range []string{"main", "side"} {
		if r := e.must("exec", "-n", ns, "-c", c, "pair-0", "--", "cat", "/shared/marker"); r.stdout != "seeded\n" {
			t.Errorf("container %s reads %q from the shared volume, want the init container's %q", c, r.stdout, "seeded\n")
		}
	}
}

// loadManifestForCheck loads manifests in memory, as up would, without a daemon.
func loadManifestForCheck(doc string) (*compose.Project, error) {
	dir, err := os.MkdirTemp("", "ordset-check")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		return nil, err
	}
	p, _, err := kube.LoadFile(path, compose.LoadOptions{Env: map[string]string{}})
	return p, err
}
