//go:build integration

package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordset/ordset/integration/testenv"
)

// `ordset up` on a set whose init container keeps failing gives up with the init container's
// failure instead of waiting out its timeout: Init:Error and Init:CrashLoopBackOff are typed
// failures like their main-container counterparts. The command's own timeout (15 s) is the
// deadline, and the test asserts that the failure, not the timeout, ended the wait.
func TestCLIUpFailsOnCrashLoopingInitContainer(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "e2einit")
	e := newCLIEnv(t)
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })
	set := `namespace: %s
statefulsets:
  app:
    image: ordset-test/busybox:latest
    command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"]
    initContainers:
      - {name: migrate, image: ordset-test/busybox:latest, command: [sh, -c, "echo migration failed >&2; exit 3"]}
`
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(fmt.Sprintf(set, ns)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.run("up", "--timeout", "15s", "--progress", "plain")
	if r.code != 1 {
		t.Fatalf("up with a failing init container: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stderr, "timed out") {
		t.Fatalf("up waited out its timeout instead of failing on the init container:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "pod "+ns+"/app-0 is Init:") {
		t.Errorf("the error does not name the pod's init failure:\n%s", r.stderr)
	}
	if got := engineContainers(t, ns); len(got) != 0 {
		t.Errorf("main containers %v created past a failed init container", got)
	}
}
