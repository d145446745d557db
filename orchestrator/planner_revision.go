package orchestrator

import (
	"slices"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// partition is the index (from ordinals.start) below which pods stay on the current
// revision: the spec's partition, or every pod while the set is paused.
func (p *planner) partition() int {
	if p.d.Paused {
		return max(p.d.Replicas, 0)
	}
	return max(p.set.UpdateStrategy.Partition, 0)
}

// revisionFor says which revision a pod created at ord gets, and the spec to create it from.
// As Kubernetes' newVersionedStatefulSetPod: with RollingUpdate, a pod below the partition
// is created from the current revision, every other pod from the update revision.
func (p *planner) revisionFor(ord int) (string, *compose.StatefulSet) {
	below := ord-p.set.Ordinals.Start < p.partition()
	if p.d.CurrentRevision != "" && p.d.Current != nil && below &&
		(p.set.UpdateStrategy.Type != compose.OnDelete || p.d.Paused) {
		return p.d.CurrentRevision, p.d.Current
	}
	return p.d.Revision, p.set
}

// updateDue reports a pod container of another revision that RollingUpdate is to replace.
func (p *planner) updateDue(ord int, c Container) bool {
	return p.set.UpdateStrategy.Type != compose.OnDelete && c.Labels[identity.LabelRevision] != p.d.Revision &&
		ord-p.set.Ordinals.Start >= p.partition()
}

// notReady handles a running pod that is not Ready: it waits for it, unless the pod blocks
// the rollout although the update is to replace it anyway (forced rollback). Kubernetes
// waits for such a pod to become Ready (which a broken revision never does) until someone
// deletes it by hand; ordset replaces it with the update revision at once when forcedRollback
// allows it.
func (p *planner) notReady(ord int, c Container, st *PodState) {
	if !p.updateDue(ord, c) || !p.forcedRollback(ord, c) {
		p.wait("%s not Ready", st.Name)
		return
	}
	st.Phase = PhaseTerminating
	p.emit(Action{Kind: ActDeletePod, Pod: st.Name, Ordinal: ord, Target: c.Name, ContainerID: c.ID,
		Grace: p.grace(), Reason: "forced rollback: not Ready on revision " + st.Revision})
}

// forcedRollback says whether a not-Ready pod that the update is to replace may be replaced
// now. A pod of an abandoned revision (neither the current nor the update one: a broken
// template the user has since fixed) may, since waiting for it never ends. A pod of the
// current revision may only when it is the rollout's next pod anyway (every higher ordinal
// is updated): a readiness blip of several old pods during an update must not replace them
// all, lowest first, but leave the rollout its order, highest first and one at a time.
func (p *planner) forcedRollback(ord int, c Container) bool {
	if rev := c.Labels[identity.LabelRevision]; rev != p.d.CurrentRevision {
		return true
	}
	start, replicas := p.set.Ordinals.Start, max(p.d.Replicas, 0)
	for o := start + replicas - 1; o > ord; o-- {
		if op := p.o.Pods[o]; op != nil && slices.ContainsFunc(op.Containers, func(h Container) bool {
			return h.State != StateRemoving && p.updateDue(o, h)
		}) {
			return false
		}
	}
	return true
}

// rollingUpdate recreates pods whose revision is not the update revision, highest ordinal
// first down to the partition. As Kubernetes with maxUnavailable: the pods in range that are
// not Available count against the budget, and at most budget minus that many are deleted
// in one pass (one at a time by default). OrderedReady reaches this only when every pod is
// Available; Parallel also with some unavailable.
func (p *planner) rollingUpdate(start, replicas int) {
	if p.set.UpdateStrategy.Type == compose.OnDelete || p.d.Paused {
		return
	}
	var due []int
	for idx := replicas - 1; idx >= p.partition(); idx-- {
		if c := p.canon[start+idx]; c != nil && c.State != StateRemoving && p.updateDue(start+idx, *c) {
			due = append(due, start+idx)
		}
	}
	if len(due) == 0 {
		return
	}
	unavailable := 0
	for _, st := range p.plan.Pods {
		if st.Ordinal >= start && st.Ordinal < start+replicas && !st.Available {
			unavailable++
		}
	}
	budget := p.set.UpdateStrategy.MaxUnavailableOf(replicas) - unavailable
	if budget <= 0 {
		p.wait("rolling update waits: %d pods unavailable (maxUnavailable %d)", unavailable,
			p.set.UpdateStrategy.MaxUnavailableOf(replicas))
		return
	}
	for _, ord := range due[:min(budget, len(due))] {
		st := p.removePod(ord, "update to "+p.d.Revision)
		for i := range p.plan.Pods {
			if p.plan.Pods[i].Ordinal == ord {
				p.plan.Pods[i].Phase = st.Phase
			}
		}
	}
}
