package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/ordset/ordset/compose"
)

// Rollout is what Kubernetes keeps about a StatefulSet's rollout: the generation of its
// desired state, the current revision (the one pods below the partition stay on), and
// whether it is paused.
type Rollout struct {
	// Generation counts changes of the desired state (spec, replicas, restart, undo, pause).
	Generation int64 `json:"generation,omitempty"`
	// CurrentRevision is the revision the set ran before the rollout in progress; it becomes
	// the update revision (Set.Revision) when the rollout completes.
	CurrentRevision string `json:"currentRevision,omitempty"`
	// Paused holds the pods at their revisions (rollout pause).
	Paused bool `json:"paused,omitempty"`
}

// Revision is one ControllerRevision-like record: a pod template the set ran, numbered as
// Kubernetes numbers them (a rollback to an earlier template reuses its record under the
// next number).
type Revision struct {
	Revision     string    `json:"revision"`
	Number       int64     `json:"number,omitempty"`
	FirstApplied time.Time `json:"firstApplied"`
	// Spec and RestartedAt are the spec as applied with this template and the restart marker
	// it carried: rollout undo takes the template from them.
	Spec        *compose.StatefulSet `json:"spec,omitempty"`
	RestartedAt time.Time            `json:"restartedAt,omitzero"`
}

// HistoryLimit is how many revisions a set keeps: its revisionHistoryLimit (default
// MaxRevisions), never fewer than one.
func HistoryLimit(spec *compose.StatefulSet) int {
	if spec != nil && spec.RevisionHistoryLimit != nil {
		return max(*spec.RevisionHistoryLimit, 1)
	}
	return MaxRevisions
}

// record notes a change of the desired state: the generation advances and the applied
// revision becomes the newest record of the history.
func (st *Set) record(now time.Time) {
	st.Generation++
	if st.CurrentRevision == "" {
		st.CurrentRevision = st.Revision
	}
	st.Revisions = addRevision(st.Revisions, Revision{Revision: st.Revision, FirstApplied: now,
		Spec: st.Spec, RestartedAt: st.RestartedAt}, HistoryLimit(st.Spec), st.CurrentRevision)
}

// addRevision makes r the newest record. A revision already in the history keeps its record
// and moves to the next number (Kubernetes' rollback reuses the ControllerRevision). Beyond
// limit the oldest records go, except the current revision's, which pods may still need.
func addRevision(h []Revision, r Revision, limit int, current string) []Revision {
	next := int64(1)
	for _, x := range h {
		next = max(next, x.Number+1)
	}
	if i := slices.IndexFunc(h, func(x Revision) bool { return x.Revision == r.Revision }); i >= 0 {
		if i == len(h)-1 && h[i].Number > 0 {
			h[i].Spec, h[i].RestartedAt = r.Spec, r.RestartedAt
			return h
		}
		old := h[i]
		h = slices.Delete(slices.Clone(h), i, i+1)
		r.FirstApplied = old.FirstApplied
	}
	r.Number = next
	h = append(h, r)
	for len(h) > limit {
		i := slices.IndexFunc(h, func(x Revision) bool { return x.Revision != current })
		if i < 0 || i == len(h)-1 {
			break
		}
		h = slices.Delete(h, i, i+1)
	}
	return h
}

// Find returns the record of revision number n (0: the one before the newest, as kubectl's
// undo without --to-revision).
func (st Set) Find(n int64) (Revision, error) {
	if n == 0 {
		if len(st.Revisions) < 2 {
			return Revision{}, fmt.Errorf("statefulset %s/%s has no previous revision", st.Namespace, st.Name)
		}
		return st.Revisions[len(st.Revisions)-2], nil
	}
	for _, r := range st.Revisions {
		if r.Number == n {
			return r, nil
		}
	}
	return Revision{}, fmt.Errorf("statefulset %s/%s has no revision %d: %w", st.Namespace, st.Name, n, ErrNotFound)
}

// Current returns the record of the current revision (false when the history lost it).
func (st Set) Current() (Revision, bool) {
	for _, r := range st.Revisions {
		if r.Revision == st.CurrentRevision {
			return r, true
		}
	}
	return Revision{}, false
}

// sameSpec reports whether two specs are equal as stored, but for replicas (compared with
// the live count by the caller).
func sameSpec(a, b *compose.StatefulSet) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	x.Replicas, y.Replicas = nil, nil
	ja, errA := json.Marshal(x)
	jb, errB := json.Marshal(y)
	return errA == nil && errB == nil && string(ja) == string(jb)
}

// Restart records a rollout restart at now; revision is the template's revision with it.
func (s *Store) Restart(namespace, name, revision string, now time.Time) (Set, error) {
	return s.update(namespace, name, func(st *Set) error {
		if st.Deleting != nil {
			return fmt.Errorf("statefulset %s/%s %w", namespace, name, ErrDeleting)
		}
		st.RestartedAt, st.Revision, st.UpdatedAt = now, revision, now
		st.record(now)
		return nil
	})
}

// Rollback makes an earlier revision's template the desired one: spec (the current spec
// with that template) and its restart marker, under revision.
func (s *Store) Rollback(namespace, name string, spec *compose.StatefulSet, restartedAt time.Time, revision string, now time.Time) (Set, error) {
	return s.update(namespace, name, func(st *Set) error {
		st.Spec, st.RestartedAt, st.Revision, st.UpdatedAt = spec, restartedAt, revision, now
		st.record(now)
		return nil
	})
}

// SetPaused pauses or resumes a set's rollout; it reports whether that changed anything.
func (s *Store) SetPaused(namespace, name string, paused bool, now time.Time) (Set, bool, error) {
	changed := false
	st, err := s.update(namespace, name, func(st *Set) error {
		if st.Paused != paused {
			st.Paused, st.UpdatedAt, changed = paused, now, true
			st.Generation++
		}
		return nil
	})
	return st, changed, err
}

// SetCurrentRevision records a completed rollout: the current revision becomes revision,
// unless the set was changed to another revision since.
func (s *Store) SetCurrentRevision(namespace, name, revision string) error {
	_, err := s.update(namespace, name, func(st *Set) error {
		if st.Revision == revision {
			st.CurrentRevision = revision
		}
		return nil
	})
	return err
}
