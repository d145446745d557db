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

// TestStaticELF: the infrastructure image refuses a binary that needs a dynamic loader.
func TestStaticELF(t *testing.T) {
	if err := staticELF([]byte("#!/bin/sh\n")); err == nil {
		t.Error("a script passed as an ELF executable")
	}
	sh, err := os.ReadFile("/bin/sh") // dynamically linked on most distributions
	if err != nil {
		t.Skip(err)
	}
	switch err := staticELF(sh); {
	case err == nil:
		t.Skip("/bin/sh is static here")
	case !strings.Contains(err.Error(), "CGO_ENABLED=0"):
		t.Errorf("/bin/sh: %v", err)
	}
}
