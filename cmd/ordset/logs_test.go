package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSinceFilter(t *testing.T) {
	since := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		line   string
		keepTS bool
		want   string
		ok     bool
	}{
		{"2026-01-01T11:59:59.5Z old", false, "", false},
		{"2026-01-01T12:00:00.25Z new", false, "new", true},
		{"2026-01-01T12:00:00.25Z new", true, "2026-01-01T12:00:00.25Z new", true},
		{"no timestamp", false, "no timestamp", true},
	}
	for _, tt := range tests {
		got, ok := sinceFilter(tt.line, since, tt.keepTS)
		if got != tt.want || ok != tt.ok {
			t.Errorf("sinceFilter(%q, keep %v) = %q %v, want %q %v", tt.line, tt.keepTS, got, ok, tt.want, tt.ok)
		}
	}
	if got, ok := sinceFilter("x", time.Time{}, false); got != "x" || !ok {
		t.Errorf("no --since changed the line: %q %v", got, ok)
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	if got, err := parseSince("10m", now); err != nil || !got.Equal(now.Add(-10*time.Minute)) {
		t.Errorf("10m: %v %v", got, err)
	}
	if got, err := parseSince("2026-01-01T11:00:00Z", now); err != nil || got.Hour() != 11 {
		t.Errorf("RFC 3339: %v %v", got, err)
	}
	if _, err := parseSince("yesterday", now); err == nil {
		t.Error("yesterday accepted")
	}
}

// Lines of several pods come out whole, each prefixed with its pod, names aligned.
func TestLineWriterPrefixes(t *testing.T) {
	var b bytes.Buffer
	lw := &lineWriter{w: &b, width: 6}
	if err := lw.copy(strings.NewReader("a\nb\n"), "web-0", 0, true, time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	if err := lw.copy(strings.NewReader("c"), "web-10", 1, true, time.Time{}, false); err != nil {
		t.Fatal(err)
	}
	if want := "web-0  | a\nweb-0  | b\nweb-10 | c\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	b.Reset()
	lw.colour = true
	_ = lw.copy(strings.NewReader("d\n"), "web-1", 1, true, time.Time{}, false)
	if !strings.HasPrefix(b.String(), "\x1b[33mweb-1  |\x1b[0m d") {
		t.Errorf("coloured: %q", b.String())
	}
}
