//go:build integration

package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/integration/testenv"
)

// walkthroughBlock returns the shell block that follows the "<!-- walkthrough -->" marker of
// the README: the commands a new user types, top to bottom.
func walkthroughBlock(readme string) (string, bool) {
	_, rest, ok := strings.Cut(readme, "<!-- walkthrough -->\n```sh\n")
	if !ok {
		return "", false
	}
	block, _, ok := strings.Cut(rest, "```")
	return block, ok
}

// The README's walkthrough runs as written, offline, against the real engine: the built
// binary as "ordset" on PATH, REDIS_IMAGE exported once (as the README says to), in a copy of
// examples/redis whose namespace is the test's own, with a private state directory.
func TestREADMEWalkthrough(t *testing.T) {
	testenv.EnsureImages(t, "redis")
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the walkthrough uses the docker CLI")
	}
	_, self, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(self))
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	block, ok := walkthroughBlock(string(readme))
	if !ok || !strings.Contains(block, "cd examples/redis") {
		t.Fatalf("no walkthrough block in README.md")
	}
	ns := testenv.UniqueNamespace(t, "readme")
	e := newCLIEnv(t)
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })

	// The example, in the test's namespace; "demo" in the commands (docker kill demo-redis-1) follows.
	dir := filepath.Join(e.workDir, "examples", "redis")
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(root, "examples", "redis"))); err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile(filepath.Join(dir, "ordset.yaml"))
	if err != nil || !strings.Contains(string(spec), "namespace: demo\n") {
		t.Fatalf("examples/redis/ordset.yaml no longer says namespace: demo (%v)", err)
	}
	os.WriteFile(filepath.Join(dir, "ordset.yaml"), []byte(strings.Replace(string(spec), "namespace: demo\n", "namespace: "+ns+"\n", 1)), 0o644)
	script := strings.ReplaceAll(block, "demo-", ns+"-")

	binDir := t.TempDir()
	if err := os.Symlink(e.bin, filepath.Join(binDir, "ordset")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euxo", "pipefail", "-c", script)
	cmd.Dir = e.workDir
	cmd.Env = append(e.env, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"), "REDIS_IMAGE=ordset-test/redis:latest")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walkthrough failed: %v\n%s", err, lastLines(string(out), 80))
	}
	for _, want := range []string{"role:slave", "master_host:redis-0.redis", "statefulset " + ns + "/redis restarted", "condition met"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("walkthrough output lacks %q:\n%s", want, lastLines(string(out), 80))
		}
	}
	if got := engineContainers(t, ns); len(got) != 0 {
		t.Errorf("containers left after the walkthrough's down --volumes: %v", got)
	}
	if got := engineVolumes(t, ns); len(got) != 0 {
		t.Errorf("volumes left after the walkthrough's down --volumes: %v", got)
	}
}
