package orchestrator

import "github.com/ordset/ordset/orchestrator/identity"

// hasContainers reports whether any container of the ordinal is left: main, init or previous.
// A removed pod's claim volumes wait for all of them (the engine refuses to remove a volume a
// stopped container still mounts).
func (op *ObservedPod) hasContainers() bool {
	return len(op.Containers) > 0 || len(op.Inits) > 0 || len(op.Previous) > 0 || len(op.Members) > 0
}

// previousIndex picks, among an ordinal's main containers, the retired one to keep as the
// pod's previous container: the newest retired container, once the replacement holds the
// canonical name (before that the retired one is the pod itself, carrying its crash counters).
// A dead container cannot be renamed and is not kept. -1 when there is none.
func previousIndex(cs []Container, keep int, canonical string) int {
	if cs[keep].Name != canonical {
		return -1
	}
	prev := -1
	for i, c := range cs {
		if c.Name != identity.RetiredName(canonical, c.ID) || c.State == StateDead {
			continue
		}
		if prev < 0 || c.CreatedAt.After(cs[prev].CreatedAt) {
			prev = i
		}
	}
	return prev
}

// keepPrevious keeps one terminated container per pod for "logs --previous", as a kubelet
// keeps the last dead container of each pod: the retired container at prev (an index into the
// main containers, -1 for none) is renamed to the previous name and the one it replaces is
// removed; without a newer one, only the newest previous container stays. (Were a failed
// container ever started again in place instead of replaced, nothing would be kept here and
// "logs --previous" would still work: the daemon then reads the one log up to the last exit.)
func (p *planner) keepPrevious(ord int, prev int) {
	op := p.o.Pods[ord]
	stay := -1
	if prev < 0 {
		for i, c := range op.Previous {
			if stay < 0 || c.CreatedAt.After(op.Previous[stay].CreatedAt) {
				stay = i
			}
		}
	}
	for i, c := range op.Previous {
		if i != stay {
			p.emit(Action{Kind: ActRemoveContainer, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
				Reason: "replaced by a newer previous container"})
		}
	}
	if prev >= 0 {
		c := op.Containers[prev]
		p.emit(Action{Kind: ActKeepPrevious, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
			RenameTo: identity.PreviousName(identity.ContainerName(p.d.Namespace, p.set.Name, ord), c.ID)})
	}
}

// keepMemberPrevious keeps the previous container of one app container or sidecar of a
// multi-container pod, as keepPrevious does for a one-container pod: once the replacement
// holds the canonical name, the newest retired container of this incarnation is renamed to
// the previous name; otherwise the newest one kept already stays. What it adds to keep,
// pruneMembers leaves; every other retired or previous container of the member goes (a new
// incarnation of the pod, as Kubernetes' new pod, has no past).
func (p *planner) keepMemberPrevious(ord int, infra Container, m member, keep map[string]bool) {
	op := p.o.Pods[ord]
	list, label := op.Members, identity.LabelContainer
	if m.sidecar {
		list, label = op.Inits, identity.LabelInit
	}
	canonical := memberName(p.key(), ord, m)
	var retired, kept *Container
	for i := range list {
		c := &list[i]
		if c.Labels[label] != m.name || !belongs(*c, infra) {
			continue
		}
		switch c.Name {
		case identity.RetiredName(canonical, c.ID):
			if c.State != StateDead && (retired == nil || c.CreatedAt.After(retired.CreatedAt)) {
				retired = c
			}
		case identity.PreviousName(canonical, c.ID):
			if kept == nil || c.CreatedAt.After(kept.CreatedAt) {
				kept = c
			}
		}
	}
	if cur := findMember(p.key(), ord, op, infra, m); retired != nil && cur != nil && cur.Name == canonical {
		keep[retired.ID] = true
		p.emit(Action{Kind: ActKeepPrevious, Pod: p.podName(ord), Ordinal: ord, Target: retired.Name, ContainerID: retired.ID,
			RenameTo: identity.PreviousName(canonical, retired.ID)})
		return
	}
	if kept != nil {
		keep[kept.ID] = true
	}
}
