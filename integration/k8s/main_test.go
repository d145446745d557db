//go:build k8s

package k8s

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the dry-run golden files")

// The control plane and the ordset binary every test of the package shares.
var (
	cp     *cluster
	ordset string
)

func TestMain(m *testing.M) {
	flag.Parse()
	if os.Getenv("ORDSET_SKIP_K8S") == "1" {
		fmt.Println("k8s: skipped: ORDSET_SKIP_K8S=1")
		os.Exit(0)
	}
	os.Exit(run(m))
}

func run(m *testing.M) int {
	bin := os.Getenv("ORDSET_K8S_DIR")
	if bin == "" {
		fmt.Fprintln(os.Stderr, "k8s: ORDSET_K8S_DIR is not set: run make test-k8s (it builds the control plane) or set ORDSET_SKIP_K8S=1")
		return 1
	}
	dir, err := os.MkdirTemp("", "ordset-k8s-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ordset = filepath.Join(dir, "ordset")
	build := exec.Command("go", "build", "-tags", "urfave_cli_no_docs", "-o", ordset, "../../cmd/ordset") // make build's tags
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "k8s: build ordset:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	start := time.Now()
	cp, err = startCluster(ctx, filepath.Join(bin, "bin"), dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8s: control plane:", err)
		return 1
	}
	defer cp.stop()
	fmt.Printf("k8s: etcd + kube-apiserver ready in %s\n", time.Since(start).Round(10*time.Millisecond))
	if err := cp.startControllers(ctx, filepath.Join(bin, "stage")); err != nil {
		fmt.Fprintln(os.Stderr, "k8s: controllers:", err)
		return 1
	}
	code := m.Run()
	if code != 0 {
		for _, name := range []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"} {
			fmt.Fprintf(os.Stderr, "---- %s log (end)\n%s\n", name, cp.logTail(name))
		}
	}
	return code
}
