package store

import (
	"errors"
	"testing"
	"time"
)

// TestDeletionIsDurableIntent: a marked set stays (and refuses changes) until Forget; a later
// request may add the volumes; applying it again cancels the deletion and Forget then keeps it.
func TestDeletionIsDurableIntent(t *testing.T) {
	s, _ := openTemp(t)
	now := time.Unix(1000, 0)
	if _, _, err := s.Apply("ns", set("web", "img:1"), "r1", 3, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkDeleting("ns", "web", false, now); err != nil {
		t.Fatal(err)
	}
	rec, err := s.MarkDeleting("ns", "web", true, now.Add(time.Second))
	if err != nil || rec.Deleting == nil || !rec.Deleting.RemoveVolumes || !rec.Deleting.Since.Equal(now) {
		t.Fatalf("second mark: %+v %v", rec.Deleting, err)
	}
	if _, err := s.MarkDeleting("ns", "nope", false, now); !errors.Is(err, ErrNotFound) {
		t.Errorf("mark a missing set: %v", err)
	}
	if _, err := s.SetReplicas("ns", "web", 5, now); !errors.Is(err, ErrDeleting) {
		t.Errorf("scale a set being deleted: %v", err)
	}
	if _, err := s.Restart("ns", "web", "r2", now); !errors.Is(err, ErrDeleting) {
		t.Errorf("restart a set being deleted: %v", err)
	}
	if got, err := s.Get("ns", "web"); err != nil || got.Replicas != 3 {
		t.Errorf("a marked set must stay unchanged: %+v %v", got, err)
	}

	_, res, err := s.Apply("ns", set("web", "img:1"), "r1", 3, now)
	if err != nil || !res.Created {
		t.Fatalf("apply of a set being deleted: %+v %v; want it created anew", res, err)
	}
	if removed, err := s.Forget("ns", "web"); removed || err != nil {
		t.Errorf("forget after a new apply removed the set: %v %v", removed, err)
	}
	if _, err := s.MarkDeleting("ns", "web", false, now); err != nil {
		t.Fatal(err)
	}
	if removed, err := s.Forget("ns", "web"); !removed || err != nil {
		t.Errorf("forget a marked set: %v %v", removed, err)
	}
	if _, err := s.Get("ns", "web"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after forget: %v", err)
	}
}
