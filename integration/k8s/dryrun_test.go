//go:build k8s

package k8s

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/ordset/ordset/internal/golden"
)

// export runs the built ordset binary; stderr (warnings) is returned apart.
func export(t *testing.T, file string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(ordset, append([]string{"export", "-f", file}, args...)...)
	// A fixed environment, so the examples' ${VAR:-default}s and the golden files agree.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "VALID_ENV_WINS=from-environment"}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ordset export -f %s: %v\n%s", file, err, stderr.String())
	}
	return out
}

// TestDryRunGolden: the API server accepts the export of every example and test file, and
// what it would store (defaults applied) matches the golden file.
func TestDryRunGolden(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	root, _ := filepath.Abs("../..")
	for _, f := range golden.OrdsetFiles(t, "../..") {
		t.Run(golden.Name(f), func(t *testing.T) {
			manifests := export(t, f)
			// Namespaced objects need their namespace to exist, even in a dry run.
			ns := firstDocument(t, manifests)
			if _, err := cp.kubectl(ctx, ns, "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			out, err := cp.kubectl(ctx, manifests, "apply", "--dry-run=server", "-o", "yaml", "-f", "-")
			if err != nil {
				t.Fatalf("the API server refused the export: %v", err)
			}
			got := strings.ReplaceAll(string(stable(t, out)), root, "$REPO")
			checkGolden(t, filepath.Join("testdata", "dryrun-"+golden.Name(f)+".yaml"), []byte(got))
		})
	}
}

func firstDocument(t *testing.T, manifests []byte) []byte {
	t.Helper()
	parts := strings.SplitN(string(manifests), "\n---\n", 3)
	if len(parts) < 2 || !strings.Contains(parts[1], "kind: Namespace") {
		t.Fatalf("export does not start with a Namespace:\n%s", manifests)
	}
	return []byte(parts[1])
}

// volatile are the fields the server sets differently on every run.
var volatile = map[string]bool{"uid": true, "resourceVersion": true, "creationTimestamp": true, "managedFields": true, "generation": true}

// stable drops run-specific fields (and kubectl's copy of the input) from the server's answer.
func stable(t *testing.T, out []byte) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(out, &doc); err != nil {
		t.Fatalf("server output: %v\n%s", err, out)
	}
	var strip func(n *yaml.Node)
	strip = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			kept := n.Content[:0]
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				if volatile[k] || k == "kubectl.kubernetes.io/last-applied-configuration" {
					continue
				}
				had := len(v.Content)
				strip(v)
				if had > 0 && len(v.Content) == 0 {
					continue // only volatile fields: annotations that held kubectl's copy alone
				}
				kept = append(kept, n.Content[i], v)
			}
			n.Content = kept
			return
		}
		for _, c := range n.Content {
			strip(c)
		}
	}
	strip(&doc)
	b, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// allocatedIP reports a Service's virtual IP the server allocates afresh on every run
// (clusterIP, clusterIPs of a ClusterIP Service; a headless one's "None" is kept).
func allocatedIP(key string, v *yaml.Node) bool {
	switch key {
	case "clusterIP":
		return v.Value != "None"
	case "clusterIPs":
		return len(v.Content) > 0 && v.Content[0].Value != "None"
	}
	return false
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	golden.Check(t, path, got, *update, "run make test-k8s K8S_TEST_FLAGS=-update")
}
