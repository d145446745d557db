package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Retry delays after a failed execution (e.g. a missing image): 1 s doubling to 30 s.
const (
	errorRetryInitial = time.Second
	errorRetryMax     = 30 * time.Second
)

// pass observes once, plans every set and starts the executions. It returns when the
// next pass is due at the latest.
func (m *Manager) pass(ctx context.Context) time.Duration {
	next := m.opts.Resync
	m.mu.Lock()
	empty := len(m.sets) == 0
	execsBefore := make(map[setKey]uint64, len(m.sets))
	for k, s := range m.sets {
		execsBefore[k] = s.execs
	}
	m.mu.Unlock()
	if empty {
		return next
	}
	cs, err := m.rt.ListContainers(ctx, "")
	var vs []Volume
	if err == nil {
		vs, err = m.rt.ListVolumes(ctx, "")
	}
	if err != nil {
		if ctx.Err() == nil {
			m.log.Error("observe failed", "err", err)
			m.hub.publish(ProgressEvent{Time: m.opts.Now(), Type: EventError, Message: err.Error()})
		}
		return min(next, errorRetryInitial)
	}
	m.checkForeign(ctx)
	obs := group(cs, vs)
	now := m.opts.Now()

	m.mu.Lock()
	m.syncProbers(ctx, obs)
	fully := map[setKey]string{} // set -> "" when fully Ready, else "(r/n Ready)"
	desired := map[setKey]Desired{}
	for k, s := range m.sets {
		o := obs[k]
		if o == nil { // nothing of the set exists yet; it may still have a foreign conflict
			o = &observed{Pods: map[int]*ObservedPod{}}
			obs[k] = o
		}
		m.fillReadiness(s, o, now)
		desired[k] = Desired{Namespace: k.ns, Set: s.spec, Replicas: s.replicas, Revision: s.revision,
			Deleted: s.deleted, RemoveVolumes: s.removeVolumes}
		fully[k] = readiness(s, o)
	}
	var jobs []job
	var gone []*setState
	for k, s := range m.sets {
		d := desired[k]
		for _, dep := range s.spec.DependsOn {
			r, ok := fully[setKey{k.ns, dep}]
			switch {
			case !ok || m.sets[setKey{k.ns, dep}].deleted:
				d.BlockedBy = append(d.BlockedBy, dep+" (not applied)")
			case r != "":
				d.BlockedBy = append(d.BlockedBy, dep+" "+r)
			}
		}
		slices.Sort(d.BlockedBy)
		plan := PlanSet(d, orEmpty(obs[k]), now)
		if s.busy {
			continue // its execution is in flight; the snapshot may be mid-change
		}
		if before, ok := execsBefore[k]; ok && before != s.execs {
			continue // an execution finished after the list: the snapshot predates it (it kicks a new pass)
		}
		if plan.Done {
			gone = append(gone, s)
			continue
		}
		if len(plan.Actions) > 0 && now.Before(s.retryAt) {
			plan.Waiting = strings.TrimPrefix(plan.Waiting+"; retrying after error: "+s.lastErr, "; ")
			plan.Actions = nil
			next = min(next, s.retryAt.Sub(now))
		}
		if plan.RequeueAfter > 0 {
			next = min(next, plan.RequeueAfter)
		}
		m.noteStatus(s, setStatus(d, plan))
		if len(plan.Actions) > 0 {
			s.busy = true
			jobs = append(jobs, job{s, d, plan})
		}
	}
	nets := map[string]Network{}
	for _, j := range jobs {
		nets[j.d.Namespace] = m.networks[j.d.Namespace]
	}
	runCtx := m.runCtx
	m.mu.Unlock()

	// A deleted set is forgotten only after its namespace's network is gone (when it was the
	// last set there), so a watcher that sees the set disappear can rely on a clean engine.
	leaving := map[setKey]bool{}
	for _, s := range gone {
		leaving[s.key] = true
	}
	for _, s := range gone {
		m.maybeRemoveNetwork(ctx, s.key.ns, leaving)
		m.mu.Lock()
		m.forget(s)
		m.mu.Unlock()
		m.publish(s.key, "", EventSetDeleted, "statefulset deleted")
	}
	for ns, n := range nets {
		if n.Name == "" && needsNetwork(jobs, ns) {
			nn, err := m.rt.EnsureNetwork(ctx, ns)
			if err != nil {
				m.log.Error("ensure network failed", "namespace", ns, "err", err)
				m.hub.publish(ProgressEvent{Time: now, Namespace: ns, Type: EventError,
					Message: fmt.Sprintf("ensure network %s: %v", NetworkName(ns), err)})
				next = min(next, errorRetryInitial)
			}
			m.mu.Lock()
			if err == nil {
				m.networks[ns] = nn
			}
			m.mu.Unlock()
			nets[ns] = nn
		}
	}
	for _, j := range jobs {
		n := nets[j.d.Namespace]
		if n.Name == "" && needsNetwork([]job{j}, j.d.Namespace) {
			m.mu.Lock()
			j.s.busy = false
			m.mu.Unlock()
			continue
		}
		tpl := PodTemplate{Namespace: j.d.Namespace, Set: j.d.Set, Revision: j.d.Revision, Network: n.Name,
			DNSServer: n.Gateway, Zone: m.opts.Zone, ExtraLabels: m.opts.ExtraLabels}
		if runCtx == nil {
			runCtx = ctx
		}
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.execute(runCtx, j.s, tpl, j.plan.Actions)
		}()
	}
	m.notifyPods()
	return max(next, time.Millisecond)
}

// job is one set's plan waiting for execution.
type job struct {
	s    *setState
	d    Desired
	plan Plan
}

// needsNetwork reports whether any job in ns creates a container.
func needsNetwork(jobs []job, ns string) bool {
	for _, j := range jobs {
		if j.d.Namespace != ns {
			continue
		}
		for _, a := range j.plan.Actions {
			if a.Kind == ActCreatePod || a.Kind == ActRunInit {
				return true
			}
		}
	}
	return false
}

// execute runs one set's actions and records what happened.
func (m *Manager) execute(ctx context.Context, s *setState, tpl PodTemplate, actions []Action) {
	results := m.exec.Execute(ctx, tpl, actions)
	var errs []string
	foreign := map[int]conflict{}
	networkGone := false
	for _, r := range results {
		a := r.Action
		if r.Err != nil {
			if ctx.Err() != nil {
				continue // shutting down: not a failure of the set
			}
			errs = append(errs, r.Err.Error())
			m.log.Error("action failed", "namespace", s.key.ns, "set", s.key.name, "action", a.String(), "err", r.Err)
			m.publish(s.key, a.Pod, EventError, r.Err.Error())
			// Volumes and images are ensured first, so a create that finds something missing
			// most likely lost the network behind a cached entry (its destroy event was missed).
			networkGone = networkGone || (a.Kind == ActCreatePod || a.Kind == ActRunInit || a.Kind == ActStartContainer) &&
				errors.Is(r.Err, ErrNotFound)
			if (a.Kind == ActCreatePod || a.Kind == ActRunInit) && errors.Is(r.Err, ErrNotOwned) {
				foreign[a.Ordinal] = conflict{a.Target,
					fmt.Sprintf("container %s exists and is not managed by ordset; remove or rename it", a.Target)}
			}
			continue
		}
		m.log.Info("action done", "namespace", s.key.ns, "set", s.key.name, "action", a.String())
		if typ, msg := describe(a); typ != "" {
			m.publish(s.key, a.Pod, typ, msg)
		}
	}
	m.mu.Lock()
	if networkGone {
		delete(m.networks, s.key.ns) // the next pass ensures it again
	}
	s.busy = false
	s.execs++
	for ord, c := range foreign {
		s.foreign[ord] = c
	}
	switch {
	case len(errs) == 0:
		s.failures, s.retryAt, s.lastErr = 0, time.Time{}, ""
	case len(foreign) == 0:
		d := errorRetryInitial << min(s.failures, 5)
		s.failures++
		s.retryAt = m.opts.Now().Add(min(d, errorRetryMax))
		s.lastErr = errs[0]
	}
	m.mu.Unlock()
	m.kick()
}

// describe turns a successful action into a progress event.
func describe(a Action) (string, string) {
	switch a.Kind {
	case ActCreateVolume:
		return EventVolumeCreated, "created volume " + a.Target
	case ActRemoveVolume:
		return EventVolumeRemoved, "removed volume " + a.Target
	case ActCreatePod:
		return EventPodCreated, fmt.Sprintf("created pod %s (container %s, revision %s)", a.Pod, a.Target, a.Revision)
	case ActRunInit:
		return EventInitStarted, fmt.Sprintf("started init container %s", a.Target)
	case ActStopPod:
		return EventPodStopped, fmt.Sprintf("stopped pod %s: %s", a.Pod, a.Reason)
	case ActDeletePod:
		return EventPodDeleted, fmt.Sprintf("deleted pod %s (%s)", a.Pod, a.Reason)
	case ActRemoveContainer:
		if a.Reason == "scale down" || a.Reason == "delete" {
			return EventPodDeleted, fmt.Sprintf("deleted pod %s (%s)", a.Pod, a.Reason)
		}
		return "", ""
	}
	return "", ""
}

// forget drops a deleted set whose pods are gone. m.mu is held.
func (m *Manager) forget(s *setState) {
	delete(m.sets, s.key)
	for id, e := range m.probers {
		if e.key == s.key {
			delete(m.probers, id)
			go e.p.Stop()
		}
	}
}

// maybeRemoveNetwork removes a namespace's network once no set of it is left but those leaving.
func (m *Manager) maybeRemoveNetwork(ctx context.Context, ns string, leaving map[setKey]bool) {
	m.mu.Lock()
	for k := range m.sets {
		if k.ns == ns && !leaving[k] {
			m.mu.Unlock()
			return
		}
	}
	delete(m.networks, ns)
	m.mu.Unlock()
	if err := m.rt.RemoveNetwork(ctx, ns); err != nil {
		m.log.Warn("remove network failed", "namespace", ns, "err", err)
	}
}

// noteStatus stores a set's new status and publishes what changed. m.mu is held.
func (m *Manager) noteStatus(s *setState, st SetStatus) {
	old := map[string]PodStatus{}
	for _, p := range s.status.Pods {
		old[p.Name] = p
	}
	for _, p := range st.Pods {
		o, had := old[p.Name]
		switch {
		case p.Ready && (!had || !o.Ready):
			m.publish(s.key, p.Name, EventPodReady, fmt.Sprintf("pod %s is Ready (%s)", p.Name, p.IP))
		case !p.Ready && had && o.Ready:
			m.publish(s.key, p.Name, EventPodNotReady, fmt.Sprintf("pod %s is not Ready (%s)", p.Name, p.Status))
		}
		failedNow := p.Status == PhaseError || p.Status == PhaseCrashLoop || strings.HasPrefix(p.Status, "Init:Error") ||
			p.Status == PhaseUnhealthy
		if failedNow && (!had || o.Status != p.Status) {
			m.publish(s.key, p.Name, EventPodFailed, fmt.Sprintf("pod %s: %s", p.Name, p.Status))
		}
	}
	if st.Waiting != s.status.Waiting && st.Waiting != "" {
		m.publish(s.key, "", EventWaiting, st.Waiting)
	}
	s.status, s.seen, s.stale = st, true, false
}

// notifyPods calls OnPods when any pod's name, IP or readiness changed since the last call.
func (m *Manager) notifyPods() {
	if m.opts.OnPods == nil {
		return
	}
	m.mu.Lock()
	var pods []PodStatus
	for _, s := range m.sets {
		pods = append(pods, s.status.Pods...)
	}
	slices.SortFunc(pods, func(a, b PodStatus) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	var b strings.Builder
	for _, p := range pods {
		fmt.Fprintf(&b, "%s/%s/%s/%s/%s/%v/%v;", p.Namespace, p.Service, p.Name, p.IP, p.IPv6, p.Ready, p.PublishNotReady)
	}
	fp := b.String()
	changed := fp != m.lastPods
	m.lastPods = fp
	m.mu.Unlock()
	if changed {
		m.opts.OnPods(pods)
	}
}
