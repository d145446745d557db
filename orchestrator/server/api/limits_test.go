package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
)

// TestWatchFrameOfAnySize: a frame of 100000 pods (tens of MB of JSON) reaches the client;
// a line scanner failed with "token too long".
func TestWatchFrameOfAnySize(t *testing.T) {
	c := serve(t, &fakeBackend{framePods: 100000})
	var pods int
	err := c.Watch(context.Background(), "demo", []string{"web"}, func(f WatchFrame) error {
		pods = len(f.Sets[0].Pods)
		return ErrStop
	})
	if err != nil || pods != 100000 {
		t.Fatalf("watch: %d pods, %v", pods, err)
	}
}

// TestRequestBodyOverLimit: a body larger than the limit the loader checks is refused with a
// sentence saying so, not "unexpected EOF".
func TestRequestBodyOverLimit(t *testing.T) {
	c := serve(t, &fakeBackend{})
	one := 1
	huge := &compose.StatefulSet{Replicas: &one, Image: "x", Env: compose.EnvList{{Name: "A", Value: strings.Repeat("x", compose.MaxSpecBytes)}}}
	_, err := c.Apply(context.Background(), ApplyRequest{Namespace: "demo", Sets: map[string]*compose.StatefulSet{"a": huge}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "request body over 16 MiB") {
		t.Fatalf("apply of a huge body: %v", err)
	}
}

// TestStalledBodyIsDropped: a client that stops sending mid-body loses its connection once
// the body timeout passes, instead of holding it (and a goroutine) forever.
func TestStalledBodyIsDropped(t *testing.T) {
	defer func(d time.Duration) { bodyTimeout = d }(bodyTimeout)
	bodyTimeout = 200 * time.Millisecond
	sock := filepath.Join(t.TempDir(), "api.sock")
	l, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(&fakeBackend{}, slog.New(slog.DiscardHandler))
	go srv.Serve(context.Background(), l)
	defer srv.Shutdown(context.Background())

	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("POST /v1/scale HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"namespace\":")); err != nil {
		t.Fatal(err)
	}
	// Generous: the point is that the server ends it, not how fast.
	_ = conn.SetReadDeadline(time.Now().Add(time.Minute))
	_, err = io.ReadAll(conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("the server kept a connection with a stalled body open")
	}
}
