//go:build integration

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordset/ordset/integration/testenv"
)

// TestTwoDaemonsOneEngine: two state directories (two users, or a user and a CI job) share the
// engine. The second daemon neither removes the first one's retained volume with
// `down --volumes`, nor reports its objects as orphans, nor takes over its namespace; the
// first one's scale-up finds its data again.
func TestTwoDaemonsOneEngine(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ns := testenv.UniqueNamespace(t, "owner")
	a, b := newCLIEnv(t), newCLIEnv(t)
	for _, e := range []*cliEnv{a, b} {
		if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(fmt.Sprintf(webSet, ns)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { a.run("down", "-n", ns, "--volumes", "--timeout", "1m") })

	a.must("up", "--timeout", "2m", "--progress", "plain")
	pods := a.waitReady(ns, 3)
	httpDo(t, "PUT", "http://"+pods[2].IP+":8080/data/k", "kept")
	a.must("scale", "web", "2", "-n", ns, "--timeout", "1m")
	a.waitReady(ns, 2)
	retained := ns + "_data-web-2"
	if !slices.Contains(engineVolumes(t, ns), retained) {
		t.Fatalf("scale-down did not retain %s: %v", retained, engineVolumes(t, ns))
	}

	// B's down --volumes of the namespace finds nothing of its own to delete.
	if r := b.run("down", "-n", ns, "--volumes", "--timeout", "30s"); !strings.Contains(r.stdout+r.stderr, "nothing to delete") {
		t.Errorf("down --volumes by another daemon:\n%s%s", r.stdout, r.stderr)
	}
	if !slices.Contains(engineVolumes(t, ns), retained) {
		t.Fatalf("another daemon's down --volumes removed %s", retained)
	}
	// Nor are A's objects B's orphans.
	if st := b.must("daemon", "status").stdout; strings.Contains(st, ns) {
		t.Errorf("daemon status of another state directory lists this namespace's objects:\n%s", st)
	}
	// B cannot run the same namespace (A's network, A's pod names): an error, A untouched.
	if r := b.run("up", "--timeout", "20s", "--progress", "plain"); r.code == 0 {
		t.Errorf("another daemon's up of a namespace in use succeeded:\n%s", r.stderr)
	}
	if got := a.waitReady(ns, 2); got[0].Container != pods[0].Container {
		t.Errorf("A's pods changed: %+v", got)
	}
	b.run("down", "-n", ns, "--timeout", "30s")

	// A's scale-up finds web-2's data where web-2 left it.
	a.must("scale", "web", "3", "-n", ns, "--timeout", "1m")
	pods = a.waitReady(ns, 3)
	if got := httpDo(t, "GET", "http://"+pods[2].IP+":8080/data/k", ""); got != "kept" {
		t.Errorf("web-2's data after the other daemon's down --volumes: %q", got)
	}
}
