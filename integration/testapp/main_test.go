package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	dir := t.TempDir()
	notReady := filepath.Join(dir, "not-ready")
	ready := func() bool { _, err := os.Stat(notReady); return err != nil }
	srv := httptest.NewServer(handler(config{dataDir: dir}, ready))
	defer srv.Close()

	do := func(method, path, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := do("GET", "/ready", ""); code != 200 {
		t.Fatalf("/ready = %d, want 200", code)
	}
	if err := os.WriteFile(notReady, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _ := do("GET", "/ready", ""); code != 503 {
		t.Fatalf("/ready with switch file = %d, want 503", code)
	}
	if code, _ := do("GET", "/data/k", ""); code != 404 {
		t.Fatalf("missing key = %d, want 404", code)
	}
	if code, _ := do("PUT", "/data/k", "v1"); code != 204 {
		t.Fatalf("PUT = %d", code)
	}
	if code, body := do("GET", "/data/k", ""); code != 200 || body != "v1" {
		t.Fatalf("GET = %d %q", code, body)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "k")); string(b) != "v1" {
		t.Fatalf("file holds %q", b)
	}
	t.Setenv("TESTAPP_X", "42")
	if code, body := do("GET", "/env/TESTAPP_X", ""); code != 200 || body != "42" {
		t.Fatalf("/env = %d %q", code, body)
	}
}

func TestSubcommands(t *testing.T) {
	f := filepath.Join(t.TempDir(), "f")
	if subcommand("touch", []string{f}) != 0 {
		t.Fatal("touch failed")
	}
	if _, err := os.Stat(f); err != nil {
		t.Fatal(err)
	}
	first, again := subcommand("rm", []string{f}), subcommand("rm", []string{f})
	if first != 0 || again != 0 {
		t.Fatal("rm must succeed, also when the file is gone")
	}
	if subcommand("probe", []string{"tcp://127.0.0.1:1"}) == 0 {
		t.Fatal("probe of a closed port must fail")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad" {
			w.WriteHeader(503)
		}
	}))
	defer srv.Close()
	if subcommand("probe", []string{srv.URL + "/ok"}) != 0 || subcommand("probe", []string{srv.URL + "/bad"}) == 0 {
		t.Fatal("http probe exit codes wrong")
	}
	if subcommand("nope", []string{"x"}) == 0 {
		t.Fatal("unknown command must fail")
	}
}
