package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/ordset/ordset/orchestrator/identity"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/client"

	"github.com/ordset/ordset/orchestrator/docker"
)

// Label marks every Docker object a test creates, so leftovers can be swept. It is not the
// io.ordset.test label the offline images carry: containers inherit their image's labels, so an
// image label cannot tell a test's container from a user's pod made from the same image.
const Label = "io.ordset.test.object"

// Labels is the label set to put on test objects (docker.Options.ExtraLabels, foreign fixtures).
func Labels() map[string]string { return map[string]string{Label: "1"} }

// RepoRoot finds the module root (the directory holding go.mod) above the working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

var (
	imagesMu    sync.Mutex
	imagesBuilt = map[string]bool{}
)

// EnsureImages builds ordset-test/NAME:latest for each name with integration/images/build.sh
// (a no-op when current), once per test process.
func EnsureImages(t testing.TB, names ...string) {
	t.Helper()
	imagesMu.Lock()
	defer imagesMu.Unlock()
	var todo []string
	for _, n := range names {
		if !imagesBuilt[n] {
			todo = append(todo, n)
		}
	}
	if len(todo) == 0 {
		return
	}
	script := filepath.Join(RepoRoot(t), "integration", "images", "build.sh")
	cmd := exec.Command("bash", append([]string{script}, todo...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("testenv: build images %v: %v\n%s", todo, err, out)
	}
	t.Logf("testenv: %s", strings.TrimSpace(string(out)))
	for _, n := range todo {
		imagesBuilt[n] = true
	}
}

// Image returns the tag of a test image (after EnsureImages).
func Image(name string) string { return "ordset-test/" + name + ":latest" }

// Docker returns a client for the engine from the environment, closed when the test ends.
// The test fails when no engine answers: integration tests need one.
func Docker(t testing.TB) *client.Client {
	t.Helper()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatalf("testenv: docker client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(ctx); err != nil {
		t.Fatalf("testenv: no Docker engine: %v", err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

// Runtime returns an ordset runtime that labels everything it creates as a test object.
func Runtime(t testing.TB) *docker.Runtime {
	t.Helper()
	rt, err := docker.New(docker.Options{ExtraLabels: Labels()})
	if err != nil {
		t.Fatalf("testenv: runtime: %v", err)
	}
	t.Cleanup(func() { rt.Close() })
	return rt
}

var nsPrefixRe = regexp.MustCompile(`[^a-z0-9]+`)

// UniqueNamespace returns a fresh namespace "t<prefix>-<6 hex>" and registers a cleanup that
// sweeps every test object of it when the test ends.
func UniqueNamespace(t testing.TB, prefix string) string {
	t.Helper()
	p := nsPrefixRe.ReplaceAllString(strings.ToLower(prefix), "")
	if len(p) > 20 {
		p = p[:20]
	}
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	ns := "t" + p + "-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
		if err != nil {
			t.Errorf("testenv: sweep %s: %v", ns, err)
			return
		}
		defer cli.Close()
		if err := Sweep(ctx, cli, ns); err != nil {
			t.Errorf("testenv: sweep %s: %v", ns, err)
		}
	})
	return ns
}

// Names of a namespace's objects, as ordset spells them (see DESIGN.md, "Identity and naming").
func containerPrefix(ns string) string { return ns + "-" }
func volumePrefix(ns string) string    { return ns + "_" }
func networkName(ns string) string     { return identity.NetworkName(ns) }

func errorf(errs []string) error {
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(errs, "; "))
}
