package main

import (
	"strings"
	"testing"
)

// A file that loads but that the daemon would refuse on up fails validate too, naming the
// part: here a runAsGroup without a runAsUser, which Docker cannot express (its --user
// names a user, or a user and a group).
func TestValidateRefusesWhatUpWould(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", "statefulsets:\n  db:\n    image: x\n    securityContext: {runAsGroup: 1000}\n")
	code, stdout, stderr := runIn(t, dir, nil, "validate")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "cannot run it") || !strings.Contains(stderr, "statefulset db") || !strings.Contains(stderr, "runAsGroup") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 naming db and runAsGroup", code, stdout, stderr)
	}
}
