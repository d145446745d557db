//go:build integration

package docker_test

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/docker/docker/api/types/image"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator/docker"
)

// TestInfraImageRemovedIsMadeAgain: an infrastructure image removed while the daemon runs (a
// user pruning old builds' images) is made again on the next use, not reported as present
// from memory. The image is this test's own: a copy of the test binary with random bytes
// appended (still an ELF file), so its tag is unique and no other run uses it.
func TestInfraImageRemovedIsMadeAgain(t *testing.T) {
	ctx, cli := testCtx(t), testenv.Docker(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ordset")
	if err := os.WriteFile(path, append(bin, salt...), 0o755); err != nil {
		t.Fatal(err)
	}
	rt, err := docker.New(docker.Options{ExtraLabels: testenv.Labels(), InfraBinary: path})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	ref, err := rt.EnsureInfraImage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = cli.ImageRemove(ctx, ref, image.RemoveOptions{Force: true, PruneChildren: true}) })
	if _, err := cli.ImageRemove(ctx, ref, image.RemoveOptions{PruneChildren: true}); err != nil {
		t.Fatalf("remove %s: %v", ref, err)
	}
	again, err := rt.EnsureInfraImage(ctx)
	if err != nil || again != ref {
		t.Fatalf("after the image was removed: %q, %v; want %q made again", again, err, ref)
	}
	if _, err := cli.ImageInspect(ctx, ref); err != nil {
		t.Errorf("image %s not made again: %v", ref, err)
	}
}
