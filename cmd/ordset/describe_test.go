package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// describe POD shows how its container ended: the exit code a crash loop needs.
func TestDescribePodContainerState(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	d := api.Description{Pod: &api.Pod{Name: "web-0", Status: "CrashLoopBackOff"},
		ContainerState: &api.ContainerState{State: "exited", ExitCode: 3, FinishedAt: now.Add(-5 * time.Second)},
		LastState:      &api.ContainerState{State: "exited", ExitCode: 2, FinishedAt: now.Add(-time.Minute)}}
	var b bytes.Buffer
	printDescription(&b, d, now)
	if !strings.Contains(b.String(), "Container State:       exited, exit code 3, finished 2026-01-01T11:59:55Z (5s ago)") ||
		!strings.Contains(b.String(), `Last State:            exited, exit code 2, finished 2026-01-01T11:59:00Z (60s ago) ("logs -p" shows its output)`) {
		t.Errorf("describe:\n%s", b.String())
	}
	for _, tt := range []struct {
		cs   api.ContainerState
		want string
	}{
		{api.ContainerState{State: "running", StartedAt: now}, "running since 2026-01-01T12:00:00Z"},
		{api.ContainerState{State: "exited", ExitCode: 137, OOMKilled: true}, "exited, OOMKilled (exit code 137)"},
		{api.ContainerState{State: "created", Error: "no such file"}, "created, error: no such file"},
	} {
		if got := containerState(tt.cs, now); got != tt.want {
			t.Errorf("containerState(%+v) = %q, want %q", tt.cs, got, tt.want)
		}
	}
}
