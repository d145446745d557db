// Package golden holds what the golden-file tests of several packages share: comparing output
// with a file (or rewriting it with -update) and listing every ordset file the tests cover, so
// the export tests and the control-plane proof run over the same set.
package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Check compares got with the file at path, or rewrites the file when update is set; hint
// says how to update, for the failure message.
func Check(t testing.TB, path string, got []byte, update bool, hint string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (%s to create it)", err, hint)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs (%s and review the diff)\n--- got\n%s\n--- want\n%s", path, hint, got, want)
	}
}

// OrdsetFiles lists every example (examples/*/ordset.yaml) and every valid ordset test file
// (compose/testdata/valid-*) below the repository root.
func OrdsetFiles(t testing.TB, root string) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"examples/*/ordset.yaml", "compose/testdata/valid-*.yaml", "compose/testdata/valid-*/ordset.yaml"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		for _, f := range m {
			if !strings.HasSuffix(f, ".golden.yaml") {
				out = append(out, f)
			}
		}
	}
	if len(out) < 4 {
		t.Fatalf("found only %d example and test files below %s", len(out), root)
	}
	return out
}

// Name is a flat name for one of OrdsetFiles: examples/redis/ordset.yaml -> example-redis,
// compose/testdata/valid-full.yaml -> valid-full.
func Name(f string) string {
	if filepath.Base(f) == "ordset.yaml" {
		dir := filepath.Base(filepath.Dir(f))
		if strings.HasPrefix(dir, "valid-") {
			return dir
		}
		return "example-" + dir
	}
	return strings.TrimSuffix(filepath.Base(f), ".yaml")
}
