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
	if _, err := s.MarkDeleting("ns", "web", false, nil, now); err != nil {
		t.Fatal(err)
	}
	zero, five := int64(0), int64(5)
	rec, err := s.MarkDeleting("ns", "web", true, &zero, now.Add(time.Second))
	if err != nil || rec.Deleting == nil || !rec.Deleting.RemoveVolumes || !rec.Deleting.Since.Equal(now) ||
		rec.Deleting.GraceSeconds == nil || *rec.Deleting.GraceSeconds != 0 {
		t.Fatalf("second mark: %+v %v", rec.Deleting, err)
	}
	// A later down without -t keeps the recorded grace; one with -t replaces it.
	if rec, err = s.MarkDeleting("ns", "web", false, nil, now); err != nil || *rec.Deleting.GraceSeconds != 0 || !rec.Deleting.RemoveVolumes {
		t.Fatalf("third mark: %+v %v", rec.Deleting, err)
	}
	if rec, err = s.MarkDeleting("ns", "web", false, &five, now); err != nil || *rec.Deleting.GraceSeconds != 5 {
		t.Fatalf("fourth mark: %+v %v", rec.Deleting, err)
	}
	if got, err := s.Get("ns", "web"); err != nil || got.Deleting.GraceSeconds == nil || *got.Deleting.GraceSeconds != 5 {
		t.Fatalf("the grace override is not stored: %+v %v", got.Deleting, err)
	}
	if _, err := s.MarkDeleting("ns", "nope", false, nil, now); !errors.Is(err, ErrNotFound) {
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
	if _, err := s.MarkDeleting("ns", "web", false, nil, now); err != nil {
		t.Fatal(err)
	}
	if removed, err := s.Forget("ns", "web"); !removed || err != nil {
		t.Errorf("forget a marked set: %v %v", removed, err)
	}
	if _, err := s.Get("ns", "web"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after forget: %v", err)
	}
}
