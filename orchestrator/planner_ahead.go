package orchestrator

import (
	"github.com/ordset/ordset/orchestrator/identity"
)

// Create-ahead. OrderedReady promises that no process of pod N+1 runs before pod N is Ready;
// it says nothing about work no process sees. So while pod N waits for Ready, the planner
// prepares pod N+1: its claim volumes, its image, and its first container (the first init
// container, else the main container) created but not started. When N turns Ready the pass
// only has to start it, which takes the volume, image and create round trips off the
// ordered path. The prepared container is shown as Pending (kubectl's phase of a pod whose
// containers have not started). A daemon killed with N+1 prepared finds a created container
// on restart and starts it, as any created container, only when its turn comes.

// prepareAhead prepares ord when the pass halted at the ordinal just below it and that pod
// is on its way to Ready (created or running, not failed, terminating or crash-looping).
// Nothing is prepared while dependsOn holds the set back or a foreign container holds the
// pod's name; a pod that has any container already is left as it is.
func (p *planner) prepareAhead(ord int, st *PodState, below PodState) {
	if !below.Exists || (below.Phase != PhaseRunning && below.Phase != PhasePending) {
		return
	}
	if len(p.d.BlockedBy) > 0 || p.canon[ord] != nil {
		return
	}
	if _, foreign := p.o.Foreign[ord]; foreign {
		return
	}
	if op := p.o.Pods[ord]; op != nil && (len(op.Inits) > 0 || len(op.Members) > 0) {
		return
	}
	p.createVolumes(ord)
	rev, set := p.revisionFor(ord)
	if NeedsInfra(set) { // its containers join an infrastructure container that only its turn creates
		return
	}
	name := p.podName(ord)
	if len(set.Template.Spec.InitContainers) > 0 {
		ic := set.Template.Spec.InitContainers[0]
		p.emit(Action{Kind: ActPrepareInit, Pod: name, Ordinal: ord, Init: 0, Revision: rev,
			Target: identity.InitContainerName(p.d.Namespace, p.set.Name, ord, ic.Name)})
		return
	}
	p.emit(Action{Kind: ActPreparePod, Pod: name, Ordinal: ord, Revision: rev,
		Target: identity.ContainerName(p.d.Namespace, p.set.Name, ord)})
}

// startCreated starts a main container that was created but never started, once its turn
// has come. One of a revision the update is to replace anyway is removed instead, so the
// next pass creates the pod at the update revision: a pod prepared before an update never
// runs the old revision.
func (p *planner) startCreated(ord int, c Container) {
	if p.updateDue(ord, c) {
		p.emit(Action{Kind: ActRemoveContainer, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
			Reason: "never started, update to " + p.d.Revision})
		return
	}
	p.emit(Action{Kind: ActStartPod, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
		Revision: c.Labels[identity.LabelRevision]})
}
