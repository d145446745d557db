package orchestrator

import (
	"errors"
	"maps"
	"testing"
)

// ledgerStub is a RestartLedger whose writes can fail.
type ledgerStub struct {
	m       map[string]RestartRecord
	failPut error
}

func (l *ledgerStub) LoadRestarts() (map[string]RestartRecord, error) { return maps.Clone(l.m), nil }
func (l *ledgerStub) RecordRestart(id string, r RestartRecord) error {
	if l.failPut != nil {
		return l.failPut
	}
	l.m[id] = r
	return nil
}
func (l *ledgerStub) ForgetRestarts(ids []string) error {
	for _, id := range ids {
		delete(l.m, id)
	}
	return nil
}

// A record is visible to the planner only once durable; records of containers a listing
// no longer shows are dropped from both copies.
func TestRestartBook(t *testing.T) {
	l := &ledgerStub{m: map[string]RestartRecord{"old": {Restarts: 4}}}
	b, err := newRestartBook(l)
	if err != nil || b.snapshot()["old"].Restarts != 4 {
		t.Fatalf("loaded %v, %v; want the ledger's record", b.snapshot(), err)
	}
	l.failPut = errors.New("disk full")
	if err := b.record("c1", RestartRecord{Restarts: 1}); err == nil {
		t.Fatal("a record the ledger refused was accepted")
	}
	if _, ok := b.snapshot()["c1"]; ok {
		t.Fatal("a record the ledger refused is visible: the restart would be counted without being durable")
	}
	l.failPut = nil
	if err := b.record("c1", RestartRecord{Restarts: 1}); err != nil {
		t.Fatal(err)
	}
	if err := b.prune([]Container{{ID: "c1"}}); err != nil {
		t.Fatal(err)
	}
	if got := b.snapshot(); len(got) != 1 || got["c1"].Restarts != 1 {
		t.Fatalf("after pruning: %v, want only c1", got)
	}
	if _, ok := l.m["old"]; ok || len(l.m) != 1 {
		t.Fatalf("ledger after pruning: %v, want only c1", l.m)
	}
}
