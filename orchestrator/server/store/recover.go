package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrCorrupt matches the error of a store file that cannot be read back.
var ErrCorrupt = errors.New("store file is corrupt")

// LastGoodSuffix names the copy Checkpoint keeps next to the store file.
const LastGoodSuffix = ".last-good"

// CorruptError is a damaged store file.
type CorruptError struct {
	Path  string
	Cause error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("store %s: %v: %v", e.Path, ErrCorrupt, e.Cause)
}

func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

func corrupt(path string, cause error) error { return &CorruptError{Path: path, Cause: cause} }

// openBolt opens the file, turning bbolt's panics on damaged pages into ErrCorrupt and
// naming a way out for the errors a user can fix.
func openBolt(path string) (db *bolt.DB, err error) {
	// A file cut short is mapped beyond its end: reading there faults (SIGBUS), which only
	// this setting turns into a recoverable panic, for this goroutine.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, corrupt(path, fmt.Errorf("%v", r))
		}
	}()
	db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	switch {
	case err == nil:
		return db, nil
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("open store %s: %w (another process holds it: stop the other ordset daemon of this state directory, or set ORDSET_STATE_DIR)", path, err)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EROFS):
		return nil, fmt.Errorf("open store %s: %w (fix the file's owner or permissions, or set ORDSET_STATE_DIR to a writable directory)", path, err)
	case errors.Is(err, syscall.ENOSPC):
		return nil, fmt.Errorf("open store %s: %w (free some disk space)", path, err)
	}
	// Invalid, checksum, version and truncation errors all say the file cannot be trusted.
	return nil, corrupt(path, err)
}

// check reads the whole file: every record decoded (in this goroutine, where a fault is a
// panic), then bbolt's own consistency check of the pages (in a goroutine of its own, safe
// once every reachable page was read).
func check(db *bolt.DB) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return db.View(func(tx *bolt.Tx) error {
		if err := decodeAll(tx); err != nil {
			return err
		}
		var problems []string
		for e := range tx.Check() {
			problems = append(problems, e.Error())
		}
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		if len(problems) > 0 {
			return errors.New(strings.Join(problems, "; "))
		}
		return nil
	})
}

// decodeAll decodes every set and event.
func decodeAll(tx *bolt.Tx) error {
	if b := tx.Bucket(bucketSets); b != nil {
		if err := b.ForEach(func(k, v []byte) error {
			var st Set
			if err := json.Unmarshal(v, &st); err != nil || st.Spec == nil {
				return fmt.Errorf("set %q cannot be decoded", k)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if b := tx.Bucket(bucketEvents); b != nil {
		return b.ForEach(func(k, v []byte) error {
			var e Event
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("event %x cannot be decoded", k)
			}
			return nil
		})
	}
	return nil
}

// Recovery says how OpenOrRecover replaced a damaged store.
type Recovery struct {
	Cause   error  // what was wrong with the file
	MovedTo string // where the damaged file now is, for a post-mortem
	// LastGood is the copy the store was restored from, "" when it starts empty.
	LastGood   string
	LastGoodAt time.Time
}

// String is the sentence the daemon reports.
func (r *Recovery) String() string {
	s := fmt.Sprintf("%v; the damaged file was moved to %s", r.Cause, r.MovedTo)
	if r.LastGood != "" {
		return s + fmt.Sprintf(" and the store restored from its last good copy of %s (changes after it are lost)",
			r.LastGoodAt.UTC().Format(time.RFC3339))
	}
	return s + " and the store starts empty (no good copy)"
}

// OpenOrRecover opens the store; a damaged file is moved aside (never deleted) and replaced by
// the last good copy (Checkpoint) when that one is sound, else by an empty store. The Recovery
// says what happened; errors that are not damage (permissions, a full disk) are returned.
func OpenOrRecover(path string, now time.Time) (*Store, *Recovery, error) {
	s, err := Open(path)
	var ce *CorruptError
	if !errors.As(err, &ce) {
		return s, nil, err
	}
	rec := &Recovery{Cause: err, MovedTo: fmt.Sprintf("%s.corrupt-%s", path, now.UTC().Format("20060102T150405Z"))}
	if err := os.Rename(path, rec.MovedTo); err != nil {
		return nil, nil, fmt.Errorf("%w; moving it aside failed: %w (move or remove %s by hand)", ce, err, path)
	}
	good := path + LastGoodSuffix
	if fi, err := os.Stat(good); err == nil {
		if err := copyFile(good, path); err == nil {
			if s, err := Open(path); err == nil {
				rec.LastGood, rec.LastGoodAt = good, fi.ModTime()
				return s, rec, nil
			}
		}
		os.Remove(path) // the copy is no better; start empty
	}
	s, err = Open(path)
	if err != nil {
		return nil, nil, err
	}
	return s, rec, nil
}

// Checkpoint writes a consistent copy of the store next to it (LastGoodSuffix), atomically,
// for OpenOrRecover. The daemon calls it after changes of desired state.
func (s *Store) Checkpoint() error {
	tmp := s.path + LastGoodSuffix + ".tmp"
	if err := s.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(tmp, 0o600) }); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write last good copy of store %s: %w", s.path, err)
	}
	if err := os.Rename(tmp, s.path+LastGoodSuffix); err != nil {
		return fmt.Errorf("write last good copy of store %s: %w", s.path, err)
	}
	return nil
}

func copyFile(from, to string) error {
	raw, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, raw, 0o600)
}
