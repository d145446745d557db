package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func set(name, image string) *compose.StatefulSet {
	return &compose.StatefulSet{Name: name, Image: image}
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func TestApplyOutcomes(t *testing.T) {
	s, _ := openTemp(t)
	steps := []struct {
		image, rev string
		replicas   int
		want       string
	}{
		{"redis:7", "r1", 3, "created"},
		{"redis:7", "r1", 3, "unchanged"},
		{"redis:7", "r1", 5, "replicas"},
		{"redis:8", "r2", 5, "spec"},
		{"redis:8", "r2", 5, "unchanged"},
	}
	for i, st := range steps {
		got, res, err := s.Apply("demo", set("redis", st.image), st.rev, st.replicas, t0.Add(time.Duration(i)*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		var kind string
		switch {
		case res.Created:
			kind = "created"
		case res.SpecChanged:
			kind = "spec"
		case res.ReplicasChanged:
			kind = "replicas"
		default:
			kind = "unchanged"
		}
		if kind != st.want {
			t.Errorf("step %d: outcome %s, want %s", i, kind, st.want)
		}
		if got.Replicas != st.replicas || got.Revision != st.rev || got.Spec.Image != st.image {
			t.Errorf("step %d: stored %+v", i, got)
		}
	}
	got, err := s.Get("demo", "redis")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Revisions) != 2 || got.Revisions[0].Revision != "r1" || !got.Revisions[1].FirstApplied.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("history %+v", got.Revisions)
	}
	if !got.CreatedAt.Equal(t0) {
		t.Errorf("createdAt %v", got.CreatedAt)
	}
}

func TestApplyOverridesScale(t *testing.T) {
	s, _ := openTemp(t)
	if _, _, err := s.Apply("demo", set("redis", "x"), "r1", 3, t0); err != nil {
		t.Fatal(err)
	}
	prev, err := s.SetReplicas("demo", "redis", 5, t0)
	if err != nil || prev != 3 {
		t.Fatalf("scale: prev %d err %v", prev, err)
	}
	_, res, err := s.Apply("demo", set("redis", "x"), "r1", 3, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !res.ReplicasChanged || res.SpecChanged {
		t.Errorf("re-apply after scale: %+v", res)
	}
	got, _ := s.Get("demo", "redis")
	if got.Replicas != 3 {
		t.Errorf("replicas %d, want the file's 3", got.Replicas)
	}
}

func TestRevisionHistoryBounded(t *testing.T) {
	s, _ := openTemp(t)
	for i := range 15 {
		if _, _, err := s.Apply("demo", set("a", "x"), fmt.Sprintf("r%d", i), 1, t0); err != nil {
			t.Fatal(err)
		}
	}
	// The current revision (r0: no rollout completed) stays, as Kubernetes keeps the live
	// revisions; the oldest others go.
	got, _ := s.Get("demo", "a")
	if len(got.Revisions) != MaxRevisions || got.Revisions[0].Revision != "r0" || got.Revisions[1].Revision != "r6" ||
		got.Revisions[9].Revision != "r14" || got.Revisions[9].Number != 15 {
		t.Errorf("history %+v", got.Revisions)
	}
	if err := s.SetCurrentRevision("demo", "a", "r14"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Apply("demo", set("a", "x"), "r15", 1, t0); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get("demo", "a")
	if len(got.Revisions) != MaxRevisions || got.Revisions[0].Revision != "r6" || got.CurrentRevision != "r14" {
		t.Errorf("after the current revision advanced: current %s, history %+v", got.CurrentRevision, got.Revisions)
	}
}

func TestNotFoundAndDelete(t *testing.T) {
	s, _ := openTemp(t)
	if _, err := s.SetReplicas("demo", "nope", 1, t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("scale missing: %v", err)
	}
	if _, _, err := s.Apply("demo", set("a", "x"), "r", 1, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("demo", "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("demo", "a"); err != nil {
		t.Errorf("second delete: %v", err)
	}
	if _, err := s.Get("demo", "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get deleted: %v", err)
	}
}

func TestListByNamespace(t *testing.T) {
	s, _ := openTemp(t)
	for _, k := range [][2]string{{"demo", "b"}, {"demo", "a"}, {"dem", "z"}, {"demo2", "c"}} {
		if _, _, err := s.Apply(k[0], set(k[1], "x"), "r", 1, t0); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.List("demo")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "a" || got[1].Name != "b" {
		t.Errorf("List(demo) = %+v", got)
	}
	ns, _ := s.Namespaces()
	if fmt.Sprint(ns) != "[dem demo demo2]" {
		t.Errorf("namespaces %v", ns)
	}
}

func TestReopenKeepsState(t *testing.T) {
	s, path := openTemp(t)
	if _, _, err := s.Apply("demo", set("a", "img"), "r", 4, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddEvent(Event{Reason: "Scaled", Message: "x"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Get("demo", "a")
	if err != nil || got.Replicas != 4 || got.Spec.Image != "img" {
		t.Errorf("after reopen: %+v %v", got, err)
	}
	ev, _ := s2.Events(0)
	if len(ev) != 1 || ev[0].Seq != 1 {
		t.Errorf("events after reopen: %+v", ev)
	}
}

func TestEventRing(t *testing.T) {
	s, _ := openTemp(t)
	for i := range MaxEvents + 20 {
		if _, err := s.AddEvent(Event{Message: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Events(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != MaxEvents || all[0].Seq != 21 || all[len(all)-1].Seq != MaxEvents+20 {
		t.Fatalf("ring: %d events, first %d last %d", len(all), all[0].Seq, all[len(all)-1].Seq)
	}
	tail, _ := s.Events(uint64(MaxEvents + 18))
	if len(tail) != 2 {
		t.Errorf("since: %d events", len(tail))
	}
}

func TestConcurrentScaleSerializes(t *testing.T) {
	s, _ := openTemp(t)
	if _, _, err := s.Apply("demo", set("a", "x"), "r", 1, t0); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	prevs := make(chan int, 20)
	for i := 2; i < 22; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := s.SetReplicas("demo", "a", i, t0)
			if err != nil {
				t.Error(err)
			}
			prevs <- p
		}()
	}
	wg.Wait()
	close(prevs)
	// Each write saw exactly one predecessor: the previous values are all distinct.
	seen := map[int]bool{}
	for p := range prevs {
		if seen[p] {
			t.Errorf("two scales observed the same previous count %d", p)
		}
		seen[p] = true
	}
}

// A rollback to an earlier template reuses its record under the next number, as Kubernetes
// reuses the ControllerRevision.
func TestRevisionReusedUnderNextNumber(t *testing.T) {
	s, _ := openTemp(t)
	for _, rev := range []string{"a", "b", "c", "a"} {
		if _, _, err := s.Apply("demo", set("x", rev), rev, 1, t0); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := s.Get("demo", "x")
	var h []string
	for _, r := range got.Revisions {
		h = append(h, fmt.Sprintf("%d:%s", r.Number, r.Revision))
	}
	if strings.Join(h, " ") != "2:b 3:c 4:a" {
		t.Errorf("history %v, want 2:b 3:c 4:a", h)
	}
	if prev, err := got.Find(0); err != nil || prev.Revision != "c" {
		t.Errorf("previous revision %+v, %v; want c", prev, err)
	}
	if _, err := got.Find(1); !errors.Is(err, ErrNotFound) {
		t.Errorf("revision 1 was reused as 4, got %v", err)
	}
}
