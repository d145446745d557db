package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestServePprofRefusesAnAddressOffThisHost(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, addr := range []string{"0.0.0.0:6060", ":6060", "192.0.2.1:6060", "localhost"} {
		_, err := servePprof(context.Background(), addr, log)
		if err == nil || !strings.Contains(err.Error(), "ORDSET_PPROF_ADDR") {
			t.Errorf("%s: err = %v, want a refusal naming ORDSET_PPROF_ADDR", addr, err)
		}
	}
}

func TestServePprofServesOnLoopbackUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := servePprof(ctx, "127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Fatalf("GET goroutine profile: %s\n%.200s", resp.Status, body)
	}
	cancel()
	for i := 0; i < 100; i++ {
		if _, err = http.Get("http://" + addr + "/debug/pprof/"); err != nil {
			return // closed with the context
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the pprof server still answers after its context ended")
}
