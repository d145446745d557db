package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// delete pod, restart and wait against the in-process daemon over the fake runtime.
func TestDeleteRestartWait(t *testing.T) {
	startFakeDaemon(t)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)
	if code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "20s"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	containerID := func(pod string) string {
		_, stdout, _ := runIn(t, dir, nil, "ps", pod, "-o", "json")
		var pods []api.Pod
		if err := json.Unmarshal([]byte(stdout), &pods); err != nil || len(pods) != 1 {
			t.Fatalf("ps %s -o json: %v %s", pod, err, stdout)
		}
		return pods[0].ContainerID
	}
	before := containerID("web-1")
	code, _, stderr := runIn(t, dir, nil, "delete", "pod", "web-1", "--wait", "--timeout", "20s")
	if code != 0 || !strings.Contains(stderr, "pod clitest/web-1 deleted") {
		t.Fatalf("delete pod --wait: exit %d\n%s", code, stderr)
	}
	if after := containerID("web-1"); after == before || after == "" {
		t.Errorf("web-1 container %q after delete, was %q: not recreated", after, before)
	}
	before = containerID("web-2")
	if code, _, stderr = runIn(t, dir, nil, "restart", "web-2", "--timeout", "20s"); code != 0 {
		t.Fatalf("restart web-2: exit %d\n%s", code, stderr)
	}
	if after := containerID("web-2"); after == before {
		t.Errorf("restart web-2 kept container %q", after)
	}
	before = containerID("web-0")
	code, _, stderr = runIn(t, dir, nil, "restart", "--progress", "plain", "--timeout", "20s")
	if code != 0 || !strings.Contains(stderr, "statefulset clitest/web restarted") {
		t.Fatalf("restart (every set): exit %d\n%s", code, stderr)
	}
	if after := containerID("web-0"); after == before {
		t.Errorf("restart kept web-0's container %q", after)
	}
	code, stdout, stderr := runIn(t, dir, nil, "wait", "--for=condition=Ready", "web", "pod/web-0", "--timeout", "20s")
	if code != 0 || stdout != "web condition met\nweb-0 condition met\n" {
		t.Errorf("wait Ready: exit %d %q %q", code, stdout, stderr)
	}
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"wait", "--for=delete", "web-0", "--timeout", "300ms"}, 1, "timed out after 300ms: web-0 still exists"},
		{[]string{"wait", "nosuch", "--timeout", "300ms"}, 1, "nosuch does not exist"},
		{[]string{"wait", "--for=condition=Healthy", "web"}, 2, "unsupported --for"},
		{[]string{"wait"}, 2, "wait needs at least one NAME"},
		{[]string{"delete", "pod", "nosuch"}, 1, `no pod "nosuch"`},
		{[]string{"restart", "nosuch"}, 1, `no statefulset or pod "nosuch"`},
	} {
		code, _, stderr := runIn(t, dir, nil, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d\n%s\nwant %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

// Completion offers the running daemon's set and pod names where a command takes them.
func TestCompletionOfNames(t *testing.T) {
	startFakeDaemon(t)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)
	if code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "20s"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	tests := []struct {
		args      []string
		want, not []string
	}{
		{[]string{"logs", "--generate-bash-completion"}, []string{"web\n", "web-0\n", "web-2\n"}, nil},
		{[]string{"exec", "--generate-bash-completion"}, []string{"web-1\n"}, []string{"web\n"}},
		{[]string{"scale", "--generate-bash-completion"}, []string{"web\n"}, []string{"web-0\n"}},
		{[]string{"delete", "pod", "--generate-bash-completion"}, []string{"web-0\n"}, nil},
	}
	for _, tt := range tests {
		_, stdout, _ := runIn(t, dir, nil, tt.args...)
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: %q lacks %q", tt.args, stdout, w)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(stdout, w) {
				t.Errorf("%v: %q has %q", tt.args, stdout, w)
			}
		}
	}
	for _, sh := range []string{"bash", "zsh", "fish"} {
		if code, stdout, _ := runIn(t, dir, nil, "completion", sh); code != 0 || !strings.Contains(stdout, "--generate-bash-completion") {
			t.Errorf("completion %s: exit %d", sh, code)
		}
	}
}
