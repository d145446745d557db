package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ordset/ordset/orchestrator/labels"
)

// checkForeign forgets foreign-name conflicts whose container is gone or now ours. It inspects
// the name that was refused (an init container's, too), not always the main container's.
func (m *Manager) checkForeign(ctx context.Context) {
	type probe struct {
		s    *setState
		ord  int
		name string
	}
	var todo []probe
	m.mu.Lock()
	for _, s := range m.sets {
		for ord, c := range s.foreign {
			todo = append(todo, probe{s, ord, c.container})
		}
	}
	m.mu.Unlock()
	for _, p := range todo {
		c, err := m.rt.InspectContainer(ctx, p.name)
		if errors.Is(err, ErrNotFound) || err == nil && labels.Owned(c.Labels) {
			m.mu.Lock()
			if p.s.foreign[p.ord].container == p.name {
				delete(p.s.foreign, p.ord)
			}
			m.mu.Unlock()
		}
	}
}

// observed is one set's slice of the snapshot.
type observed = Observed

// group sorts the snapshot into sets and ordinals by label.
func group(cs []Container, vs []Volume) map[setKey]*observed {
	out := map[setKey]*observed{}
	get := func(l map[string]string) *observed {
		k := setKey{l[labels.Namespace], l[labels.Set]}
		o := out[k]
		if o == nil {
			o = &observed{Pods: map[int]*ObservedPod{}}
			out[k] = o
		}
		return o
	}
	for _, c := range cs {
		ord, ok := labels.OrdinalOf(c.Labels)
		if !ok || !labels.Owned(c.Labels) {
			continue
		}
		o := get(c.Labels)
		p := o.Pods[ord]
		if p == nil {
			p = &ObservedPod{}
			o.Pods[ord] = p
		}
		if c.Labels[labels.Role] == labels.RoleInit {
			p.Inits = append(p.Inits, c)
		} else {
			p.Containers = append(p.Containers, c)
		}
	}
	for _, v := range vs {
		if labels.Owned(v.Labels) {
			o := get(v.Labels)
			o.Volumes = append(o.Volumes, v)
		}
	}
	return out
}

func orEmpty(o *observed) Observed {
	if o == nil {
		return Observed{}
	}
	return *o
}

// mainOf returns the container the planner will keep for an ordinal (see dedupe).
func mainOf(k setKey, ord int, p *ObservedPod) *Container {
	var best *Container
	want := ContainerName(k.ns, k.name, ord)
	for i := range p.Containers {
		c := &p.Containers[i]
		if best == nil || c.Name == want && best.Name != want ||
			best.Name != want && c.CreatedAt.After(best.CreatedAt) {
			best = c
		}
	}
	return best
}

// fillReadiness sets the probe verdicts of each pod of a set. m.mu is held.
func (m *Manager) fillReadiness(s *setState, o *observed, now time.Time) {
	if o == nil {
		return
	}
	if len(s.foreign) > 0 {
		o.Foreign = make(map[int]string, len(s.foreign))
		for ord, c := range s.foreign {
			o.Foreign[ord] = c.msg
		}
	}
	live := map[string]bool{}
	for ord, p := range o.Pods {
		c := mainOf(s.key, ord, p)
		if c == nil || c.State != StateRunning {
			continue
		}
		live[c.ID] = true
		healthOK := c.Health == "" || c.Health == "healthy"
		if e := m.probers[c.ID]; e != nil {
			st := e.p.Status()
			p.Ready = st.Ready && healthOK
			p.ReadySince = st.ReadySince
			p.LivenessFailed = !st.Live
			p.ProbeReason = st.Reason
		} else if !hasProbes(s.spec) {
			p.Ready = healthOK
		}
		if !p.Ready {
			delete(s.readySeen, c.ID)
			continue
		}
		if p.ReadySince.IsZero() {
			if c.Health == "" && !c.StartedAt.IsZero() && !hasProbes(s.spec) {
				p.ReadySince = c.StartedAt
			} else {
				if _, ok := s.readySeen[c.ID]; !ok {
					s.readySeen[c.ID] = now
				}
				p.ReadySince = s.readySeen[c.ID]
			}
		}
	}
	for id := range s.readySeen {
		if !live[id] {
			delete(s.readySeen, id)
		}
	}
}

// readiness is "" when every desired pod of a live set exists and is Ready, else "(r/n Ready)".
func readiness(s *setState, o *observed) string {
	ready := 0
	start := s.spec.Ordinals.Start
	for ord := start; o != nil && ord < start+s.replicas; ord++ {
		if p := o.Pods[ord]; p != nil && p.Ready {
			ready++
		}
	}
	if ready == s.replicas && !s.deleted {
		return ""
	}
	return fmt.Sprintf("(%d/%d Ready)", ready, s.replicas)
}

// syncProbers starts a prober for each running pod container of a set with probes and stops
// the probers of containers that no longer run. m.mu is held.
func (m *Manager) syncProbers(ctx context.Context, obs map[setKey]*observed) {
	running := map[string]bool{}
	for k, s := range m.sets {
		o := obs[k]
		if o == nil || !hasProbes(s.spec) {
			continue
		}
		for ord, p := range o.Pods {
			c := mainOf(k, ord, p)
			if c == nil || c.State != StateRunning {
				continue
			}
			running[c.ID] = true
			if m.probers[c.ID] != nil {
				continue
			}
			pr := m.opts.Probers(s.spec, ProbeTarget{ContainerID: c.ID, IP: c.IP, StartedAt: c.StartedAt}, m.kick)
			m.probers[c.ID] = &proberEntry{p: pr, key: k}
			runCtx := m.runCtx
			if runCtx == nil {
				runCtx = ctx
			}
			pr.Start(runCtx)
		}
	}
	for id, e := range m.probers {
		if !running[id] {
			delete(m.probers, id)
			go e.p.Stop()
		}
	}
}
