package fakeruntime

import (
	"errors"
	"maps"
	"sync"

	"github.com/ordset/ordset/orchestrator"
)

// Ledger is an in-memory orchestrator.RestartLedger standing for the daemon's store: it
// outlives a Manager as the store outlives a daemon.
type Ledger struct {
	mu        sync.Mutex
	m         map[string]orchestrator.RestartRecord
	dieOnNext bool
}

// NewLedger returns an empty ledger.
func NewLedger() *Ledger { return &Ledger{m: map[string]orchestrator.RestartRecord{}} }

// ErrKilled is what a record reports after DieAfterNextRecord.
var ErrKilled = errors.New("daemon killed after the record")

// DieAfterNextRecord makes the next record durable but fail, as a daemon killed right after
// writing it: the restart it records is not acted on.
func (l *Ledger) DieAfterNextRecord() {
	l.mu.Lock()
	l.dieOnNext = true
	l.mu.Unlock()
}

// LoadRestarts implements orchestrator.RestartLedger.
func (l *Ledger) LoadRestarts() (map[string]orchestrator.RestartRecord, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.m), nil
}

// RecordRestart implements orchestrator.RestartLedger.
func (l *Ledger) RecordRestart(id string, r orchestrator.RestartRecord) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m[id] = r
	if l.dieOnNext {
		l.dieOnNext = false
		return ErrKilled
	}
	return nil
}

// ForgetRestarts implements orchestrator.RestartLedger.
func (l *Ledger) ForgetRestarts(ids []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		delete(l.m, id)
	}
	return nil
}

// Records returns a copy of the records.
func (l *Ledger) Records() map[string]orchestrator.RestartRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.m)
}
