package orchestrator

import "time"

// SetDeleteGrace overrides the termination grace period of a set's pods for its deletion
// ("ordset down -t 0"). Only the manager's copy of the spec changes, not the set's revision,
// so nothing rolls. The caller records the override with the deletion and sets it again
// after every Apply, so a daemon restarted mid-delete uses it too.
func (m *Manager) SetDeleteGrace(namespace, set string, grace time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.sets[SetKey{namespace, set}]
	if s == nil || s.spec == nil {
		return
	}
	spec := *s.spec
	secs := int64(grace / time.Second)
	spec.Template.Spec.TerminationGracePeriodSeconds = &secs
	s.spec = &spec
}
