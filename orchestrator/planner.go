package orchestrator

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/state"
)

// PlanSet decides the next steps for one StatefulSet from its desired state and one observed
// snapshot. It is pure: no I/O, no clock but now, no memory between calls. The rules follow
// the Kubernetes StatefulSet controller and kubelet:
//
//   - In-range ordinals (ordinals.start .. start+replicas-1) are handled in ascending order.
//     A missing pod gets its claim volumes, then its init containers one by one, then its main
//     container. A failed pod (exited, dead, or liveness failed) is restarted (in place, or
//     replaced under the same name with the same volumes), after a crash-loop backoff. With
//     OrderedReady the pass stops at the first pod that is not Running, Ready and Available,
//     so at most one pod is created at a time and nothing is created above an unhealthy pod.
//     Parallel handles all at once.
//   - Out-of-range ordinals are condemned. With OrderedReady they are removed only once every
//     in-range pod is Available, highest first, one at a time; an unhealthy one waits while a
//     lower condemned pod is unhealthy too (Kubernetes' "first unhealthy pod" rule, so a broken
//     pod can still be scaled away). Parallel removes them all at once.
//     A deleted set (Desired.Deleted) removes pods the same way but ignores health.
//     Their volumes are removed, once their pods are gone, only as the retention policy says.
//   - Revisions (Desired.Revision is the update revision, Desired.CurrentRevision the one
//     before the rollout): with RollingUpdate a pod below ordinals.start+partition is created
//     (and recreated) from the current revision, every other pod from the update revision.
//     A paused set creates every pod from the current revision and rolls none.
//   - RollingUpdate recreates pods whose revision differs, highest ordinal first down to
//     ordinals.start+partition, at most maxUnavailable unavailable at a time (default 1),
//     and only while no condemned pod is left; OrderedReady also waits for every in-range pod
//     to be Available. OnDelete never recreates a pod for its revision.
//   - Forced rollback (a deliberate difference from Kubernetes): a pod that the update is to
//     replace anyway and that is not Ready (running but not Ready, failed, crash-looping) is
//     replaced at once as a fresh pod, instead of blocking the rollout until deleted by hand.
//   - dependsOn: while Desired.BlockedBy is non-empty the set creates nothing.
//   - Init containers run one at a time (run-init, then observe the exit next pass); a
//     non-zero exit is a failure with the same backoff. A crash replacement keeps the pod's
//     finished init containers (the kubelet does not rerun them when the app container
//     restarts); a pod removed for an update, a scale-down or a delete loses them.
//   - A failed main container restarts in place (restart-in-place: the same container started
//     again, as the kubelet restarts a container) when it is still the pod's as it should be;
//     otherwise (another revision, network recreated, start error) it is replaced.
//   - Crash-loop backoff (see BackoffInitial) counts from the failed container's labels, or
//     its restart record once restarted in place (recorded before the start), so a restarted
//     daemon continues it. A container being replaced stays (logs readable): it is first
//     renamed away (retire-container) and removed only once the replacement exists, so a
//     daemon killed in between still finds the counters.
//   - A pod with an infrastructure container (NeedsInfra: several containers, a native
//     sidecar, an emptyDir or status.podIP) is planned as the kubelet runs a pod sandbox,
//     each of its containers restarting on its own (see planner_pod.go).
func PlanSet(d Desired, o Observed, now time.Time) Plan {
	p := &planner{d: d, o: o, set: d.Set, now: now, canon: map[int]*Container{}}
	p.monotonic = d.Set.PodManagementPolicy != compose.Parallel
	p.run()
	p.plan.Waiting = strings.Join(p.waiting, "; ")
	return p.plan
}

// Crash-loop backoff, as the kubelet does it: the first restart is immediate, then 10 s
// doubling to 5 min; a container that ran 10 min before failing starts the sequence afresh.
const (
	BackoffInitial = 10 * time.Second
	BackoffMax     = 5 * time.Minute
	BackoffReset   = 10 * time.Minute
)

type planner struct {
	d         Desired
	o         Observed
	set       *compose.StatefulSet
	now       time.Time
	monotonic bool

	canon   map[int]*Container // the main container kept for each ordinal
	plan    Plan
	waiting []string
}

// emit adds an action; a stop or delete of a pod's container carries the pod's revision, so
// the executor runs that revision's preStop hook.
func (p *planner) emit(a Action) {
	if (a.Kind == ActStopPod || a.Kind == ActDeletePod) && a.Revision == "" {
		if c := p.canon[a.Ordinal]; c != nil && c.ID == a.ContainerID {
			a.Revision = c.Labels[identity.LabelRevision]
		}
	}
	p.plan.Actions = append(p.plan.Actions, a)
}

func (p *planner) wait(format string, args ...any) {
	p.waiting = append(p.waiting, fmt.Sprintf(format, args...))
}

func (p *planner) requeue(d time.Duration) {
	if d > 0 && (p.plan.RequeueAfter == 0 || d < p.plan.RequeueAfter) {
		p.plan.RequeueAfter = d
	}
}

func (p *planner) podName(ord int) string { return identity.PodName(p.set.Name, ord) }

func (p *planner) run() {
	start := p.set.Ordinals.Start
	replicas := max(p.d.Replicas, 0)
	if p.d.Deleted {
		replicas = 0
	}
	end := start + replicas
	p.dedupe()
	p.waiting = append(p.waiting, p.o.Impostors...)

	// In-range ordinals, ascending.
	allAvailable, halted := true, false
	var haltedBy *PodState // the pod an OrderedReady pass stopped at
	for ord := start; ord < end; ord++ {
		st := PodState{Ordinal: ord, Name: p.podName(ord)}
		ok := p.reconcile(ord, &st, !halted)
		if haltedBy != nil && haltedBy.Ordinal == ord-1 {
			p.prepareAhead(ord, &st, *haltedBy)
		}
		p.plan.Pods = append(p.plan.Pods, st)
		if !ok {
			allAvailable = false
			if p.monotonic && !halted {
				halted, haltedBy = true, &st
			}
		}
	}

	// Condemned ordinals, descending.
	var condemned []int
	for ord, op := range p.o.Pods {
		if (ord < start || ord >= end) && op.hasContainers() {
			condemned = append(condemned, ord)
		}
	}
	slices.Sort(condemned)
	slices.Reverse(condemned)
	p.condemn(condemned, allAvailable)
	p.retainVolumes(start, end)
	p.orphanEmptyDirs(start, end)

	if p.d.Deleted {
		p.plan.Done = len(condemned) == 0 && len(p.plan.Actions) == 0
		return
	}
	if len(condemned) == 0 && (allAvailable || !p.monotonic) {
		p.rollingUpdate(start, replicas)
	}
}

// dedupe keeps one main container per ordinal (mainIndex: the canonical name, else the
// newest) and removes the others: at most one container per identity, ever. The newest
// retired container beside a replacement is kept as the pod's previous one (see keepPrevious).
func (p *planner) dedupe() {
	for _, ord := range sortedOrdinals(p.o.Pods) {
		cs := p.o.Pods[ord].Containers
		canonical := identity.ContainerName(p.d.Namespace, p.set.Name, ord)
		keep := mainIndex(cs, canonical)
		prev := -1
		if keep >= 0 {
			p.canon[ord] = &cs[keep]
			prev = previousIndex(cs, keep, canonical)
		}
		p.keepPrevious(ord, prev)
		for i := range cs {
			if i != keep && i != prev {
				p.emit(Action{Kind: ActRemoveContainer, Pod: p.podName(ord), Ordinal: ord, Target: cs[i].Name,
					ContainerID: cs[i].ID, Reason: "duplicate"})
			}
		}
	}
}

// reconcile handles one in-range ordinal and reports whether it is Available. With act false
// it only fills in the state (a lower pod halted an OrderedReady pass).
func (p *planner) reconcile(ord int, st *PodState, act bool) bool {
	c := p.canon[ord]
	if c == nil {
		p.missing(ord, st, act)
		return false
	}
	st.Exists, st.Container = true, c
	st.Revision = c.Labels[identity.LabelRevision]
	st.Restarts = restartsOf(*c, p.o.Restarts)
	if identity.IsInfra(c.Labels) {
		return p.infraPod(ord, *c, st, act)
	}
	switch {
	case c.State == StateRemoving:
		st.Phase = PhaseTerminating
		if act {
			p.wait("%s terminating", p.podName(ord))
		}
		return false
	case failed(*c):
		p.replaceFailed(ord, *c, st, act)
		return false
	case c.State == StateCreated:
		// Created ahead (or left so by a daemon death between create and start): no process
		// of it runs yet, so it is Pending as kubectl would show it.
		st.Phase = PhasePending
		if act {
			p.startCreated(ord, *c)
		}
		return false
	}
	return p.running(ord, *c, st, act)
}

// missing handles an ordinal without main container: a foreign name blocks it, else it is
// brought up (unless dependsOn holds the set back).
func (p *planner) missing(ord int, st *PodState, act bool) {
	if msg, ok := p.o.Foreign[ord]; ok {
		st.Phase = PhaseConflict
		p.wait("%s", msg)
		return
	}
	st.Phase = p.initPhase(ord)
	if act && !p.blocked() {
		p.bringUp(ord, st, 0, 0)
	}
}

// replaceFailed restarts a failed main container once its crash-loop backoff has passed: in
// place when it is still the pod's as it should be, else by a replacement (see decideRestart).
func (p *planner) replaceFailed(ord int, c Container, st *PodState, act bool) {
	st.Phase = PhaseError
	if c.State == StateExited && c.ExitCode == 0 && c.Error == "" {
		st.Phase = PhaseCompleted
	}
	r := decideRestart(c, p.o.Restarts, p.now, p.intact(ord, c))
	if p.updateDue(ord, c) {
		// Replaced by the new revision anyway, as a fresh pod (what the update's delete-pod
		// would have led to had a daemon death not cut it short between stop and remove).
		r = Restart{}
	}
	if r.Wait > 0 {
		st.Phase = PhaseCrashLoop
		if act {
			p.wait("%s crash-looping, restart in %s", p.podName(ord), ceilSeconds(r.Wait))
			p.requeue(r.Wait)
		}
		return
	}
	if !act || p.blocked() {
		return
	}
	if r.InPlace {
		p.emit(p.restartInPlace(ord, c, r))
		return
	}
	p.retire(c, identity.ContainerName(p.d.Namespace, p.set.Name, ord), ord)
	p.bringUp(ord, st, r.Restarts, r.Backoff)
}

// restartInPlace is the action that starts failed container c of pod ord again as decided by r
// (an app container or sidecar adds its name and pod sandbox).
func (p *planner) restartInPlace(ord int, c Container, r Restart) Action {
	return Action{Kind: ActRestartInPlace, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
		Revision: c.Labels[identity.LabelRevision], Restarts: r.Restarts, Backoff: r.Backoff, Record: r.Record,
		Reason: exitReason(c)}
}

// intact reports a failed main container that is still the pod's as it should be, so that
// starting it again is all a restart needs: under the pod's name, of the revision the pod is
// to run, attached to the namespace's network as it is now (one removed and recreated since
// has another ID, and its gateway, the pod's DNS server, may have moved).
func (p *planner) intact(ord int, c Container) bool {
	rev, _ := p.revisionFor(ord)
	return c.Name == identity.ContainerName(p.d.Namespace, p.set.Name, ord) &&
		c.Labels[identity.LabelRevision] == rev && !c.Detached &&
		p.o.NetworkID != "" && c.NetworkID == p.o.NetworkID
}

// running handles a running, restarting or paused main container: liveness, readiness and
// minReadySeconds decide whether it is Available.
func (p *planner) running(ord int, c Container, st *PodState, act bool) bool {
	name := p.podName(ord)
	op := p.o.Pods[ord]
	st.Phase = PhaseRunning
	if op.LivenessFailed {
		st.Phase = PhaseUnhealthy
		if act {
			p.emit(Action{Kind: ActStopPod, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID,
				Grace: p.grace(), Reason: orDefault(op.ProbeReason, "liveness probe failed")})
		}
		return false
	}
	st.Ready = op.Ready && c.State == StateRunning
	if c.Detached && c.State == StateRunning {
		p.networkLost(ord, c, st, act)
		return false
	}
	if c.State == StatePaused {
		// Frozen by hand: it answers nothing, so it is not Ready (DNS drops it, OrderedReady
		// waits), but it is not failed either; `docker unpause` brings it back as it was.
		st.Phase = PhasePaused
		if act {
			p.wait("%s paused", name)
		}
		return false
	}
	return p.readyThenAvailable(ord, c, st, act)
}

// readyThenAvailable finishes judging a running pod whose st.Ready is set: a pod that is
// not Ready waits with its probe's reason, a Ready one becomes Available after
// minReadySeconds. c is the container the pod's network lives in (its own, or the pod's
// infrastructure container).
func (p *planner) readyThenAvailable(ord int, c Container, st *PodState, act bool) bool {
	if !st.Ready {
		st.Reason = p.o.Pods[ord].ProbeReason
		if act {
			p.notReady(ord, c, st)
		}
		return false
	}
	return p.minReady(ord, st, act)
}

// minReady makes a Ready pod Available once it has been Ready for minReadySeconds.
func (p *planner) minReady(ord int, st *PodState, act bool) bool {
	minReady := time.Duration(p.set.MinReadySeconds) * time.Second
	if left := p.o.Pods[ord].ReadySince.Add(minReady).Sub(p.now); minReady > 0 && left > 0 {
		if act {
			p.wait("%s Ready, available in %s", p.podName(ord), ceilSeconds(left))
			p.requeue(left)
		}
		return false
	}
	st.Available = true
	return true
}

// blocked reports (and explains) that dependsOn sets are not fully Ready.
func (p *planner) blocked() bool {
	if len(p.d.BlockedBy) == 0 {
		return false
	}
	p.wait("dependsOn not Ready: %s", strings.Join(p.d.BlockedBy, ", "))
	return true
}

// bringUp creates what a missing pod needs, in order: claim volumes, each init container run
// to completion, then the main container. restarts and backoff label the new main container.
func (p *planner) bringUp(ord int, st *PodState, restarts, backoff int) {
	p.createVolumes(ord)
	if _, set := p.revisionFor(ord); NeedsInfra(set) {
		p.bringUpInfra(ord, restarts)
		return
	}
	if !p.runInits(ord, st) {
		return
	}
	rev, _ := p.revisionFor(ord)
	p.emit(Action{Kind: ActCreatePod, Pod: p.podName(ord), Ordinal: ord,
		Target: identity.ContainerName(p.d.Namespace, p.set.Name, ord), Revision: rev, Restarts: restarts, Backoff: backoff})
}

// createVolumes creates the pod's claim volumes that do not exist yet.
func (p *planner) createVolumes(ord int) {
	have := map[string]bool{}
	for _, v := range p.o.Volumes {
		have[v.Name] = true
	}
	for _, t := range p.set.VolumeClaimTemplates {
		vn := identity.VolumeName(p.d.Namespace, t.Name, p.set.Name, ord)
		if !have[vn] {
			p.emit(Action{Kind: ActCreateVolume, Pod: p.podName(ord), Ordinal: ord, Target: vn, Volume: VolumeSpec{
				Name: vn, Driver: t.Driver, DriverOpts: t.DriverOpts,
				Labels: identity.VolumeLabels(p.d.Namespace, p.set.Name, t.Name, ord)}})
		}
	}
}

// retire moves a failed container out of its canonical name so the replacement can take it.
// Removing it instead would lose its restart counters (the crash-loop backoff) if the daemon
// died before the replacement existed; a retired container is removed as a duplicate once
// the replacement is there. A container already retired stays where it is.
func (p *planner) retire(c Container, canonical string, ord int) {
	if c.Name != canonical {
		return
	}
	if c.State == StateDead { // a removal already failed half-way; it cannot be kept or renamed
		p.emit(Action{Kind: ActRemoveContainer, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
			Reason: exitReason(c)})
		return
	}
	p.emit(Action{Kind: ActRetireContainer, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
		RenameTo: identity.RetiredName(c.Name, c.ID), Reason: exitReason(c)})
}

// runInits advances the init containers of a pod whose main container is missing and
// reports whether all of them completed. Init containers of another revision are removed.
func (p *planner) runInits(ord int, st *PodState) bool {
	name := p.podName(ord)
	current := p.currentInits(ord, true)
	rev, set := p.revisionFor(ord)
	n := len(set.Template.Spec.InitContainers)
	for i, ic := range set.Template.Spec.InitContainers {
		c, ok := current[ic.Name]
		if !ok {
			p.emit(Action{Kind: ActRunInit, Pod: name, Ordinal: ord, Init: i, Revision: rev,
				Target: identity.InitContainerName(p.d.Namespace, p.set.Name, ord, ic.Name)})
			p.wait("%s Init:%d/%d", name, i, n)
			return false
		}
		switch {
		case c.State == StateCreated && c.Error == "":
			p.emit(Action{Kind: ActStartContainer, Pod: name, Ordinal: ord, Target: c.Name, ContainerID: c.ID})
			p.wait("%s Init:%d/%d", name, i, n)
			return false
		case c.State == StateExited && c.ExitCode == 0:
			continue
		case failed(c):
			r := decideRestart(c, p.o.Restarts, p.now, false)
			if r.Wait > 0 {
				st.Phase = state.InitFailed(PhaseCrashLoop)
				p.wait("%s init container %s crash-looping, restart in %s", name, ic.Name, ceilSeconds(r.Wait))
				p.requeue(r.Wait)
				return false
			}
			canonical := identity.InitContainerName(p.d.Namespace, p.set.Name, ord, ic.Name)
			p.retire(c, canonical, ord)
			p.emit(Action{Kind: ActRunInit, Pod: name, Ordinal: ord, Init: i, Revision: rev,
				Target: canonical, Restarts: r.Restarts, Backoff: r.Backoff})
			p.wait("%s Init:%d/%d", name, i, n)
			return false
		default:
			p.wait("%s Init:%d/%d", name, i, n)
			return false
		}
	}
	return true
}

// currentInits maps init container name to the observed init container of the revision the
// ordinal is to be created at; with clean, the others (stale revision or not in the spec)
// are removed.
func (p *planner) currentInits(ord int, clean bool) map[string]Container {
	out := map[string]Container{}
	op := p.o.Pods[ord]
	if op == nil {
		return out
	}
	rev, set := p.revisionFor(ord)
	want := map[string]bool{}
	for _, ic := range set.Template.Spec.InitContainers {
		want[ic.Name] = true
	}
	for _, c := range op.Inits {
		n := c.Labels[identity.LabelInit]
		if !want[n] || c.Labels[identity.LabelRevision] != rev {
			continue
		}
		// Prefer the canonical name: a retired failed init container waits beside its replacement.
		if kept, dup := out[n]; !dup || c.Name == identity.InitContainerName(p.d.Namespace, p.set.Name, ord, n) &&
			kept.Name != c.Name {
			out[n] = c
		}
	}
	for _, c := range op.Inits {
		k, ok := out[c.Labels[identity.LabelInit]]
		if ok && k.ID == c.ID {
			continue
		}
		if clean {
			reason := "stale init container"
			if ok && c.Labels[identity.LabelRevision] == rev {
				reason = "duplicate"
			}
			p.emit(Action{Kind: ActRemoveContainer, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
				Reason: reason})
		}
	}
	return out
}

// initPhase renders a pod without main container: Pending or Init:done/total.
func (p *planner) initPhase(ord int) state.PodPhase {
	_, set := p.revisionFor(ord)
	n := len(set.Template.Spec.InitContainers)
	if n == 0 {
		return PhasePending
	}
	cur := p.currentInits(ord, false)
	done := 0
	for _, ic := range set.Template.Spec.InitContainers {
		c, ok := cur[ic.Name]
		if !ok {
			break
		}
		if c.State == StateExited && c.ExitCode == 0 {
			done++
			continue
		}
		if failed(c) {
			return state.InitFailed(PhaseError)
		}
		break
	}
	return state.InitPhase(done, n)
}

func (p *planner) grace() time.Duration { return p.set.GracePeriod() }

// sortedOrdinals returns the keys of m in ascending order.
func sortedOrdinals[T any](m map[int]T) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func labelInt(l map[string]string, key string) int {
	n := 0
	for _, r := range l[key] {
		if r < '0' || r > '9' || n > 1<<20 {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

func ceilSeconds(d time.Duration) time.Duration {
	return ((d + time.Second - 1) / time.Second) * time.Second
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
