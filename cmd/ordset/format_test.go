package main

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// writeCounter counts the Write calls that reach it, as each would be one write(2) on stdout.
type writeCounter struct {
	strings.Builder
	calls int
}

func (w *writeCounter) Write(p []byte) (int, error) {
	w.calls++
	return w.Builder.Write(p)
}

func TestTableWritesOnce(t *testing.T) {
	var rows [][]string
	for range 200 {
		rows = append(rows, []string{"kv-1", "1/1", "Running", "0", "5m", "172.20.0.4", "demo_data-kv-1"})
	}
	var w writeCounter
	if err := table(&w, []string{"POD", "READY", "STATUS", "RESTARTS", "AGE", "IP", "VOLUMES"}, rows); err != nil {
		t.Fatal(err)
	}
	if w.calls != 1 {
		t.Errorf("table of 200 rows made %d writes, want 1", w.calls)
	}
	lines := strings.Split(strings.TrimSuffix(w.String(), "\n"), "\n")
	if len(lines) != 201 || lines[0] != "POD    READY   STATUS    RESTARTS   AGE   IP           VOLUMES" {
		t.Errorf("got %d lines, header %q", len(lines), lines[0])
	}
}

func TestWriteAtOnceKeepsOutputBeforeAnError(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		fill      func(io.Writer) error
		want      string
		wantCalls int
		wantErr   error
	}{
		{"nothing written", func(io.Writer) error { return nil }, "", 0, nil},
		{"lines", func(w io.Writer) error { io.WriteString(w, "a\n"); io.WriteString(w, "b\n"); return nil }, "a\nb\n", 1, nil},
		{"error after output", func(w io.Writer) error { io.WriteString(w, "a\n"); return boom }, "a\n", 1, boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w writeCounter
			err := writeAtOnce(&w, tt.fill)
			if !errors.Is(err, tt.wantErr) || w.String() != tt.want || w.calls != tt.wantCalls {
				t.Errorf("got %q in %d writes, err %v; want %q in %d, err %v", w.String(), w.calls, err, tt.want, tt.wantCalls, tt.wantErr)
			}
		})
	}
}
