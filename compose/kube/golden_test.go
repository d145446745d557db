package kube

import (
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// goldenEnv is the whole environment the tests load files with, so examples take their
// ${VAR:-default}s whatever the machine has set.
var goldenEnv = map[string]string{"VALID_ENV_WINS": "from-environment"}

func sources(t *testing.T) []string { return golden.OrdsetFiles(t, "../..") }

// stablePaths replaces the checkout location in absolute host paths.
func stablePaths(t *testing.T, b []byte) []byte {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(b), root, "$REPO"))
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got, *update, "run go test ./compose/kube -update")
}

func warningLines(ws []Warning) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString("# warning: " + w.String() + "\n")
	}
	return b.String()
}

// TestExportGolden pins the export of every example and test file, warnings included.
func TestExportGolden(t *testing.T) {
	for _, f := range sources(t) {
		t.Run(golden.Name(f), func(t *testing.T) {
			p, err := compose.Load(f, compose.LoadOptions{Env: goldenEnv})
			if err != nil {
				t.Fatal(err)
			}
			objs, warnings := Export(p)
			out, err := RenderYAML(objs, "exported from "+golden.Name(f))
			if err != nil {
				t.Fatal(err)
			}
			got := append([]byte(warningLines(warnings)), out...)
			checkGolden(t, filepath.Join("testdata", "export-"+golden.Name(f)+".yaml"), stablePaths(t, got))
		})
	}
}

// TestRoundTrip: export, read the manifests back, and get the same normalised spec, in
// both output formats.
func TestRoundTrip(t *testing.T) {
	for _, f := range sources(t) {
		t.Run(golden.Name(f), func(t *testing.T) {
			p, err := compose.Load(f, compose.LoadOptions{Env: goldenEnv})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := p.YAML()
			objs, _ := Export(p)
			for _, format := range []string{"yaml", "json"} {
				var out []byte
				if format == "json" {
					out, err = RenderJSON(objs)
				} else {
					out, err = RenderYAML(objs, "round trip")
				}
				if err != nil {
					t.Fatal(err)
				}
				back, _, err := LoadBytes("<export>", out, compose.LoadOptions{Env: goldenEnv})
				if err != nil {
					t.Fatalf("%s export does not load back:\n%v\n%s", format, err, out)
				}
				got, _ := back.YAML()
				if string(got) != string(want) {
					t.Errorf("%s round trip changed the spec\n--- got\n%s\n--- want\n%s", format, got, want)
				}
			}
		})
	}
}

// TestImportGolden reads testdata/import-valid-*.yaml (manifests, warnings expected) and
// testdata/import-invalid-*.yaml (every problem, exact positions).
func TestImportGolden(t *testing.T) {
	valid, _ := filepath.Glob("testdata/import-valid-*.yaml")
	invalid, _ := filepath.Glob("testdata/import-invalid-*.yaml")
	if len(valid) == 0 || len(invalid) == 0 {
		t.Fatal("no import test files")
	}
	for _, f := range valid {
		if strings.HasSuffix(f, ".golden.yaml") {
			continue
		}
		t.Run(f, func(t *testing.T) {
			p, warnings, err := LoadFile(f, compose.LoadOptions{Env: goldenEnv})
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			out, _ := p.YAML()
			notes := warningLines(warnings)
			for _, w := range p.Warnings { // the loader's, after the import's
				notes += "# warning: " + w.String() + "\n"
			}
			checkGolden(t, strings.TrimSuffix(f, ".yaml")+".golden.yaml", stablePaths(t, append([]byte(notes), out...)))
			// Importing then exporting keeps every supported field: the export reads back the same.
			objs, _ := Export(p)
			manifests, err := RenderYAML(objs, "re-export")
			if err != nil {
				t.Fatal(err)
			}
			back, _, err := LoadBytes("<re-export>", manifests, compose.LoadOptions{Env: goldenEnv})
			if err != nil {
				t.Fatalf("re-export does not load: %v\n%s", err, manifests)
			}
			if again, _ := back.YAML(); string(again) != string(out) {
				t.Errorf("import -> export -> import changed the spec\n--- got\n%s\n--- want\n%s", again, out)
			}
		})
	}
	for _, f := range invalid {
		if strings.HasSuffix(f, ".golden.yaml") {
			continue
		}
		t.Run(f, func(t *testing.T) {
			p, _, err := LoadFile(f, compose.LoadOptions{Env: goldenEnv})
			var verr *compose.ValidationError
			if !errors.As(err, &verr) || p != nil {
				t.Fatalf("LoadFile = %v, %v; want only a *ValidationError", p, err)
			}
			checkGolden(t, strings.TrimSuffix(f, ".yaml")+".err", []byte(verr.Error()+"\n"))
		})
	}
}
