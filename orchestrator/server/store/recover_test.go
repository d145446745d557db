package store

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// damages are the ways a store file was found broken: cut short, pages overwritten with
// random bytes, emptied, or something else entirely.
var damages = []struct {
	name   string
	damage func(t *testing.T, path string)
}{
	{"truncated to 20000 bytes", func(t *testing.T, path string) { truncate(t, path, 20000) }},
	{"truncated to 5000 bytes", func(t *testing.T, path string) { truncate(t, path, 5000) }},
	{"0 bytes", func(t *testing.T, path string) { truncate(t, path, 0) }},
	{"random pages 2-7", func(t *testing.T, path string) { scribble(t, path, 2, 3, 4, 5, 6, 7) }},
	{"random meta pages", func(t *testing.T, path string) { scribble(t, path, 0, 1) }},
	{"every third page random", func(t *testing.T, path string) { scribble(t, path, 2, 5, 8) }},
	{"not a store", func(t *testing.T, path string) {
		if err := os.WriteFile(path, []byte("namespace: demo\x00\xff\xfe binary garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
	}},
}

func truncate(t *testing.T, path string, n int64) {
	t.Helper()
	if err := os.Truncate(path, n); err != nil {
		t.Fatal(err)
	}
}

func scribble(t *testing.T, path string, pages ...int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 4096)
	for _, p := range pages {
		for i := range buf {
			buf[i] = byte(r.UintN(256))
		}
		if _, err := f.WriteAt(buf, p*4096); err != nil {
			t.Fatal(err)
		}
	}
}

// filled writes a store with three sets (one scaled) and some events, and closes it.
func filled(t *testing.T, checkpoint bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"db", "redis", "web"} {
		if _, _, err := s.Apply("demo", set(n, "img:"+n), "r-"+n, 3, t0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetReplicas("demo", "web", 5, t0); err != nil {
		t.Fatal(err)
	}
	for i := range 30 { // enough to spread the file over more than 20000 bytes
		if _, err := s.AddEvent(Event{Reason: "Test", Message: strings.Repeat("x", 600+i)}); err != nil {
			t.Fatal(err)
		}
	}
	if checkpoint {
		if err := s.Checkpoint(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() <= 20000 {
		t.Fatalf("store file too small to damage: %v %v", fi.Size(), err)
	}
	return path
}

// TestDamagedStoreIsReportedNotPanicked: every damage is ErrCorrupt from Open, with the
// path, and never a panic or a silently empty store.
func TestDamagedStoreIsReportedNotPanicked(t *testing.T) {
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			path := filled(t, false)
			d.damage(t, path)
			s, err := Open(path)
			if err == nil {
				s.Close()
				t.Fatal("a damaged store opened without an error")
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v: want ErrCorrupt naming %s", err, path)
			}
		})
	}
}

// TestRecoverFromLastGood: the damaged file is moved aside, kept, and the last good copy
// restores every set with its scaled replica count.
func TestRecoverFromLastGood(t *testing.T) {
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			path := filled(t, true)
			d.damage(t, path)
			s, rec, err := OpenOrRecover(path, t0)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if rec == nil || rec.LastGood == "" {
				t.Fatalf("recovery %+v: want a restore from the last good copy", rec)
			}
			if _, err := os.Stat(rec.MovedTo); err != nil {
				t.Errorf("the damaged file was not kept at %s: %v", rec.MovedTo, err)
			}
			sets, err := s.List("demo")
			if err != nil || len(sets) != 3 || sets[2].Name != "web" || sets[2].Replicas != 5 {
				t.Errorf("restored sets %+v %v", sets, err)
			}
			if !strings.Contains(rec.String(), "last good copy") {
				t.Errorf("report: %s", rec)
			}
		})
	}
}

// TestRecoverWithoutCopyStartsEmpty: with no good copy the store starts empty and says so.
func TestRecoverWithoutCopyStartsEmpty(t *testing.T) {
	path := filled(t, false)
	truncate(t, path, 20000)
	s, rec, err := OpenOrRecover(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if rec == nil || rec.LastGood != "" || !strings.Contains(rec.String(), "starts empty") {
		t.Fatalf("recovery %+v", rec)
	}
	if sets, err := s.List(""); err != nil || len(sets) != 0 {
		t.Errorf("sets %+v %v", sets, err)
	}
	// A sound store is opened as is.
	s.Close()
	s2, rec, err := OpenOrRecover(path, t0)
	if err != nil || rec != nil {
		t.Fatalf("reopen: %+v %v", rec, err)
	}
	s2.Close()
}

// TestOpenUnwritableNamesAWayOut: a store the daemon may not open is an error with the path
// and what to do, not ErrCorrupt (nothing is moved aside).
func TestOpenUnwritableNamesAWayOut(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root opens any file; permissions cannot be tested")
	}
	path := filled(t, false)
	if err := os.Chmod(path, 0o400); err != nil {
		t.Fatal(err)
	}
	_, rec, err := OpenOrRecover(path, t0)
	if err == nil || errors.Is(err, ErrCorrupt) || rec != nil || !strings.Contains(err.Error(), "ORDSET_STATE_DIR") {
		t.Errorf("read-only store: %v %+v", err, rec)
	}
}

// TestAnyTruncationIsSurvived: cut at every page boundary and in between, Open either reads a
// sound store or reports ErrCorrupt; it never takes the process down (a mapped read past the
// end of a truncated file is a SIGBUS, not a panic, unless caught).
func TestAnyTruncationIsSurvived(t *testing.T) {
	path := filled(t, false)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(orig); n += 2048 + 1 {
		// A new file each time: a panic inside bbolt's Open leaves the old one locked.
		os.Remove(path)
		if err := os.WriteFile(path, orig[:n], 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path)
		if err == nil {
			s.Close()
			continue
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("cut at %d: %v, want ErrCorrupt", n, err)
		}
	}
}
