package orchestrator

import (
	"context"
	"sync/atomic"
	"testing"
)

// listCounter is a Runtime that only lists (nothing), counting container lists.
type listCounter struct {
	Runtime // nil: any other call panics
	lists   atomic.Int32
}

func (l *listCounter) ListContainers(context.Context, string) ([]Container, error) {
	l.lists.Add(1)
	return nil, nil
}
func (l *listCounter) ListVolumes(context.Context, string) ([]Volume, error) { return nil, nil }
func (l *listCounter) ListNetworks(context.Context) ([]Network, error)       { return nil, nil }
func (l *listCounter) ListForeignNames(context.Context) ([]string, error)    { return nil, nil }

// A pass woken by a probe verdict alone reuses the last snapshot; anything that may have
// changed the engine, or asks for a fresh look, makes the next pass list again.
func TestSnapshotReuse(t *testing.T) {
	rt := &listCounter{}
	m := NewManager(rt, Options{})
	ctx := context.Background()
	observeAfter := func(what string, mark func(), wantLists int32) {
		t.Helper()
		before := rt.lists.Load()
		mark()
		if _, err := m.observeOrReuse(ctx, false); err != nil {
			t.Fatal(err)
		}
		if got := rt.lists.Load() - before; got != wantLists {
			t.Errorf("after %s: %d container lists, want %d", what, got, wantLists)
		}
	}
	observeAfter("start", func() {}, 1)
	observeAfter("a probe verdict", m.probeKick, 0)
	observeAfter("an event or API call", m.kick, 1)
	observeAfter("a probe verdict", m.probeKick, 0)
	observeAfter("an old snapshot", func() { m.lastAt = m.lastAt.Add(-2 * snapshotReuse) }, 1)
	observeAfter("a resync", func() { m.stale.Store(true) }, 1)
	before := rt.lists.Load()
	if _, err := m.observeOrReuse(ctx, true); err != nil || rt.lists.Load() != before+1 {
		t.Errorf("a pass that must re-check foreign names reused the snapshot (%v)", err)
	}
	observeAfter("a snapshot without foreign names", func() {}, 1)
}
