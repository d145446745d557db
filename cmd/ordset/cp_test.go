package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestSplitPodPath(t *testing.T) {
	for _, tt := range []struct {
		arg, pod, path string
		ok             bool
	}{
		{"redis-0:/data/x", "redis-0", "/data/x", true},
		{"./local", "", "", false},
		{"/abs/path", "", "", false},
		{"redis-0:", "", "", false},
		{"C:/x", "", "", false}, // upper case is no pod name
	} {
		pod, p, ok := splitPodPath(tt.arg)
		if pod != tt.pod || p != tt.path || ok != tt.ok {
			t.Errorf("splitPodPath(%q) = %q %q %v", tt.arg, pod, p, ok)
		}
	}
}

// A tree written by tarFrom comes back identical through untarTo, into a directory (under its
// own name) or as a new name; nothing lands outside the destination.
func TestTarRoundTrip(t *testing.T) {
	src := t.TempDir()
	os.MkdirAll(filepath.Join(src, "sub"), 0o755)
	os.WriteFile(filepath.Join(src, "a.txt"), []byte("A"), 0o644)
	os.WriteFile(filepath.Join(src, "sub", "b.txt"), []byte("B"), 0o600)
	var buf bytes.Buffer
	if err := tarFrom(src, "tree", &buf); err != nil {
		t.Fatal(err)
	}
	into := t.TempDir()
	if err := untarTo(bytes.NewReader(buf.Bytes()), into); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(into, "tree", "sub", "b.txt")); err != nil || string(b) != "B" {
		t.Errorf("into a directory: %q %v", b, err)
	}
	renamed := filepath.Join(t.TempDir(), "copy")
	if err := untarTo(bytes.NewReader(buf.Bytes()), renamed); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(renamed, "a.txt")); err != nil || string(b) != "A" {
		t.Errorf("renamed: %q %v", b, err)
	}
}
