package orchestrator

import (
	"context"
	"fmt"
)

// runNamespaces executes the namespace-level actions, in order per namespace, and returns the
// network each namespace's pods join (observed or just created). retry is true when a network
// could not be created: the pass after next tries again soon.
func (m *Manager) runNamespaces(ctx context.Context, nps []NamespacePlan) (nets map[string]Network, retry bool) {
	nets = map[string]Network{}
	for _, np := range nps {
		nets[np.Namespace] = np.Network
		for _, a := range np.Actions {
			switch a.Kind {
			case ActCreateNetwork:
				n, err := m.rt.EnsureNetwork(ctx, a.Namespace)
				if err != nil {
					m.log.Error("ensure network failed", "namespace", a.Namespace, "err", err)
					m.hub.Publish(ProgressEvent{Time: m.opts.Now(), Namespace: a.Namespace, Type: EventError,
						Message: fmt.Sprintf("ensure network %s: %v", a.Target, err)})
					retry = true
					continue
				}
				nets[np.Namespace] = n
			case ActRemoveNetwork:
				// A failure (e.g. a foreign container still attached) does not keep the set: the
				// network is the namespace's, and a later up reuses it.
				if err := m.rt.RemoveNetwork(ctx, a.Namespace); err != nil {
					m.log.Warn("remove network failed", "namespace", a.Namespace, "err", err)
				}
			case ActForgetSet:
				m.forgetSet(SetKey{a.Namespace, a.Target})
			}
		}
	}
	return nets, retry
}

// forgetSet drops a deleted set whose objects are gone and tells the owner of the durable
// state (Options.OnForget) and subscribers.
func (m *Manager) forgetSet(k SetKey) {
	m.mu.Lock()
	if s := m.sets[k]; s == nil || !s.deleted {
		m.mu.Unlock()
		return // revived by an Apply since the plan
	}
	delete(m.sets, k)
	for id, e := range m.probers {
		if e.key == k {
			delete(m.probers, id)
			go e.p.Stop()
		}
	}
	m.mu.Unlock()
	if m.opts.OnForget != nil {
		m.opts.OnForget(k.Namespace, k.Name)
	}
	m.publish(k, "", EventSetDeleted, "statefulset deleted")
}

// dispatch starts each set's execution. A set that creates containers waits for a later
// pass when its namespace has no network yet.
func (m *Manager) dispatch(ctx context.Context, jobs []job, nets map[string]Network) {
	for _, j := range jobs {
		n := nets[j.d.Namespace]
		if n.Name == "" && j.plan.createsContainers() {
			m.mu.Lock()
			j.s.busy = false
			m.mu.Unlock()
			continue
		}
		tpl := PodTemplate{Namespace: j.d.Namespace, Set: j.d.Set, Revision: j.d.Revision,
			Current: j.d.Current, CurrentRevision: j.d.CurrentRevision, Network: n.Name, NetworkID: n.ID,
			DNSServer: n.Gateway, Zone: m.opts.Zone, ExtraLabels: m.opts.ExtraLabels}
		if m.opts.Objects != nil {
			tpl.Objects = m.opts.Objects(j.d.Namespace)
		}
		m.mu.Lock()
		runCtx := m.ctxOr(ctx)
		m.mu.Unlock()
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.execute(runCtx, j.s, tpl, j.plan.Actions)
		}()
	}
}
