package orchestrator

import (
	"context"
	"time"
)

// pass is one turn of the loop: observe the engine once, plan every set from that snapshot
// (PlanEngine, pure), record the plan's verdicts and hand its actions to the executor. It
// returns when the next pass is due at the latest.
func (m *Manager) pass(ctx context.Context) time.Duration {
	m.mu.Lock()
	empty, conflicts := len(m.sets) == 0, m.hasConflicts()
	execsBefore := make(map[SetKey]uint64, len(m.sets))
	for k, s := range m.sets {
		execsBefore[k] = s.execs
	}
	m.mu.Unlock()
	if empty {
		return m.opts.Resync
	}
	snap, err := m.observeOrReuse(ctx, conflicts)
	if err != nil {
		if ctx.Err() == nil {
			m.log.Error("observe failed", "err", err)
			m.hub.Publish(ProgressEvent{Time: m.opts.Now(), Type: EventError, Message: err.Error()})
		}
		return min(m.opts.Resync, errorRetryInitial)
	}
	if err := m.restarts.prune(snap.Containers); err != nil {
		m.log.Warn("restart records of removed containers kept", "err", err)
	}

	m.mu.Lock()
	w := World{Sets: make(map[SetKey]SetInput, len(m.sets)), Probed: m.probed, Now: m.opts.Now()}
	for k, s := range m.sets {
		mem := s.mem
		mem.InFlight = s.busy || execsBefore[k] != s.execs
		w.Sets[k] = SetInput{Desired: s.desired(), Memory: mem}
	}
	// Before anything looks at a container (probers exec into them): impostors are left alone.
	snap.Containers, snap.Impostors = screen(snap.Containers, w.Sets)
	m.syncProbers(ctx, snap)
	snap.Probes = m.probeStatuses()
	snap.Restarts = m.restarts.snapshot()
	w.Snapshot = snap
	plan := PlanEngine(w)
	jobs, rolled := m.record(plan)
	m.mu.Unlock()
	if m.opts.OnRollout != nil {
		for _, r := range rolled {
			m.opts.OnRollout(r.key.Namespace, r.key.Name, r.revision)
		}
	}

	next := m.opts.Resync
	if plan.RequeueAfter > 0 {
		next = min(next, plan.RequeueAfter)
	}
	nets, retry := m.runNamespaces(ctx, plan.Namespaces)
	if retry {
		next = min(next, errorRetryInitial)
	}
	m.dispatch(ctx, jobs, nets)
	m.notifyPods()
	return max(next, time.Millisecond)
}

// snapshotReuse bounds how old a reused snapshot may be: it also covers changes no event
// reports (a volume removed by hand).
const snapshotReuse = time.Second

// observeOrReuse lists the engine, or returns the last snapshot when nothing marked it stale
// since its listing began (no event, execution, API call or resync) and it is recent: a pass
// woken by a probe verdict alone (a pod turned Ready) then plans at once instead of waiting
// for three list calls that would return the same. Only the pass loop calls it.
func (m *Manager) observeOrReuse(ctx context.Context, conflicts bool) (Snapshot, error) {
	now := time.Now()
	if !m.stale.Swap(false) && m.lastOK && !conflicts && now.Sub(m.lastAt) < snapshotReuse {
		return m.lastSnap, nil
	}
	snap, err := observe(ctx, m.rt, conflicts)
	m.lastSnap, m.lastAt, m.lastOK = snap, now, err == nil && !conflicts
	if err != nil {
		m.stale.Store(true)
	}
	return snap, err
}

// job is one set's actions waiting for execution.
type job struct {
	s    *setState
	d    Desired
	plan Plan
}

// rolledOut is a set whose rollout completed in a pass.
type rolledOut struct {
	key      SetKey
	revision string
}

// record stores each set's new memory and status, advances the current revision of the sets
// whose rollout completed, and marks the sets about to act as busy. m.mu is held.
func (m *Manager) record(plan EnginePlan) ([]job, []rolledOut) {
	var jobs []job
	var rolled []rolledOut
	for _, sp := range plan.Sets {
		s := m.sets[sp.Key]
		if s == nil {
			continue
		}
		sp.Memory.InFlight = false
		s.mem = sp.Memory
		if sp.Skip || sp.Plan.Done {
			continue
		}
		st := setStatus(sp.Desired, sp.Plan)
		if RolloutComplete(sp.Desired, st) && s.revision == sp.Desired.Revision {
			s.rollout.CurrentRevision, s.rollout.Current = s.revision, s.spec
			st.CurrentRevision, st.AtCurrent = s.revision, st.Updated
			rolled = append(rolled, rolledOut{sp.Key, s.revision})
			m.publish(sp.Key, "", EventRolledOut, "rollout complete: current revision "+s.revision)
		}
		m.noteStatus(s, st)
		if len(sp.Plan.Actions) > 0 {
			s.busy = true
			jobs = append(jobs, job{s, sp.Desired, sp.Plan})
		}
	}
	return jobs, rolled
}

// hasConflicts reports whether any set remembers a foreign name conflict. m.mu is held.
func (m *Manager) hasConflicts() bool {
	for _, s := range m.sets {
		if len(s.mem.Conflicts) > 0 {
			return true
		}
	}
	return false
}

// probed reports whether a set has probes. m.mu is held (PlanEngine runs under it).
func (m *Manager) probed(k SetKey) bool {
	s := m.sets[k]
	return s != nil && hasProbes(s.spec)
}

// probeStatuses reads every prober's verdict. m.mu is held.
func (m *Manager) probeStatuses() map[string]ProbeStatus {
	out := make(map[string]ProbeStatus, len(m.probers))
	for id, e := range m.probers {
		out[id] = e.p.Status()
	}
	return out
}

// syncProbers starts a prober for each running pod container of a set with probes and stops
// the probers of containers that no longer run. m.mu is held.
func (m *Manager) syncProbers(ctx context.Context, snap Snapshot) {
	want := runningMains(group(snap.Containers, snap.Volumes), m.probed)
	for id, pw := range want {
		if m.probers[id] != nil {
			continue
		}
		spec := m.sets[pw.key].specAt(pw.revision)
		if pw.target.Container != "" && !containerProbed(probedContainer(spec, pw.target.Container)) {
			delete(want, id) // a container of a multi-container pod without probes of its own
			continue
		}
		pr := m.opts.Probers(spec, pw.target, m.probeKick)
		m.probers[id] = &proberEntry{p: pr, key: pw.key}
		pr.Start(m.ctxOr(ctx))
	}
	for id, e := range m.probers {
		if _, ok := want[id]; !ok {
			delete(m.probers, id)
			go e.p.Stop()
		}
	}
}

// ctxOr is the Run context (executions and probers outlive the pass), or ctx before Run.
// m.mu is held.
func (m *Manager) ctxOr(ctx context.Context) context.Context {
	if m.runCtx != nil {
		return m.runCtx
	}
	return ctx
}
