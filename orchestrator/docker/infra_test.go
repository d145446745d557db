package docker

import (
	"os"
	"strings"
	"testing"

	"github.com/ordset/ordset/orchestrator"
)

// TestJoinedContainerConfig: a container joined to an infrastructure container gets no
// endpoint of its own (Docker 20.10 refuses one) and shares the IPC and PID namespaces asked.
func TestJoinedContainerConfig(t *testing.T) {
	r := &Runtime{}
	_, host, netCfg, err := r.containerConfig(orchestrator.ContainerSpec{Name: "demo-web-0_side", Image: "img",
		Network: "container:abc", IpcMode: "container:abc", PidMode: "container:abc"})
	if err != nil {
		t.Fatal(err)
	}
	if netCfg != nil || host.NetworkMode != "container:abc" || host.IpcMode != "container:abc" || host.PidMode != "container:abc" {
		t.Errorf("joined: networking %+v, network %q, ipc %q, pid %q", netCfg, host.NetworkMode, host.IpcMode, host.PidMode)
	}
	_, host, netCfg, _ = r.containerConfig(orchestrator.ContainerSpec{Name: "demo-web-0", Image: "i", Network: "ordset-demo", IpcMode: "shareable"})
	if netCfg == nil || host.IpcMode != "shareable" {
		t.Errorf("infra: networking %+v, ipc %q", netCfg, host.IpcMode)
	}
}

// TestLoaderFiles: a static binary needs nothing beside it in the infrastructure image; a
// dynamically linked one brings its loader and libraries from the host.
func TestLoaderFiles(t *testing.T) {
	if _, err := loaderFiles([]byte("#!/bin/sh\n")); err == nil {
		t.Error("a script passed as an ELF executable")
	}
	self, err := os.ReadFile("/proc/self/exe") // the test binary
	if err != nil {
		t.Skip(err)
	}
	files, err := loaderFiles(self)
	if err != nil {
		t.Fatal(err)
	}
	sh, err := os.ReadFile("/bin/sh")
	if err != nil {
		t.Skip(err)
	}
	shFiles, err := loaderFiles(sh)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test binary needs %d files, /bin/sh %d", len(files), len(shFiles))
	for _, f := range shFiles {
		if strings.HasPrefix(f.path, "/") || len(f.data) == 0 {
			t.Errorf("file %q (%d bytes): want a relative path with content", f.path, len(f.data))
		}
	}
	if len(shFiles) > 0 && !strings.Contains(shFiles[0].path, "ld-") {
		t.Errorf("first file %q: want the loader", shFiles[0].path)
	}
}
