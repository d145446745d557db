package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// flagMap is flag values by name, so tests call a command without the CLI library.
type flagMap map[string]any

func (m flagMap) String(n string) string { s, _ := m[n].(string); return s }
func (m flagMap) Bool(n string) bool     { b, _ := m[n].(bool); return b }
func (m flagMap) Int(n string) int       { i, _ := m[n].(int); return i }
func (m flagMap) Duration(n string) time.Duration {
	d, _ := m[n].(time.Duration)
	return d
}
func (m flagMap) StringSlice(n string) []string { s, _ := m[n].([]string); return s }
func (m flagMap) IsSet(n string) bool           { _, ok := m[n]; return ok }

// testStreams returns streams over buffers.
func testStreams() (*streams, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &streams{In: strings.NewReader(""), Out: &out, Err: &errb}, &out, &errb
}

// A command is a plain function: called with flag values and streams, no CLI library.
func TestCommandWithoutCLILibrary(t *testing.T) {
	file := filepath.Join(t.TempDir(), "ordset.yaml")
	if err := os.WriteFile(file, []byte("namespace: plain\nstatefulsets:\n  web: {image: x}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, out, _ := testStreams()
	in := invocation{cmd: "config", flagValues: flagMap{"file": []string{file}, "output": "json"}}
	if err := runConfig(context.Background(), in, s); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"namespace": "plain"`) {
		t.Errorf("config -o json printed %q", out.String())
	}
	s, out, _ = testStreams()
	in = invocation{cmd: "validate", args: []string{"extra"}, flagValues: flagMap{"file": []string{file}}}
	err := runValidate(context.Background(), in, s)
	if _, ok := err.(*usageError); !ok || out.Len() != 0 {
		t.Errorf("validate with an argument: err %v, stdout %q; want a usage error and no output", err, out.String())
	}
	in = invocation{cmd: "config", flagValues: flagMap{"file": []string{file}, "output": "wide"}}
	if err := runConfig(context.Background(), in, s); err == nil || !strings.Contains(err.Error(), "config does not support -o wide") {
		t.Errorf("config -o wide: %v", err)
	}
}
