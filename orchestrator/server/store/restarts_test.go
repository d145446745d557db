package store

import (
	"path/filepath"
	"testing"
	"time"
)

// Restart records survive a reopened store and go when dropped.
func TestRestartRecords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 123, time.UTC)
	if err := s.PutRestart("c1", Restart{Restarts: 2, Backoff: 2, Failure: at}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRestart("c2", Restart{Restarts: 1, Backoff: 1, Failure: at}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err = Open(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Restarts()
	if err != nil {
		t.Fatal(err)
	}
	if r := got["c1"]; len(got) != 2 || r.Restarts != 2 || r.Backoff != 2 || !r.Failure.Equal(at) {
		t.Fatalf("records after reopening %+v", got)
	}
	if err := s.DeleteRestarts([]string{"c1", "gone"}); err != nil {
		t.Fatal(err)
	}
	if got, _ = s.Restarts(); len(got) != 1 || got["c2"].Restarts != 1 {
		t.Fatalf("records after dropping c1 %+v", got)
	}
}
