package main

import (
	"strings"
	"testing"
)

// A file that loads but that the daemon would refuse on up fails validate too, naming the
// part: here a fieldRef the runtime does not resolve yet (the Cassandra tutorial's POD_IP).
func TestValidateRefusesWhatUpWould(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", "statefulsets:\n  db:\n    image: x\n    env:\n      - {name: POD_IP, valueFrom: {fieldRef: {fieldPath: status.podIP}}}\n")
	code, stdout, stderr := runIn(t, dir, nil, "validate")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "cannot run it") || !strings.Contains(stderr, "statefulset db") || !strings.Contains(stderr, "status.podIP") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 naming db and status.podIP", code, stdout, stderr)
	}
}
