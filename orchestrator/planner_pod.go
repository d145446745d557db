package orchestrator

import (
	"slices"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/state"
)

// A pod with an infrastructure container (NeedsInfra) is planned as the kubelet runs a pod
// sandbox. The infrastructure container is the pod's canonical container (create-infra); once
// it runs: its emptyDir volumes are created (labelled with its ID), then the init containers
// run in order (a native sidecar is started and kept running before the next one), then every
// app container is started. Each app container and sidecar has its own crash-loop backoff and
// liveness restarts, and is restarted alone (in place, as the kubelet does); the pod is Ready
// when all of them are. A failed or disconnected infrastructure container takes the whole pod
// down (tear-down), and it is created afresh, init containers included. Removing the pod stops the app containers, then
// the sidecars in reverse order, removes the init containers, the infrastructure container
// last, then the emptyDir volumes.

func (p *planner) key() SetKey { return SetKey{p.d.Namespace, p.set.Name} }

// specOf is the template of the pod's revision; a revision the set no longer knows (its
// memory lost) is judged by the update revision's, which replaces it anyway.
func (p *planner) specOf(infra Container) *compose.StatefulSet {
	if s := specFor(p.d, infra.Labels[identity.LabelRevision]); s != nil {
		return s
	}
	return p.set
}

// infraPod handles an in-range ordinal whose canonical container is an infrastructure
// container, and reports whether the pod is Available.
func (p *planner) infraPod(ord int, infra Container, st *PodState, act bool) bool {
	name := p.podName(ord)
	st.Restarts = labelInt(infra.Labels, identity.LabelRestarts)
	switch {
	case infra.State == StateRemoving:
		st.Phase = PhaseTerminating
		if act {
			p.wait("%s terminating", name)
		}
		return false
	case failed(infra) || infra.Detached && infra.State == StateRunning:
		st.Phase = PhaseError
		if act && !p.blocked() {
			reason := "infrastructure container " + exitReason(infra)
			if !failed(infra) {
				reason = "network lost"
			}
			p.tearDown(ord, reason)
			st.Phase = PhaseTerminating
		}
		return false
	case infra.State == StateCreated:
		st.Phase = PhaseContainerCreated
		if act {
			p.emit(Action{Kind: ActStartContainer, Pod: name, Ordinal: ord, Target: infra.Name, ContainerID: infra.ID})
		}
		return false
	case infra.State == StatePaused:
		st.Phase = PhasePaused
		if act {
			p.wait("%s paused", name)
		}
		return false
	}
	spec := p.specOf(infra)
	if act && !p.podMembers(ord, infra, spec, st, false) && p.updateDue(ord, infra) {
		// Half there (e.g. a daemon killed mid tear-down) and to be replaced anyway: finish
		// the tear-down rather than bring back containers of the old revision.
		p.tearDown(ord, "forced rollback: not Ready on revision "+st.Revision)
		st.Phase = PhaseTerminating
		return false
	}
	st.Restarts = labelInt(infra.Labels, identity.LabelRestarts)
	if !p.podMembers(ord, infra, spec, st, act) {
		return false
	}
	return p.podAvailable(ord, infra, st, act)
}

// podMembers advances the emptyDirs, init containers, sidecars and app containers of a pod
// whose infrastructure container runs; it reports whether every long-running one runs.
func (p *planner) podMembers(ord int, infra Container, spec *compose.StatefulSet, st *PodState, act bool) bool {
	op := p.o.Pods[ord]
	if act {
		p.pruneMembers(ord, infra, spec)
	}
	st.Members = p.memberStates(ord, infra, spec)
	for _, m := range st.Members {
		st.Restarts += m.Restarts
	}
	if !p.emptyDirsReady(ord, infra, spec, act) {
		st.Phase = PhasePending
		return false
	}
	appsStarted := false
	for _, m := range podMembers(spec) {
		if !m.sidecar && findMember(p.key(), ord, op, infra, m) != nil {
			appsStarted = true
		}
	}
	ok := true
	inits := spec.Template.Spec.InitContainers
	for i := range inits {
		if inits[i].Sidecar() {
			m := member{name: inits[i].Name, sidecar: true, init: i, spec: &inits[i]}
			if !p.keepRunning(ord, infra, m, st, act) || (!appsStarted && !p.sidecarStarted(ord, infra, m, act)) {
				st.Phase = state.InitPhase(i, len(inits))
				return false
			}
			continue
		}
		if appsStarted { // the kubelet runs init containers once per sandbox
			continue
		}
		if !p.podInit(ord, infra, i, st, act) {
			return false
		}
	}
	st.Phase = PhaseRunning
	for _, m := range podMembers(spec) {
		if !m.sidecar && !p.keepRunning(ord, infra, m, st, act) {
			ok = false
		}
	}
	return ok
}

// sidecarStarted reports whether a running native sidecar has started as the kubelet means it
// before the next init container (or the app containers) may start: its startupProbe
// succeeded, or, without one, it runs. Once the pod's app containers started it gates nothing,
// as a sidecar's restart in a running Kubernetes pod does not.
func (p *planner) sidecarStarted(ord int, infra Container, m member, act bool) bool {
	if m.spec.StartupProbe == nil {
		return true
	}
	op := p.o.Pods[ord]
	if c := findMember(p.key(), ord, op, infra, m); c != nil && op.Verdicts[c.ID].Started {
		return true
	}
	if act {
		p.wait("%s sidecar %s: startup probe not passed yet", p.podName(ord), m.name)
	}
	return false
}

// podInit advances regular init container i of a pod: run it, wait for it, rerun it after a
// failure (with backoff). It reports whether it completed.
func (p *planner) podInit(ord int, infra Container, i int, st *PodState, act bool) bool {
	spec := p.specOf(infra)
	ic := spec.Template.Spec.InitContainers[i]
	n := len(spec.Template.Spec.InitContainers)
	name := p.podName(ord)
	canonical := identity.InitContainerName(p.d.Namespace, p.set.Name, ord, ic.Name)
	var c *Container
	for j, o := range p.o.Pods[ord].Inits {
		if o.Labels[identity.LabelInit] == ic.Name && belongs(o, infra) && (c == nil || o.Name == canonical) {
			c = &p.o.Pods[ord].Inits[j]
		}
	}
	st.Phase = state.InitPhase(i, n)
	run := Action{Kind: ActRunInit, Pod: name, Ordinal: ord, Init: i, Revision: infra.Labels[identity.LabelRevision],
		Target: canonical, InfraID: infra.ID, PodIP: infra.IP}
	switch {
	case c != nil && c.State == StateExited && c.ExitCode == 0:
		return true
	case !act:
	case c == nil:
		p.emit(run)
	case c.State == StateCreated && c.Error == "":
		p.emit(Action{Kind: ActStartContainer, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID})
	case failed(*c):
		r := decideRestart(*c, p.o.Restarts, p.now, false)
		if r.Wait > 0 {
			st.Phase = state.InitFailed(PhaseCrashLoop)
			p.wait("%s init container %s crash-looping, restart in %s", name, ic.Name, ceilSeconds(r.Wait))
			p.requeue(r.Wait)
			return false
		}
		p.retire(*c, canonical, ord)
		run.Restarts, run.Backoff = r.Restarts, r.Backoff
		p.emit(run)
	}
	if act {
		p.wait("%s Init:%d/%d", name, i, n)
	}
	return false
}

// keepRunning keeps one app container or sidecar of a pod running: created when missing,
// replaced (after its own crash-loop backoff) when it failed, stopped when its liveness
// probe gave up. It reports whether it runs now.
func (p *planner) keepRunning(ord int, infra Container, m member, st *PodState, act bool) bool {
	name := p.podName(ord)
	c := findMember(p.key(), ord, p.o.Pods[ord], infra, m)
	rev := infra.Labels[identity.LabelRevision]
	run := Action{Kind: ActRunContainer, Pod: name, Ordinal: ord, Container: m.name, Revision: rev,
		Target: memberName(p.key(), ord, m), InfraID: infra.ID, PodIP: infra.IP}
	if m.sidecar {
		run.Kind, run.Init, run.Container = ActRunInit, m.init, ""
	}
	switch {
	case c == nil:
		if act {
			p.emit(run)
			p.wait("%s starting container %s", name, m.name)
		}
		return false
	case c.State == StateCreated && c.Error == "":
		if act {
			p.emit(Action{Kind: ActStartContainer, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID})
		}
		return false
	case failed(*c):
		return p.restartMember(ord, *c, m.name, run, st, act)
	case c.State == StateRemoving:
		return false
	}
	if v := p.o.Pods[ord].Verdicts[c.ID]; v.LivenessFailed && c.State == StateRunning {
		st.Phase = PhaseUnhealthy
		if act {
			p.emit(Action{Kind: ActStopPod, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID, Container: m.name,
				Revision: rev, PodIP: infra.IP, Grace: p.grace(), Reason: m.name + ": " + orDefault(v.Reason, "liveness probe failed")})
		}
		return false
	}
	return true
}

// restartMember restarts a failed app container or sidecar once its backoff has passed: in
// place while it is still under its name (findMember found it joined to the running
// infrastructure container, at its revision), else by a replacement.
func (p *planner) restartMember(ord int, c Container, member string, run Action, st *PodState, act bool) bool {
	name := p.podName(ord)
	r := decideRestart(c, p.o.Restarts, p.now, c.Name == run.Target)
	if r.Wait > 0 {
		st.Phase = PhaseCrashLoop
		if act {
			p.wait("%s container %s crash-looping, restart in %s", name, member, ceilSeconds(r.Wait))
			p.requeue(r.Wait)
		}
		return false
	}
	if st.Phase == PhaseRunning {
		st.Phase = PhaseError
	}
	if !act {
		return false
	}
	if r.InPlace {
		a := p.restartInPlace(ord, c, r)
		a.Container, a.Revision, a.InfraID, a.PodIP = member, run.Revision, run.InfraID, run.PodIP
		p.emit(a)
		return false
	}
	p.retire(c, run.Target, ord)
	run.Restarts, run.Backoff = r.Restarts, r.Backoff
	p.emit(run)
	return false
}

// podAvailable judges a pod whose containers all run: Ready, then minReadySeconds.
func (p *planner) podAvailable(ord int, infra Container, st *PodState, act bool) bool {
	st.Ready = p.o.Pods[ord].Ready
	return p.readyThenAvailable(ord, infra, st, act)
}

// pruneMembers removes containers of the ordinal that do not belong to this incarnation of
// the pod (another revision, another infrastructure container, a name the template lacks)
// and retired ones whose replacement exists, but the one kept as each container's previous.
func (p *planner) pruneMembers(ord int, infra Container, spec *compose.StatefulSet) {
	op := p.o.Pods[ord]
	keep := map[string]bool{}
	for _, m := range podMembers(spec) {
		if c := findMember(p.key(), ord, op, infra, m); c != nil {
			keep[c.ID] = true
		}
		p.keepMemberPrevious(ord, infra, m, keep)
	}
	for _, ic := range spec.Template.Spec.InitContainers {
		if ic.Sidecar() {
			continue
		}
		canonical := identity.InitContainerName(p.d.Namespace, p.set.Name, ord, ic.Name)
		var kept *Container
		for j, c := range op.Inits {
			if c.Labels[identity.LabelInit] == ic.Name && belongs(c, infra) && (kept == nil || c.Name == canonical) {
				kept = &op.Inits[j]
			}
		}
		if kept != nil {
			keep[kept.ID] = true
		}
	}
	for _, c := range slices.Concat(op.Members, op.Inits) {
		if !keep[c.ID] && c.State != StateRemoving {
			p.emit(Action{Kind: ActRemoveContainer, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
				Reason: "not of this pod"})
		}
	}
}

// emptyDirsReady creates the emptyDir volumes of this incarnation of the pod and removes the
// ones of an earlier incarnation; it reports whether all of them exist.
func (p *planner) emptyDirsReady(ord int, infra Container, spec *compose.StatefulSet, act bool) bool {
	have := map[string]Volume{}
	for _, v := range p.o.EmptyDirs {
		if o, ok := identity.OrdinalOf(v.Labels); ok && o == ord {
			have[v.Name] = v
		}
	}
	ready := true
	tpl := PodTemplate{Namespace: p.d.Namespace, Set: spec}
	for _, vs := range tpl.EmptyDirs(ord, infra.ID) {
		v, ok := have[vs.Name]
		switch {
		case ok && v.Labels[identity.LabelPodUID] == infra.ID:
			continue
		case ok: // an earlier incarnation's: its containers are gone (pruneMembers)
			ready = false
			if act {
				p.emit(Action{Kind: ActRemoveVolume, Pod: p.podName(ord), Ordinal: ord, Target: v.Name})
			}
		default:
			ready = false
			if act {
				p.emit(Action{Kind: ActCreateVolume, Pod: p.podName(ord), Ordinal: ord, Target: vs.Name, Volume: vs})
			}
		}
	}
	return ready
}

// memberStates are the pod's long-running containers for status.
func (p *planner) memberStates(ord int, infra Container, spec *compose.StatefulSet) []MemberState {
	op := p.o.Pods[ord]
	var out []MemberState
	for _, m := range podMembers(spec) {
		ms := MemberState{Name: m.name, Image: m.spec.Image, Sidecar: m.sidecar}
		if m.sidecar {
			ms.Image, _ = spec.ImageOf(m.init)
		}
		if c := findMember(p.key(), ord, op, infra, m); c != nil {
			ms.ID, ms.State = c.ID, c.State
			ms.Restarts = restartsOf(*c, p.o.Restarts)
			ms.Ready = c.State == StateRunning && op.Verdicts[c.ID].Ready
		}
		out = append(out, ms)
	}
	return out
}

// bringUpInfra starts a pod that needs an infrastructure container: what an earlier
// incarnation left (containers joined to a gone infrastructure container, its emptyDirs)
// goes first, then the claim volumes exist, then the infrastructure container is created.
func (p *planner) bringUpInfra(ord int, restarts int) {
	name := p.podName(ord)
	if op := p.o.Pods[ord]; op != nil {
		for _, c := range slices.Concat(op.Members, op.Inits) {
			if c.State != StateRemoving {
				p.emit(Action{Kind: ActRemoveContainer, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID,
					Reason: "left by an earlier pod"})
			}
		}
	}
	p.removeEmptyDirs(ord)
	rev, _ := p.revisionFor(ord)
	p.emit(Action{Kind: ActCreateInfra, Pod: name, Ordinal: ord, Target: identity.ContainerName(p.d.Namespace, p.set.Name, ord),
		Revision: rev, Restarts: restarts, Infra: true})
}

// removeEmptyDirs removes the emptyDir volumes of an ordinal.
func (p *planner) removeEmptyDirs(ord int) {
	for _, v := range p.o.EmptyDirs {
		if o, ok := identity.OrdinalOf(v.Labels); ok && o == ord {
			p.emit(Action{Kind: ActRemoveVolume, Pod: p.podName(ord), Ordinal: ord, Target: v.Name})
		}
	}
}

// tearDown removes every container of a pod with an infrastructure container, in the order
// Kubernetes stops a pod: first the app containers, all at once (each in its own lane,
// gracefully, preStop first); once they are gone (a later pass), the sidecars in reverse
// order, the init containers, the infrastructure container last, then its emptyDirs. Actions
// of one lane run in order and stop at the first error, so nothing is removed out of turn.
func (p *planner) tearDown(ord int, reason string) {
	name := p.podName(ord)
	op := p.o.Pods[ord]
	if op == nil {
		return
	}
	stop := func(c Container, tmpl, lane string) {
		kind := ActRemoveContainer
		if c.State == StateRunning || c.State == StatePaused || c.State == StateRestarting {
			kind = ActDeleteContainer
		}
		if c.State != StateRemoving {
			p.emit(Action{Kind: kind, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID, Container: tmpl,
				Revision: c.Labels[identity.LabelRevision], Grace: p.grace(), Reason: reason, Lane: lane, PodIP: podIPOf(op)})
		}
	}
	if len(op.Members) > 0 {
		for _, c := range op.Members {
			stop(c, c.Labels[identity.LabelContainer], c.Name)
		}
		p.wait("%s stopping its containers", name)
		return
	}
	inits := slices.Clone(op.Inits)
	slices.Reverse(inits)
	for _, c := range inits {
		stop(c, c.Labels[identity.LabelInit], "")
	}
	for _, c := range slices.Concat(op.Previous, op.Containers) {
		if c.State != StateRemoving {
			p.emit(Action{Kind: ActRemoveContainer, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID,
				Reason: reason, Infra: identity.IsInfra(c.Labels)})
		}
	}
	p.removeEmptyDirs(ord)
}

// orphanEmptyDirs removes the emptyDirs of out-of-range ordinals that have no container left
// (a tear-down cut short after its last container went).
func (p *planner) orphanEmptyDirs(start, end int) {
	done := map[int]bool{}
	for _, v := range p.o.EmptyDirs {
		ord, ok := identity.OrdinalOf(v.Labels)
		if !ok || ord >= start && ord < end || done[ord] {
			continue
		}
		if op := p.o.Pods[ord]; op != nil && op.hasContainers() {
			continue
		}
		done[ord] = true
		p.removeEmptyDirs(ord)
	}
}
