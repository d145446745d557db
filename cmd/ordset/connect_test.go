package main

import (
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/statedir"
)

// cannedDaemon answers every request on the state dir's socket with an empty list (a version
// for GET /v1/version), sending the version header unless header is ""; it returns the
// paths requested so far.
func cannedDaemon(t *testing.T, header, daemonVersion string) func() []string {
	t.Helper()
	dir := shortStateDir(t)
	l, err := net.Listen("unix", statedir.PathsIn(dir).Socket)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var paths []string
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		if header != "" {
			w.Header().Set(api.VersionHeader, header)
		}
		if r.URL.Path == "/v1/version" {
			w.Write([]byte(`{"version":"` + daemonVersion + `"}`))
			return
		}
		w.Write([]byte(`[]`))
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(paths)
	}
}

// ps against a running daemon is one round trip: its version comes with the answer.
func TestPsIsOneRequest(t *testing.T) {
	requests := cannedDaemon(t, version, version)
	code, _, stderr := runIn(t, t.TempDir(), nil, "ps", "-n", "demo")
	if code != 0 || strings.Contains(stderr, "warning") {
		t.Fatalf("ps: exit %d\n%s", code, stderr)
	}
	if got := requests(); !slices.Equal(got, []string{"/v1/pods"}) {
		t.Errorf("ps requested %q, want only /v1/pods", got)
	}
}

// A daemon from before the version header is asked its version, and an old one pointed out.
func TestPsAsksAnOldDaemonItsVersion(t *testing.T) {
	requests := cannedDaemon(t, "", "0.1-old")
	code, _, stderr := runIn(t, t.TempDir(), nil, "ps", "-n", "demo")
	if code != 0 || !strings.Contains(stderr, "warning: the running daemon is ordset 0.1-old, this client is "+version) {
		t.Fatalf("ps: exit %d\n%s", code, stderr)
	}
	if got := requests(); !slices.Equal(got, []string{"/v1/pods", "/v1/version"}) {
		t.Errorf("ps requested %q", got)
	}
}
