package main

import (
	"strings"
	"testing"
)

// A file that loads but that the daemon would refuse on up fails validate too, naming the
// part: here a subPath of an emptyDir, which the engine cannot mount.
func TestValidateRefusesWhatUpWould(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", "statefulsets:\n  db:\n    image: x\n    volumes: [{name: tmp, emptyDir: {}}]\n"+
		"    volumeMounts: [{name: tmp, mountPath: /t, subPath: x}]\n")
	code, stdout, stderr := runIn(t, dir, nil, "validate")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "cannot run it") || !strings.Contains(stderr, "statefulset db") || !strings.Contains(stderr, "subPath of mount /t") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 naming db and the subPath", code, stdout, stderr)
	}
}
