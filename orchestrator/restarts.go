package orchestrator

import (
	"fmt"
	"maps"
	"sync"
	"time"
)

// RestartRecord is the crash-loop counters of a container restarted in place. A container's
// labels cannot change, so the counters of its own restarts live here, by container ID, and
// override its labels (identity.LabelRestarts, identity.LabelBackoff).
type RestartRecord struct {
	Restarts int `json:"restarts"`
	Backoff  int `json:"backoff"`
	// Failure is the failure the record answers (failedAt of the container when the restart
	// was decided): a daemon killed between the record and the start finds the container
	// still failed at that time, and starts it without counting the failure again.
	Failure time.Time `json:"failure"`
	// ExitCode and OOMKilled are how that failure ended: the engine forgets them at the
	// start, and `describe` shows them as the pod's last state.
	ExitCode  int  `json:"exitCode,omitempty"`
	OOMKilled bool `json:"oomKilled,omitempty"`
}

// RestartLedger keeps restart records durably (the daemon's store). Record must be durable
// when it returns: the restart is acted on only then.
type RestartLedger interface {
	LoadRestarts() (map[string]RestartRecord, error)
	RecordRestart(containerID string, r RestartRecord) error
	ForgetRestarts(containerIDs []string) error
}

// restartBook is the Manager's copy of the restart records, written through to the ledger
// (none: memory only, counters then start afresh with a new daemon).
type restartBook struct {
	mu     sync.Mutex
	m      map[string]RestartRecord
	ledger RestartLedger
}

func newRestartBook(l RestartLedger) (*restartBook, error) {
	b := &restartBook{m: map[string]RestartRecord{}, ledger: l}
	if l == nil {
		return b, nil
	}
	m, err := l.LoadRestarts()
	if err != nil {
		return b, fmt.Errorf("load restart records: %w", err)
	}
	maps.Copy(b.m, m)
	return b, nil
}

// snapshot returns a copy of every record.
func (b *restartBook) snapshot() map[string]RestartRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.m)
}

// record makes a record durable, then visible to the next pass.
func (b *restartBook) record(id string, r RestartRecord) error {
	if b.ledger != nil {
		if err := b.ledger.RecordRestart(id, r); err != nil {
			return fmt.Errorf("record restart of container %s: %w", id, err)
		}
	}
	b.mu.Lock()
	b.m[id] = r
	b.mu.Unlock()
	return nil
}

// prune drops the records of containers the listing no longer shows: container IDs are never
// reused, so a container missing from a full listing is gone for good.
func (b *restartBook) prune(listed []Container) error {
	b.mu.Lock()
	if len(b.m) == 0 {
		b.mu.Unlock()
		return nil
	}
	stale := staleRecords(b.m, listed)
	for _, id := range stale {
		delete(b.m, id)
	}
	b.mu.Unlock()
	if len(stale) == 0 || b.ledger == nil {
		return nil
	}
	if err := b.ledger.ForgetRestarts(stale); err != nil {
		return fmt.Errorf("forget restart records: %w", err)
	}
	return nil
}

// staleRecords are the IDs of records whose container is not listed.
func staleRecords(m map[string]RestartRecord, listed []Container) []string {
	have := make(map[string]bool, len(listed))
	for _, c := range listed {
		have[c.ID] = true
	}
	var out []string
	for id := range m {
		if !have[id] {
			out = append(out, id)
		}
	}
	return out
}
