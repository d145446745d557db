package compose

import (
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordset/ordset/internal/golden"
)

var update = flag.Bool("update", false, "rewrite golden files (valid-*.golden.yaml, invalid-*.err)")

// goldenEnv is the whole environment golden tests see, so they never depend
// on the machine. VALID_ENV_WINS also appears in valid-dotenv/.env.
var goldenEnv = map[string]string{"VALID_ENV_WINS": "from-environment"}

// goldenCases lists testdata/NAME.yaml and testdata/NAME/ordset.yaml (for
// cases that need a .env beside the file) whose NAME starts with prefix.
func goldenCases(t *testing.T, prefix string) []string {
	t.Helper()
	flat, _ := filepath.Glob(filepath.Join("testdata", prefix+"*.yaml"))
	dirs, _ := filepath.Glob(filepath.Join("testdata", prefix+"*", "ordset.yaml"))
	var out []string
	for _, f := range append(flat, dirs...) {
		if !strings.HasSuffix(f, ".golden.yaml") {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no testdata/%s* cases", prefix)
	}
	return out
}

// goldenPath is where a case's expected output lives.
func goldenPath(file, ext string) string {
	if filepath.Base(file) == "ordset.yaml" {
		return filepath.Join(filepath.Dir(file), "ordset"+ext)
	}
	return strings.TrimSuffix(file, ".yaml") + ext
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	golden.Check(t, path, got, *update, "run go test ./compose -update")
}

func TestGoldenValid(t *testing.T) {
	abs, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range goldenCases(t, "valid-") {
		t.Run(file, func(t *testing.T) {
			p, err := Load(file, LoadOptions{Env: goldenEnv})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			out, err := p.YAML()
			if err != nil {
				t.Fatal(err)
			}
			// Absolute host paths depend on the checkout location.
			out = []byte(strings.ReplaceAll(string(out), abs, "$TESTDATA"))
			checkGolden(t, goldenPath(file, ".golden.yaml"), out)
		})
	}
}

func TestGoldenInvalid(t *testing.T) {
	for _, file := range goldenCases(t, "invalid-") {
		t.Run(file, func(t *testing.T) {
			p, err := Load(file, LoadOptions{Env: goldenEnv})
			var verr *ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("Load = %v, %v; want a *ValidationError", p, err)
			}
			if p != nil {
				t.Errorf("Load returned a project along with problems")
			}
			checkGolden(t, goldenPath(file, ".err"), []byte(verr.Error()+"\n"))
		})
	}
}
