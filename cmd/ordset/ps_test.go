package main

import (
	"strings"
	"testing"
)

// testPsSelection runs ps's selection flags against the fake daemon's five web pods.
func testPsSelection(t *testing.T, dir string) {
	t.Helper()
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"ps", "web-1", "-q"}, 0, "web-1\n"}, // once listed every pod
		{[]string{"ps", "web", "-q"}, 0, "web-0\nweb-1\nweb-2\nweb-3\nweb-4\n"},
		{[]string{"ps", "-q", "--filter", "name=web-3"}, 0, "web-3\n"},
		{[]string{"ps", "-q", "--filter", "ready=false"}, 0, ""},
		{[]string{"ps", "web-4", "--format", "{{.Name}} {{.StatefulSet}} {{.Ready}}"}, 0, "web-4 web true\n"},
		{[]string{"ps", "nosuch"}, 1, ""},
		{[]string{"ps", "--filter", "colour=red"}, 2, ""},
		{[]string{"ps", "--format", "{{.Nope"}, 2, ""},
	}
	for _, tt := range tests {
		code, stdout, stderr := runIn(t, dir, nil, tt.args...)
		if code != tt.code || stdout != tt.want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d, %q", strings.Join(tt.args, " "), code, stdout, stderr, tt.code, tt.want)
		}
	}
}
