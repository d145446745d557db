package main

import (
	"strings"
	"testing"
)

const manifestWithNodeSelector = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: shop}
spec:
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      nodeSelector: {disk: ssd}
      containers:
      - name: web
        image: registry.k8s.io/nginx-slim:0.21
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {maxUnavailable: 1}
`

// --strict turns every warning into an error (all listed, exit 1); --image and the images
// file replace images before validation and config shows the result.
func TestStrictAndImageOverrides(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "web.yaml", manifestWithNodeSelector)

	code, _, stderr := runIn(t, dir, nil, "validate", "-f", "web.yaml")
	if code != 0 || strings.Count(stderr, "warning: ") != 2 {
		t.Errorf("validate without --strict: exit %d, want 0 and two warnings:\n%s", code, stderr)
	}
	code, _, stderr = runIn(t, dir, nil, "validate", "--strict", "-f", "web.yaml")
	if code != 1 || strings.Count(stderr, "(an error with --strict)") != 2 ||
		!strings.Contains(stderr, "web.yaml:10:") || !strings.Contains(stderr, "web.yaml:16:") {
		t.Errorf("validate --strict: exit %d, want 1 and both warnings as errors with positions:\n%s", code, stderr)
	}

	code, stdout, stderr := runIn(t, dir, nil, "config", "-f", "web.yaml", "--image", "registry.k8s.io/nginx-slim=ordset-test/testapp:latest")
	if code != 0 || !strings.Contains(stdout, "image: ordset-test/testapp:latest") || !strings.Contains(stdout,
		"# image override: statefulsets.web.containers[0]: registry.k8s.io/nginx-slim:0.21 -> ordset-test/testapp:latest (--image registry.k8s.io/nginx-slim=ordset-test/testapp:latest)\n") {
		t.Errorf("config --image: exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = runIn(t, dir, nil, "config", "-f", "web.yaml", "--image", "nothere=x:1")
	if code != 0 || !strings.Contains(stderr, "override of nothere matches no image") {
		t.Errorf("config with an unused --image: exit %d, want 0 and a warning\n%s", code, stderr)
	}
	if code, _, stderr = runIn(t, dir, nil, "config", "-f", "web.yaml", "--image", "nothing-to-replace"); code != 2 {
		t.Errorf("config --image without '=': exit %d, want 2 (usage)\n%s", code, stderr)
	}

	writeFile(t, dir, "ordset-images.yaml", "images:\n- name: registry.k8s.io/nginx-slim\n  newName: myorg/nginx\n  newTag: local\n")
	code, stdout, stderr = runIn(t, dir, nil, "config", "-f", dir)
	if code != 0 || !strings.Contains(stdout, "image: myorg/nginx:local") || !strings.Contains(stdout, "ordset-images.yaml:2:3)") {
		t.Errorf("config with %s beside a directory: exit %d\n%s%s", "ordset-images.yaml", code, stdout, stderr)
	}
	code, stdout, _ = runIn(t, dir, nil, "config", "-f", "web.yaml", "--image", "registry.k8s.io/nginx-slim:0.21=flag/wins:1")
	if code != 0 || !strings.Contains(stdout, "image: flag/wins:1") {
		t.Errorf("--image must win over the images file: exit %d\n%s", code, stdout)
	}

	writeFile(t, dir, "ordset-images.yaml", "images:\n- name: registry.k8s.io/nginx-slim\n  newTag: \"bad tag\"\n  tag: x\n")
	code, _, stderr = runIn(t, dir, nil, "validate", "-f", "web.yaml")
	if code != 1 || !strings.Contains(stderr, "ordset-images.yaml:4:3: images[0].tag: unknown field") {
		t.Errorf("a bad images file: exit %d, want 1 with file:line:col\n%s", code, stderr)
	}
}
