package compose

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

// TestExamples loads every examples/**/ordset.yaml with the real environment,
// so the examples' ${VAR:-default}s apply and an example never goes stale.
func TestExamples(t *testing.T) {
	root := filepath.Join("..", "examples")
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (d.Name() == "ordset.yaml" || d.Name() == "ordset.yml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil && !errorsIsNotExist(err) {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no examples/**/ordset.yaml yet")
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			p, err := Load(f, LoadOptions{})
			if err != nil {
				t.Fatalf("example does not load:\n%v", err)
			}
			if len(p.SetNames()) == 0 {
				t.Fatal("no statefulsets")
			}
		})
	}
}

func errorsIsNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
