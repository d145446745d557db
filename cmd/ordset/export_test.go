package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runStdin runs the CLI with stdin and returns the exit code, stdout and stderr.
func runStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &streams{Out: &out, Err: &errb, In: strings.NewReader(stdin), Environ: func() []string { return nil }}
	code := runStreams(context.Background(), append([]string{"ordset"}, args...), env)
	return code, out.String(), errb.String()
}

// TestExportRoundTrip: export | config -f - gives the spec config prints for the file, and
// what has no Kubernetes equivalent is a warning on stderr.
func TestExportRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", "namespace: demo\nstatefulsets:\n  db:\n    image: postgres:16\n    replicas: 2\n    ports: [{name: sql, containerPort: 5432, hostPort: 15432}]\n")
	code, manifests, stderr := runIn(t, dir, nil, "export")
	if code != 0 || !strings.Contains(manifests, "kind: StatefulSet") || !strings.Contains(manifests, "# Kubernetes manifests exported by ordset from ordset.yaml") {
		t.Fatalf("export: exit %d, stderr %q, stdout:\n%s", code, stderr, manifests)
	}
	if !strings.Contains(stderr, "warning: StatefulSet/db: port 5432: hostPort 15432 + ordinal has no StatefulSet equivalent") {
		t.Errorf("no hostPort warning on stderr: %q", stderr)
	}
	_, want, _ := runIn(t, dir, nil, "config")
	code, got, stderr := runStdin(t, manifests, "config", "-f", "-")
	if code != 0 || got != want {
		t.Errorf("config of the export: exit %d, stderr %q\n--- got\n%s\n--- want\n%s", code, stderr, got, want)
	}
	code, _, stderr = runStdin(t, manifests, "export", "-o", "table", "-f", "-")
	if code != 2 || !strings.Contains(stderr, "export does not support -o table") {
		t.Errorf("export -o table: exit %d, stderr %q; want a usage error", code, stderr)
	}
}

// TestValidateManifestPosition: a typo in a Kubernetes manifest is reported at file:line:col.
func TestValidateManifestPosition(t *testing.T) {
	in := "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web}\nspec:\n  replicaz: 2\n"
	code, _, stderr := runStdin(t, in, "validate", "-f", "-")
	want := "<stdin>:5:3: StatefulSet/web spec.replicaz: unknown field \"replicaz\"\n"
	if code != 1 || !strings.HasSuffix(stderr, want) {
		t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
}

// TestSeveralFiles: several -f (and a directory) are read as one stream of manifests; an
// ordset file among them is refused.
func TestSeveralFiles(t *testing.T) {
	dir := t.TempDir()
	svc := writeFile(t, dir, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {clusterIP: None, publishNotReadyAddresses: true}\n")
	sts := writeFile(t, dir, "sts.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web, namespace: shop}\nspec:\n  serviceName: web\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx:1.27}]}\n")
	for _, args := range [][]string{{"-f", svc, "-f", sts}, {"-f", dir}} {
		code, out, stderr := runIn(t, "", nil, append([]string{"config"}, args...)...)
		if code != 0 || !strings.Contains(out, "namespace: shop") || !strings.Contains(out, "publishNotReadyAddresses: true") {
			t.Errorf("config %v: exit %d, stderr %q, stdout:\n%s", args, code, stderr, out)
		}
	}
	own := writeFile(t, t.TempDir(), "ordset.yaml", "statefulsets:\n  db: {image: postgres:16}\n")
	code, _, stderr := runIn(t, "", nil, "config", "-f", sts, "-f", own)
	if code != 1 || !strings.Contains(stderr, "is not a Kubernetes manifest") {
		t.Errorf("manifest + ordset file: exit %d, stderr %q; want 1 and a refusal", code, stderr)
	}
}
