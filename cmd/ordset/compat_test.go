package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// Habits of docker compose users: config --services, --env-file, up -d.
func TestComposeHabitsOffline(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", "namespace: habits\nstatefulsets:\n  web: {image: \"${IMG:-x}\"}\n  db: {image: y}\n")
	writeFile(t, dir, "other.env", "IMG=from-env-file:1\n")
	if code, stdout, stderr := runIn(t, dir, nil, "config", "--services"); code != 0 || stdout != "db\nweb\n" {
		t.Errorf("config --services: exit %d %q %q", code, stdout, stderr)
	}
	if code, stdout, stderr := runIn(t, dir, nil, "config", "--env-file", "other.env"); code != 0 || !strings.Contains(stdout, "from-env-file:1") {
		t.Errorf("config --env-file: exit %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := runIn(t, dir, nil, "config", "--env-file", "missing.env"); code != 1 || !strings.Contains(stderr, "missing.env") {
		t.Errorf("config --env-file missing.env: exit %d %q", code, stderr)
	}
}

func TestComposeHabitsWithDaemon(t *testing.T) {
	startFakeDaemon(t)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)
	if code, _, stderr := runIn(t, dir, nil, "up", "-d"); code != 0 || strings.Contains(stderr, "Pod clitest/web-0") {
		t.Errorf("up -d: exit %d (want 0, no progress)\n%s", code, stderr)
	}
	code, stdout, stderr := runIn(t, dir, nil, "rollout", "status", "web", "-o", "json", "--timeout", "20s")
	var st struct {
		Name  string `json:"name"`
		Ready int    `json:"ready"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &st) != nil || st.Name != "web" || st.Ready != 3 {
		t.Errorf("rollout status -o json: exit %d %q %q", code, stdout, stderr)
	}
	// -f is events' --follow: a file name after it is refused, not silently watched as "default".
	if code, _, stderr := runIn(t, dir, nil, "events", "-f", "ordset.yaml"); code != 2 || !strings.Contains(stderr, `unexpected argument "ordset.yaml"`) {
		t.Errorf("events -f FILE: exit %d %q", code, stderr)
	}
}
