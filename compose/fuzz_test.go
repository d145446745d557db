package compose

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary bytes to the loader: it must never panic, and it
// must either return a usable project or a *ValidationError with problems.
//
//	go test -run '^$' -fuzz FuzzLoad -fuzztime 20s ./compose
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.yaml"))
	nested, _ := filepath.Glob(filepath.Join("testdata", "*", "ordset.yaml"))
	for _, s := range append(seeds, nested...) {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("statefulsets: {a: {image: '${A:-x}', replicas: ${N}}}"))
	f.Add([]byte("a: &a [*a]"))
	dir := f.TempDir()
	env := map[string]string{"A": "1", "N": "2"}
	f.Fuzz(func(t *testing.T, data []byte) {
		var p *Project
		var err error
		done := make(chan struct{})
		go func() { p, err = LoadBytes("fuzz.yaml", data, LoadOptions{Env: env, Dir: dir}); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second): // a hang becomes a recorded failing input
			t.Fatalf("slow input %q", data)
		}
		if err != nil {
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 || verr.Error() == "" {
				t.Fatalf("error is not a non-empty *ValidationError: %T %v", err, err)
			}
			return
		}
		if len(p.StatefulSets) == 0 {
			t.Fatal("valid project without statefulsets")
		}
		for _, n := range p.SetNames() {
			if Revision(p.StatefulSets[n]) == "" {
				t.Fatal("empty revision")
			}
		}
		if _, err := p.YAML(); err != nil {
			t.Fatal(err)
		}
		if _, err := p.JSON(); err != nil {
			t.Fatal(err)
		}
	})
}
