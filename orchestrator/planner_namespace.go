package orchestrator

import (
	"cmp"
	"fmt"
	"github.com/ordset/ordset/orchestrator/identity"
	"maps"
	"slices"
	"strings"
	"time"
)

// SetKey names one StatefulSet on the engine.
type SetKey struct{ Namespace, Name string }

func (k SetKey) String() string { return k.Namespace + "/" + k.Name }

// SetInput is one set's desired state and the loop's memory about it.
type SetInput struct {
	Desired Desired
	Memory  SetMemory
}

// World is the namespace planner's input: every set the controller holds, one snapshot of
// the engine and the time. Nothing else feeds a decision.
type World struct {
	Sets     map[SetKey]SetInput
	Snapshot Snapshot
	// Probed says which sets have probes (their pods' readiness comes from probers only).
	Probed func(SetKey) bool
	Now    time.Time
}

// EnginePlan is the namespace planner's output.
type EnginePlan struct {
	// Sets holds every set's plan, sorted by namespace and name.
	Sets []SetPlan
	// Namespaces holds, for every namespace with a set, its observed network and its
	// namespace-level actions (network create/remove, forget-set), sorted by namespace; a namespace's network is created before its sets' actions run, and removed
	// before its deleted sets are forgotten.
	Namespaces []NamespacePlan
	// RequeueAfter is the earliest time any set wants another pass although nothing changes.
	RequeueAfter time.Duration
}

// NamespacePlan is the namespace-level part of a plan.
type NamespacePlan struct {
	Namespace string
	// Network is the namespace's network as observed (zero when missing).
	Network Network
	Actions []Action
}

// SetPlan is one set's part of a plan.
type SetPlan struct {
	Key SetKey
	// Desired is the set's desired state with BlockedBy filled in.
	Desired Desired
	Plan    Plan
	// Memory is the set's next memory (conflicts re-checked, ready-since times).
	Memory SetMemory
	// Skip is set for a set with an execution in flight: no actions, and its status stays.
	Skip bool
}

// PlanEngine decides the next steps of every set on the engine from one snapshot. It is pure.
// Over PlanSet (ordinals, rollouts, crash backoff) it decides what concerns more than one set
// or outlives one execution:
//
//   - dependsOn: a set creates nothing while a set it depends on is missing, being deleted,
//     or not fully Ready (every desired pod Ready).
//   - retry after errors: a set whose last execution failed takes no action before its
//     RetryAt (1 s doubling to 30 s); it says so in Waiting.
//   - conflicts: a remembered foreign container is forgotten once the snapshot's foreign
//     names no longer show it.
//   - networks: a namespace's network is created when a set is about to create a container
//     and the snapshot shows none; it is removed when the namespace's last set is deleted
//     and gone. A network is never removed for a namespace this controller holds no set of.
//   - forgetting: a deleted set with nothing left is forgotten (forget-set), after the
//     network when it was the namespace's last.
func PlanEngine(w World) EnginePlan {
	obs := group(w.Snapshot.Containers, w.Snapshot.Volumes)
	keys := slices.SortedFunc(maps.Keys(w.Sets), func(a, b SetKey) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	var out EnginePlan
	mems := map[SetKey]SetMemory{}
	for _, k := range keys {
		o := obs[k]
		if o == nil {
			o = &Observed{Pods: map[int]*ObservedPod{}}
			obs[k] = o
		}
		mems[k] = observeSet(k, w, o)
	}
	for _, k := range keys {
		in := w.Sets[k]
		d := in.Desired
		d.BlockedBy = blockedBy(k, w.Sets, obs, in.Desired.Set.DependsOn)
		sp := SetPlan{Key: k, Desired: d, Memory: mems[k], Plan: PlanSet(d, *obs[k], w.Now)}
		if in.Memory.InFlight {
			sp.Skip, sp.Plan.Actions, sp.Plan.Done = true, nil, false
		}
		gateRetry(&sp, w.Now)
		out.requeue(sp.Plan.RequeueAfter)
		out.Sets = append(out.Sets, sp)
	}
	out.Namespaces = planNetworks(out.Sets, w.Snapshot)
	return out
}

// observeSet completes one set's observation: remembered conflicts re-checked against the
// foreign names, and readiness from the probes. It returns the set's next memory.
func observeSet(k SetKey, w World, o *Observed) SetMemory {
	mem := w.Sets[k].Memory
	o.Restarts = w.Snapshot.Restarts
	if n, ok := w.Snapshot.network(k.Namespace); ok {
		o.NetworkID = n.ID
	}
	mem.Conflicts = liveConflicts(mem.Conflicts, w.Snapshot.ForeignNames)
	if len(mem.Conflicts) > 0 {
		o.Foreign = make(map[int]string, len(mem.Conflicts))
		for ord, c := range mem.Conflicts {
			o.Foreign[ord] = c.Message
		}
	}
	for _, im := range w.Snapshot.Impostors {
		if im.Key != k {
			continue
		}
		if !im.HoldsName {
			o.Impostors = append(o.Impostors, im.Message())
			continue
		}
		if o.Foreign == nil {
			o.Foreign = map[int]string{}
		}
		if _, ok := o.Foreign[im.Ordinal]; !ok {
			o.Foreign[im.Ordinal] = im.Message()
		}
	}
	mem.ReadySince = fillReadiness(o, readinessInput{key: k, hasProbes: w.Probed != nil && w.Probed(k),
		probes: w.Snapshot.Probes, seen: mem.ReadySince, now: w.Now, desired: w.Sets[k].Desired})
	return mem
}

// blockedBy names the dependsOn sets that are not applied, being deleted, or not fully Ready.
func blockedBy(k SetKey, sets map[SetKey]SetInput, obs map[SetKey]*Observed, deps []string) []string {
	var out []string
	for _, dep := range deps {
		dk := SetKey{k.Namespace, dep}
		in, ok := sets[dk]
		switch {
		case !ok || in.Desired.Deleted:
			out = append(out, dep+" (not applied)")
		default:
			if r := fullyReady(in.Desired, obs[dk]); r != "" {
				out = append(out, dep+" "+r)
			}
		}
	}
	slices.Sort(out)
	return out
}

// gateRetry holds a set's actions back until its retry time after failed executions.
func gateRetry(sp *SetPlan, now time.Time) {
	m := sp.Memory
	if len(sp.Plan.Actions) == 0 || !now.Before(m.RetryAt) {
		return
	}
	sp.Plan.Waiting = strings.TrimPrefix(sp.Plan.Waiting+"; retrying after error: "+m.LastErr, "; ")
	sp.Plan.Actions = nil
	if left := m.RetryAt.Sub(now); sp.Plan.RequeueAfter == 0 || left < sp.Plan.RequeueAfter {
		sp.Plan.RequeueAfter = left
	}
}

// planNetworks decides each namespace's network and which deleted sets are forgotten.
func planNetworks(sets []SetPlan, snap Snapshot) []NamespacePlan {
	var out []NamespacePlan
	for i := 0; i < len(sets); {
		ns := sets[i].Key.Namespace
		j := i
		for j < len(sets) && sets[j].Key.Namespace == ns {
			j++
		}
		np := NamespacePlan{Namespace: ns}
		np.Network, _ = snap.network(ns)
		creates, leaving := false, 0
		var forget []Action
		for _, sp := range sets[i:j] {
			creates = creates || sp.Plan.createsContainers()
			if sp.Plan.Done {
				leaving++
				forget = append(forget, Action{Kind: ActForgetSet, Namespace: ns, Target: sp.Key.Name})
			}
		}
		switch {
		case creates && np.Network.Name == "":
			np.Actions = append(np.Actions, Action{Kind: ActCreateNetwork, Namespace: ns, Target: identity.NetworkName(ns)})
		case leaving == j-i && np.Network.Name != "":
			np.Actions = append(np.Actions, Action{Kind: ActRemoveNetwork, Namespace: ns, Target: np.Network.Name})
		}
		np.Actions = append(np.Actions, forget...)
		out = append(out, np)
		i = j
	}
	return out
}

// createsContainers reports whether a plan creates a container (and so needs the network).
func (p Plan) createsContainers() bool {
	for _, a := range p.Actions {
		if a.creates() {
			return true
		}
	}
	return false
}

func (p *EnginePlan) requeue(d time.Duration) {
	if d > 0 && (p.RequeueAfter == 0 || d < p.RequeueAfter) {
		p.RequeueAfter = d
	}
}

// String renders an engine plan for table tests: each namespace's actions, then each set's
// plan prefixed with its key, one line each.
func (p EnginePlan) String() string {
	var lines []string
	for _, np := range p.Namespaces {
		if len(np.Actions) == 0 {
			continue
		}
		parts := make([]string, len(np.Actions))
		for i, a := range np.Actions {
			parts[i] = a.String()
		}
		lines = append(lines, np.Namespace+": "+strings.Join(parts, "; "))
	}
	for _, sp := range p.Sets {
		s := sp.Plan.String()
		if sp.Skip {
			s = strings.TrimPrefix(s+"\nskipped (execution in flight)", "\n")
		}
		if s == "" {
			continue
		}
		for _, l := range strings.Split(s, "\n") {
			lines = append(lines, fmt.Sprintf("%s: %s", sp.Key, l))
		}
	}
	return strings.Join(lines, "\n")
}
