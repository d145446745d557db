package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkPs200Pods is `ordset ps` of 200 pods against an in-process daemon over the fake
// runtime: the app, both requests, the daemon's handler, JSON both ways and the table;
// everything but the process start and package init, which the benchmark cannot see
// (GODEBUG=inittrace=1 ordset --version shows those). Stdout is a counting writer, so the
// number of writes that would reach the terminal is reported too.
func BenchmarkPs200Pods(b *testing.B) {
	_, _ = startFakeDaemonStoppable(b)
	file := filepath.Join(b.TempDir(), "ordset.yaml")
	doc := "namespace: bench\nstatefulsets:\n  kv:\n    image: ordset-test/busybox:latest\n    replicas: 200\n    podManagementPolicy: Parallel\n"
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		b.Fatal(err)
	}
	var errb bytes.Buffer
	if code := runStreams(context.Background(), []string{"ordset", "up", "-f", file, "--progress", "plain", "--timeout", "60s"},
		&streams{In: strings.NewReader(""), Out: io.Discard, Err: &errb}); code != 0 {
		b.Fatalf("up: exit %d\n%s", code, errb.String())
	}
	var out writeCounter
	for b.Loop() {
		out.Reset()
		out.calls = 0
		if code := runStreams(context.Background(), []string{"ordset", "ps", "-n", "bench"},
			&streams{In: strings.NewReader(""), Out: &out, Err: &errb}); code != 0 {
			b.Fatalf("ps: exit %d\n%s", code, errb.String())
		}
	}
	if lines := strings.Count(out.String(), "\n"); lines != 201 {
		b.Fatalf("ps printed %d lines, want 201:\n%s", lines, out.String())
	}
	b.ReportMetric(float64(out.calls), "writes/op")
}
