package api

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
)

// The daemon's version rides on every response; the client reports the first one, once.
func TestDaemonVersionFromFirstResponse(t *testing.T) {
	c := serve(t, &fakeBackend{})
	var got []string
	c.OnDaemonVersion(func(v string) { got = append(got, v) })
	ctx := context.Background()
	if err := c.Scale(ctx, ScaleRequest{Namespace: "demo", Set: "nope", Replicas: 1}); err == nil {
		t.Fatal("scale of a missing set succeeded")
	}
	if _, err := c.Pods(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"test"}) {
		t.Errorf("OnDaemonVersion calls %q, want one with %q", got, "test")
	}
}

// A daemon from before the header: the hook hears "" and may ask the client itself.
func TestDaemonVersionMissingHeader(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "old.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v1/version" {
			w.Write([]byte(`{"version":"0.1-old"}`))
			return
		}
		w.Write([]byte(`[]`))
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	c := NewClient(sock)
	var got []string
	c.OnDaemonVersion(func(v string) {
		got = append(got, v)
		if info, err := c.Version(context.Background()); err == nil {
			got = append(got, info.Version)
		}
	})
	if _, err := c.Pods(context.Background(), "demo"); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"", "0.1-old"}) {
		t.Errorf("got %q, want the empty header then the asked version", got)
	}
}
