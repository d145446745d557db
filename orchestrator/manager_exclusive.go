package orchestrator

import (
	"context"
	"time"
)

// Exclusive runs fn while the set's controller takes no action, as during one of its own
// executions, so an operation on the set's containers from outside the loop (ordset delete
// pod) never races the controller's own (two engine calls on one container at once can leave
// Docker 20.10 with a name held by no container). It first waits for an execution in flight.
func (m *Manager) Exclusive(ctx context.Context, namespace, set string, fn func() error) error {
	k := SetKey{namespace, set}
	for {
		m.mu.Lock()
		s := m.sets[k]
		if s == nil {
			m.mu.Unlock()
			return fn()
		}
		if !s.busy {
			s.busy = true
			m.mu.Unlock()
			break
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	err := fn()
	m.mu.Lock()
	if s := m.sets[k]; s != nil {
		s.busy = false
		s.execs++ // a pass that observed before fn ended plans nothing from its stale snapshot
	}
	m.mu.Unlock()
	m.kick()
	return err
}
