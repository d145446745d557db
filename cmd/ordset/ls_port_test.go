package main

import (
	"strings"
	"testing"
)

const publishedFile = `namespace: pub
statefulsets:
  web:
    image: ordset-test/testapp:latest
    replicas: 2
    ports: [{name: http, containerPort: 8080, hostPort: 18080}, {name: admin, containerPort: 9090}]
`

func TestLsAndPort(t *testing.T) {
	startFakeDaemon(t)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", publishedFile)
	if code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "20s"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := runIn(t, dir, nil, "ls")
	if code != 0 || !strings.Contains(stdout, "NAMESPACE") || !strings.Contains(stdout, "pub ") || !strings.Contains(stdout, "2/2") || !strings.Contains(stdout, "converged") {
		t.Errorf("ls: exit %d\n%s%s", code, stdout, stderr)
	}
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"port", "web-1", "8080"}, 0, "127.0.0.1:18081\n"}, // hostPort + ordinal
		{[]string{"port", "web-0", "http"}, 0, "127.0.0.1:18080\n"},
		{[]string{"port", "web-0", "8080/tcp"}, 0, "127.0.0.1:18080\n"},
		{[]string{"port", "web-0"}, 0, "8080/tcp -> 127.0.0.1:18080\n"},
		{[]string{"port", "web-0", "admin"}, 1, ""},
		{[]string{"port", "web-9", "http"}, 1, ""},
		{[]string{"port"}, 2, ""},
	}
	for _, tt := range tests {
		code, stdout, stderr := runIn(t, dir, nil, tt.args...)
		if code != tt.code || stdout != tt.out {
			t.Errorf("%v: exit %d %q %q; want %d %q", tt.args, code, stdout, stderr, tt.code, tt.out)
		}
	}
	// ps -o wide shows the published host port, not only the container port.
	if code, stdout, _ := runIn(t, dir, nil, "ps", "-o", "wide"); code != 0 || !strings.Contains(stdout, "http:127.0.0.1:18081->8080/tcp") {
		t.Errorf("ps -o wide: exit %d\n%s", code, stdout)
	}
}
