package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

var bucketRestarts = []byte("restarts")

// Restart is the crash-loop counters of one container restarted in place, by container ID
// (a container's labels cannot change): the controller writes it before each such restart.
type Restart struct {
	Restarts int       `json:"restarts"`
	Backoff  int       `json:"backoff"`
	Failure  time.Time `json:"failure"`
	// ExitCode and OOMKilled are how that failure ended (describe's last state).
	ExitCode  int  `json:"exitCode,omitempty"`
	OOMKilled bool `json:"oomKilled,omitempty"`
}

// Restarts returns every restart record.
func (s *Store) Restarts() (map[string]Restart, error) {
	out := map[string]Restart{}
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRestarts)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var r Restart
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("restart record of container %s: %w", k, err)
			}
			out[string(k)] = r
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read restart records: %w", err)
	}
	return out, nil
}

// PutRestart stores the restart record of a container; it is durable when PutRestart returns.
func (s *Store) PutRestart(containerID string, r Restart) error {
	v, err := json.Marshal(r)
	if err != nil {
		return err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketRestarts)
		if err != nil {
			return err
		}
		return b.Put([]byte(containerID), v)
	})
	if err != nil {
		return fmt.Errorf("store restart record of container %s: %w", containerID, err)
	}
	return nil
}

// DeleteRestarts drops the restart records of containers that are gone.
func (s *Store) DeleteRestarts(containerIDs []string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRestarts)
		if b == nil {
			return nil
		}
		for _, id := range containerIDs {
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("drop restart records: %w", err)
	}
	return nil
}
