package orchestrator

import (
	"slices"

	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/volumes"
)

// condemn removes the pods of out-of-range ordinals (given highest first). OrderedReady takes
// one at a time, only when every in-range pod is Available, and an unhealthy target only when
// no lower condemned pod is unhealthy; Parallel and a deleted set skip the health gates.
func (p *planner) condemn(ords []int, allAvailable bool) {
	if len(ords) == 0 {
		return
	}
	reason := "scale down"
	if p.d.Deleted {
		reason = "delete"
	}
	if !p.monotonic {
		for _, ord := range ords {
			p.plan.Pods = append(p.plan.Pods, p.removePod(ord, reason))
		}
		return
	}
	target := ords[0]
	if !p.d.Deleted {
		if !allAvailable {
			p.wait("scale down waits for every pod below %s to be Ready", p.podName(target))
			p.reportCondemned(ords)
			return
		}
		// Like Kubernetes: a healthy target goes; an unhealthy one only when no lower pod is
		// unhealthy too (it is then the first unhealthy pod), so a broken pod can be scaled away.
		if !p.healthy(target) {
			for _, ord := range ords[1:] {
				if !p.healthy(ord) {
					p.wait("scale down of %s waits for %s to be Ready", p.podName(target), p.podName(ord))
					p.reportCondemned(ords)
					return
				}
			}
		}
	}
	p.plan.Pods = append(p.plan.Pods, p.removePod(target, reason))
	p.reportCondemned(ords[1:])
}

// healthy reports a Running and Ready pod.
func (p *planner) healthy(ord int) bool {
	c := p.canon[ord]
	return c != nil && c.State == StateRunning && p.o.Pods[ord].Ready
}

// reportCondemned adds the state of condemned pods that are left alone in this pass.
func (p *planner) reportCondemned(ords []int) {
	for _, ord := range ords {
		st := PodState{Ordinal: ord, Name: p.podName(ord), Phase: p.initPhase(ord)}
		if c := p.canon[ord]; c != nil {
			st.Exists, st.Container, st.Revision = true, c, c.Labels[identity.LabelRevision]
			st.Restarts = restartsOf(*c, p.o.Restarts)
			st.Phase = PhaseRunning
			if failed(*c) {
				st.Phase = PhaseError
			}
			st.Ready = c.State == StateRunning && p.o.Pods[ord].Ready
		}
		p.plan.Pods = append(p.plan.Pods, st)
	}
}

// removePod plans the removal of every container of an ordinal: a running main container
// stops gracefully, everything else is force-removed.
func (p *planner) removePod(ord int, reason string) PodState {
	name := p.podName(ord)
	st := PodState{Ordinal: ord, Name: name, Phase: PhaseTerminating}
	if c := p.canon[ord]; c != nil && identity.IsInfra(c.Labels) || c == nil && len(p.o.Pods[ord].Members) > 0 {
		if c != nil {
			st.Exists, st.Container, st.Revision = true, c, c.Labels[identity.LabelRevision]
		}
		if c != nil && c.State == StateRemoving {
			p.wait("%s terminating", name)
			return st
		}
		p.tearDown(ord, reason)
		return st
	}
	if c := p.canon[ord]; c != nil {
		st.Exists, st.Container, st.Revision = true, c, c.Labels[identity.LabelRevision]
		st.Restarts = restartsOf(*c, p.o.Restarts)
		if c.State == StateRemoving { // already going; a second removal would only fail
			p.wait("%s terminating", name)
			return st
		}
		kind := ActRemoveContainer
		if c.State == StateRunning || c.State == StatePaused || c.State == StateRestarting {
			kind = ActDeletePod
		}
		p.emit(Action{Kind: kind, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID,
			Grace: p.grace(), Reason: reason})
	}
	if op := p.o.Pods[ord]; op != nil {
		for _, c := range op.Inits {
			p.emit(Action{Kind: ActRemoveContainer, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID,
				Reason: "init container of removed pod"})
		}
		for _, c := range op.Previous {
			p.emit(Action{Kind: ActRemoveContainer, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID,
				Reason: "previous container of removed pod"})
		}
	}
	return st
}

// retainVolumes removes the claim volumes of out-of-range ordinals whose pods are gone, when
// the retention policy (or an explicit request on delete) says so.
func (p *planner) retainVolumes(start, end int) {
	reason := volumes.ScaledDown
	if p.d.Deleted {
		reason = volumes.SetDeleted
	}
	if !volumes.Remove(p.set.PersistentVolumeClaimRetentionPolicy, reason, p.d.RemoveVolumes) {
		return
	}
	vs := slices.Clone(p.o.Volumes)
	slices.SortFunc(vs, func(a, b Volume) int {
		oa, _ := identity.OrdinalOf(a.Labels)
		ob, _ := identity.OrdinalOf(b.Labels)
		if oa != ob {
			return ob - oa
		}
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	for _, v := range vs {
		ord, ok := identity.OrdinalOf(v.Labels)
		if !ok || ord >= start && ord < end {
			continue
		}
		if op := p.o.Pods[ord]; op != nil && op.hasContainers() {
			continue // the pod is still there; its volumes go on a later pass
		}
		p.emit(Action{Kind: ActRemoveVolume, Pod: p.podName(ord), Ordinal: ord, Target: v.Name})
	}
}
