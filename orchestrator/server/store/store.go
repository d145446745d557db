package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/ordset/ordset/compose"
)

// ErrNotFound is returned for a namespace/set the store does not hold.
var ErrNotFound = errors.New("not found")

// ErrDeleting is returned for a change (scale, restart) of a set that is being deleted.
var ErrDeleting = errors.New("is being deleted")

// MaxRevisions is how many revisions per set the history keeps.
const MaxRevisions = 10

// MaxEvents is the size of the recent-events ring.
const MaxEvents = 500

var (
	bucketSets   = []byte("sets")
	bucketEvents = []byte("events")
)

// Set is one applied StatefulSet: the spec as last applied and the live replica count.
type Set struct {
	Namespace string               `json:"namespace"`
	Name      string               `json:"name"`
	Spec      *compose.StatefulSet `json:"spec"`
	// Replicas is the live desired count: the file's value after apply, the argument after scale.
	Replicas int `json:"replicas"`
	// Revision is the revision of Spec as applied (without RestartedAt).
	Revision string `json:"revision"`
	// RestartedAt is set by "rollout restart"; the daemon folds it into the pod template so
	// the revision changes, the way kubectl bumps an annotation.
	RestartedAt time.Time `json:"restartedAt,omitzero"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	// Revisions is the history, oldest first, at most MaxRevisions entries.
	Revisions []Revision `json:"revisions,omitempty"`
	// Rollout is the revision state Kubernetes keeps in a StatefulSet's status (see rollout.go).
	Rollout
	// Deleting marks a set whose deletion was asked for. The intent is durable: the set stays
	// in the store until its objects are gone (Forget), so a daemon killed mid-deletion
	// resumes it and the next `down` finishes it.
	Deleting *Deletion `json:"deleting,omitempty"`
}

// Deletion is a recorded request to delete a set.
type Deletion struct {
	Since         time.Time `json:"since"`
	RemoveVolumes bool      `json:"removeVolumes,omitempty"`
	// GraceSeconds, when set, replaces the pods' terminationGracePeriodSeconds for this
	// deletion ("down -t"); stored so a daemon restarted mid-delete still uses it.
	GraceSeconds *int64 `json:"graceSeconds,omitempty"`
}

// Event is one entry of the recent-events ring.
type Event struct {
	Seq       uint64    `json:"seq"`
	Time      time.Time `json:"time"`
	Type      string    `json:"type"` // Normal or Warning, as Kubernetes says
	Reason    string    `json:"reason"`
	Namespace string    `json:"namespace,omitempty"`
	Object    string    `json:"object,omitempty"` // "statefulset/redis" or "pod/redis-1"
	Message   string    `json:"message"`
}

// Store is the bbolt-backed desired-state store. It is safe for concurrent use.
type Store struct {
	db   *bolt.DB
	path string
}

// Open opens (creating if needed) the store file and checks it through: every page and every
// record. A damaged file (bbolt panics on some, or loads a 0-byte one as empty) is an error
// matching ErrCorrupt, which OpenOrRecover repairs. The timeout bounds waiting for another
// process holding the file; the daemon's own lock file normally prevents that.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create store directory %s: %w (check its permissions, or set ORDSET_STATE_DIR)", filepath.Dir(path), err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		return nil, corrupt(path, errors.New("the file is empty (0 bytes)"))
	}
	db, err := openBolt(path)
	if err != nil {
		return nil, err
	}
	if err := check(db); err != nil {
		db.Close()
		return nil, corrupt(path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketSets, bucketEvents} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("initialise store %s: %w (is the disk full or read-only?)", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Close closes the database file.
func (s *Store) Close() error { return s.db.Close() }

func setKey(namespace, name string) []byte { return []byte(namespace + "/" + name) }

// ApplyResult says what an apply changed.
type ApplyResult struct {
	Created         bool
	SpecChanged     bool // the revision differs from the previous one
	ReplicasChanged bool
	// SettingsChanged is set when anything of the spec differs (a set-level field like the
	// partition, or the template).
	SettingsChanged bool
	Previous        *Set
}

// Unchanged reports whether the apply was a no-op.
func (r ApplyResult) Unchanged() bool {
	return !r.Created && !r.SpecChanged && !r.ReplicasChanged && !r.SettingsChanged
}

// Apply stores a set's spec, revision and replica count (kubectl apply semantics: the
// file's replicas override an earlier scale). It appends the revision to the history the
// first time it is seen.
func (s *Store) Apply(namespace string, spec *compose.StatefulSet, revision string, replicas int, now time.Time) (Set, ApplyResult, error) {
	var out Set
	var res ApplyResult
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSets)
		key := setKey(namespace, spec.Name)
		var cur Set
		if raw := b.Get(key); raw != nil {
			if err := json.Unmarshal(raw, &cur); err != nil {
				return fmt.Errorf("decode set %s/%s: %w", namespace, spec.Name, err)
			}
			prev := cur
			res.Previous = &prev
			res.SpecChanged = cur.Revision != revision
			res.ReplicasChanged = cur.Replicas != replicas
			res.SettingsChanged = !sameSpec(cur.Spec, spec)
			// Applying a set that is being deleted cancels the deletion: it is created anew.
			res.Created = cur.Deleting != nil
			cur.Deleting = nil
		} else {
			res.Created = true
			cur = Set{Namespace: namespace, Name: spec.Name, CreatedAt: now}
		}
		if res.Unchanged() {
			out = cur
			return nil
		}
		cur.Spec = spec
		cur.Revision = revision
		cur.Replicas = replicas
		cur.UpdatedAt = now
		cur.record(now)
		out = cur
		return put(b, key, cur)
	})
	return out, res, err
}

func put(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put(key, raw)
}

// update applies fn to one stored set inside a single transaction.
func (s *Store) update(namespace, name string, fn func(*Set) error) (Set, error) {
	var out Set
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSets)
		key := setKey(namespace, name)
		raw := b.Get(key)
		if raw == nil {
			return fmt.Errorf("statefulset %s/%s: %w", namespace, name, ErrNotFound)
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			return fmt.Errorf("decode set %s/%s: %w", namespace, name, err)
		}
		if err := fn(&out); err != nil {
			return err
		}
		return put(b, key, out)
	})
	return out, err
}

// SetReplicas records a scale; it returns the previous count.
func (s *Store) SetReplicas(namespace, name string, replicas int, now time.Time) (prev int, err error) {
	_, err = s.update(namespace, name, func(st *Set) error {
		if st.Deleting != nil {
			return fmt.Errorf("statefulset %s/%s %w", namespace, name, ErrDeleting)
		}
		prev = st.Replicas
		if prev != replicas {
			st.Generation++
		}
		st.Replicas = replicas
		st.UpdatedAt = now
		return nil
	})
	return prev, err
}

// MarkDeleting records the intent to delete a set (and its volumes, when asked; a later
// request can add the volumes, never take them back) with its grace override (nil keeps the
// one recorded, if any; a later override replaces it).
func (s *Store) MarkDeleting(namespace, name string, removeVolumes bool, grace *int64, now time.Time) (Set, error) {
	return s.update(namespace, name, func(st *Set) error {
		if st.Deleting == nil {
			st.Deleting = &Deletion{Since: now}
		}
		st.Deleting.RemoveVolumes = st.Deleting.RemoveVolumes || removeVolumes
		if grace != nil {
			g := *grace
			st.Deleting.GraceSeconds = &g
		}
		return nil
	})
}

// Forget removes a set marked for deletion, once its objects are gone. A set applied again
// meanwhile (no longer marked) is kept; forgetting reports whether it removed the set.
func (s *Store) Forget(namespace, name string) (bool, error) {
	removed := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSets)
		key := setKey(namespace, name)
		raw := b.Get(key)
		if raw == nil {
			return nil
		}
		var st Set
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("decode set %s/%s: %w", namespace, name, err)
		}
		if st.Deleting == nil {
			return nil
		}
		removed = true
		return b.Delete(key)
	})
	return removed, err
}

// Delete removes a set; a missing set is not an error.
func (s *Store) Delete(namespace, name string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSets).Delete(setKey(namespace, name))
	})
}

// Get returns one set.
func (s *Store) Get(namespace, name string) (Set, error) {
	var out Set
	err := s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketSets).Get(setKey(namespace, name))
		if raw == nil {
			return fmt.Errorf("statefulset %s/%s: %w", namespace, name, ErrNotFound)
		}
		return json.Unmarshal(raw, &out)
	})
	return out, err
}

// List returns the sets of a namespace ("" for all), sorted by namespace then name.
func (s *Store) List(namespace string) ([]Set, error) {
	var out []Set
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSets).Cursor()
		prefix := []byte(namespace + "/")
		k, v := c.First()
		if namespace != "" {
			k, v = c.Seek(prefix)
		}
		for ; k != nil; k, v = c.Next() {
			if namespace != "" && !strings.HasPrefix(string(k), string(prefix)) {
				break
			}
			var st Set
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("decode set %s: %w", k, err)
			}
			out = append(out, st)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, err
}

// Namespaces returns every namespace holding at least one set.
func (s *Store) Namespaces() ([]string, error) {
	sets, err := s.List("")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, st := range sets {
		if len(out) == 0 || out[len(out)-1] != st.Namespace {
			out = append(out, st.Namespace)
		}
	}
	return out, nil
}

// AddEvent appends an event to the ring, dropping the oldest beyond MaxEvents. It fills in
// Seq and returns the stored event.
func (s *Store) AddEvent(e Event) (Event, error) {
	out, err := s.AddEvents([]Event{e})
	if err != nil {
		return e, err
	}
	return out[0], nil
}

// AddEvents appends events in order in one transaction (one sync of the file for all of
// them, where AddEvent per event pays one each), dropping the oldest beyond MaxEvents. It
// returns the events with their Seq filled in.
func (s *Store) AddEvents(events []Event) ([]Event, error) {
	out := make([]Event, 0, len(events))
	err := s.db.Update(func(tx *bolt.Tx) error {
		out = out[:0] // bbolt may run fn again after a failed commit
		b := tx.Bucket(bucketEvents)
		var seq uint64
		for _, e := range events {
			var err error
			if seq, err = b.NextSequence(); err != nil {
				return err
			}
			e.Seq = seq
			if err := put(b, seqKey(seq), e); err != nil {
				return err
			}
			out = append(out, e)
		}
		return trimEvents(b, seq)
	})
	return out, err
}

// trimEvents drops the events older than the newest MaxEvents (seq is the newest).
func trimEvents(b *bolt.Bucket, seq uint64) error {
	if seq <= MaxEvents {
		return nil
	}
	// Keys are big-endian sequence numbers: everything before the cut is older.
	cut := seqKey(seq - MaxEvents + 1)
	// Collect first: deleting under a bbolt cursor can skip the next key.
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil && string(k) < string(cut); k, _ = c.Next() {
		old = append(old, append([]byte(nil), k...))
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func seqKey(seq uint64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, seq)
	return k
}

// Events returns the stored events after sequence number since, oldest first.
func (s *Store) Events(since uint64) ([]Event, error) {
	var out []Event
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(seqKey(since + 1)); k != nil; k, v = c.Next() {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode event %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}
