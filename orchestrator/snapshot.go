package orchestrator

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ordset/ordset/orchestrator/identity"
)

// Snapshot is one observation of the whole engine, taken once per pass: every container,
// volume and network of this daemon, the probe verdicts of running pod containers, and (only
// while a name conflict is remembered) the names of the engine's foreign containers. Every
// decision of the pass is made from it; nothing is inspected mid-plan.
type Snapshot struct {
	Containers []Container
	Volumes    []Volume
	Networks   []Network
	// ForeignNames are the names of containers the controller may not manage (no ordset
	// labels, or another daemon's); nil when they were not listed (no conflict to re-check),
	// which keeps remembered conflicts as they are.
	ForeignNames map[string]bool
	// Probes are the prober verdicts by container ID (containers of sets with probes only).
	Probes map[string]ProbeStatus
	// Impostors are labelled containers screened out of Containers (see screen): not the
	// pods their labels name. They are reported, never acted on.
	Impostors []Impostor
	// Restarts are the restart records of containers restarted in place (see RestartRecord).
	Restarts map[string]RestartRecord
}

// observe lists the engine. foreign says whether the foreign names are needed too. The
// lists are independent, so they run at once: a pass waits for the slowest, not for the sum
// (on a busy engine each list can take a good part of a second).
func observe(ctx context.Context, rt Runtime, foreign bool) (Snapshot, error) {
	var s Snapshot
	var names []string
	errs := make([]error, 4)
	var wg sync.WaitGroup
	run := func(i int, f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f()
		}()
	}
	run(0, func() (err error) { s.Containers, err = rt.ListContainers(ctx, ""); return })
	run(1, func() (err error) { s.Volumes, err = rt.ListVolumes(ctx, ""); return })
	run(2, func() (err error) { s.Networks, err = rt.ListNetworks(ctx); return })
	if foreign {
		run(3, func() (err error) { names, err = rt.ListForeignNames(ctx); return })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Snapshot{}, err
		}
	}
	if foreign {
		s.ForeignNames = make(map[string]bool, len(names))
		for _, n := range names {
			s.ForeignNames[n] = true
		}
	}
	return s, nil
}

// network returns the namespace's network from the snapshot.
func (s Snapshot) network(ns string) (Network, bool) {
	for _, n := range s.Networks {
		if n.Namespace == ns {
			return n, true
		}
	}
	return Network{}, false
}

// group sorts the snapshot's containers and volumes into sets and ordinals by label.
func group(cs []Container, vs []Volume) map[SetKey]*Observed {
	out := map[SetKey]*Observed{}
	get := func(l map[string]string) *Observed {
		k := SetKey{l[identity.LabelNamespace], l[identity.LabelSet]}
		o := out[k]
		if o == nil {
			o = &Observed{Pods: map[int]*ObservedPod{}}
			out[k] = o
		}
		return o
	}
	for _, c := range cs {
		ord, ok := identity.OrdinalOf(c.Labels)
		if !ok || !identity.Owned(c.Labels) {
			continue
		}
		o := get(c.Labels)
		p := o.Pods[ord]
		if p == nil {
			p = &ObservedPod{}
			o.Pods[ord] = p
		}
		switch {
		case c.Labels[identity.LabelRole] == identity.RoleInit:
			p.Inits = append(p.Inits, c)
		case c.Labels[identity.LabelRole] == identity.RoleContainer:
			p.Members = append(p.Members, c)
		case c.Name == identity.PreviousName(identity.ContainerName(c.Labels[identity.LabelNamespace],
			c.Labels[identity.LabelSet], ord), c.ID):
			p.Previous = append(p.Previous, c)
		default:
			p.Containers = append(p.Containers, c)
		}
	}
	for _, v := range vs {
		if !identity.Owned(v.Labels) {
			continue
		}
		o := get(v.Labels)
		if v.Labels[identity.LabelRole] == identity.RoleEmptyDir {
			o.EmptyDirs = append(o.EmptyDirs, v)
		} else {
			o.Volumes = append(o.Volumes, v)
		}
	}
	return out
}

// mainIndex is the one rule for which of an ordinal's main containers is the pod's: the one
// with the canonical name, else the newest. The planner removes the others as duplicates, and
// probes and readiness look only at this one. -1 when there is none.
func mainIndex(cs []Container, canonical string) int {
	keep := -1
	for i := range cs {
		if keep < 0 || cs[i].Name == canonical && cs[keep].Name != canonical ||
			cs[keep].Name != canonical && cs[i].CreatedAt.After(cs[keep].CreatedAt) {
			keep = i
		}
	}
	return keep
}

// podMain returns the pod's main container of one ordinal (see mainIndex), nil when none.
func podMain(k SetKey, ord int, p *ObservedPod) *Container {
	i := mainIndex(p.Containers, identity.ContainerName(k.Namespace, k.Name, ord))
	if i < 0 {
		return nil
	}
	return &p.Containers[i]
}

// readinessInput is what fillReadiness needs besides the observed pods.
type readinessInput struct {
	key       SetKey
	hasProbes bool
	probes    map[string]ProbeStatus
	seen      map[string]time.Time // container ID -> first seen Ready without a prober
	now       time.Time
	// desired picks the template of a pod's revision (multi-container pods: which containers
	// it must have, and which of them have probes).
	desired Desired
}

// fillReadiness sets the readiness verdict of each pod of a set and returns the new
// ready-since memory. A prober's verdict wins; without probes the image HEALTHCHECK counts,
// and without one Running is Ready (since StartedAt).
func fillReadiness(o *Observed, in readinessInput) map[string]time.Time {
	seen := map[string]time.Time{}
	for ord, p := range o.Pods {
		c := podMain(in.key, ord, p)
		if c == nil || c.State != StateRunning {
			continue
		}
		if identity.IsInfra(c.Labels) {
			fillPodReadiness(in.key, ord, p, *c, in, seen)
			continue
		}
		healthOK := c.Health == "" || c.Health == "healthy"
		if st, ok := in.probes[c.ID]; ok {
			p.Ready = st.Ready && healthOK
			p.ReadySince = st.ReadySince
			p.LivenessFailed = !st.Live
			p.ProbeReason = st.Reason
		} else if !in.hasProbes {
			p.Ready = healthOK
		}
		if !p.Ready || !p.ReadySince.IsZero() {
			continue
		}
		if c.Health == "" && !c.StartedAt.IsZero() && !in.hasProbes {
			p.ReadySince = c.StartedAt
			continue
		}
		since, ok := in.seen[c.ID]
		if !ok {
			since = in.now
		}
		seen[c.ID] = since
		p.ReadySince = since
	}
	return seen
}

// fullyReady is "" when every desired pod of a live set exists and is Ready, else "(r/n Ready)":
// the text a dependent set waits on.
func fullyReady(d Desired, o *Observed) string {
	ready := 0
	start := d.Set.Ordinals.Start
	for ord := start; ord < start+d.Replicas; ord++ {
		if p := o.Pods[ord]; p != nil && p.Ready {
			ready++
		}
	}
	if ready == d.Replicas && !d.Deleted {
		return ""
	}
	return fmt.Sprintf("(%d/%d Ready)", ready, d.Replicas)
}

// runningMains returns the running pod container of every ordinal of the sets that have
// probes, by container ID: the containers that need a prober.
func runningMains(obs map[SetKey]*Observed, probed func(SetKey) bool) map[string]proberWant {
	out := map[string]proberWant{}
	for k, o := range obs {
		if !probed(k) {
			continue
		}
		for ord, p := range o.Pods {
			c := podMain(k, ord, p)
			if c != nil && identity.IsInfra(c.Labels) {
				runningMembers(k, p, out)
				continue
			}
			if c != nil && c.State == StateRunning {
				out[c.ID] = proberWant{key: k, revision: c.Labels[identity.LabelRevision],
					target: ProbeTarget{ContainerID: c.ID, IP: c.IP, StartedAt: c.StartedAt}}
			}
		}
	}
	return out
}

// proberWant is a container that should have a prober.
type proberWant struct {
	key      SetKey
	revision string // the pod's revision: its probes are that revision's
	target   ProbeTarget
}

// runningMembers adds the running app containers and sidecars of a multi-container pod:
// each has its own prober, with its own container's probes (ProbeTarget.Container).
func runningMembers(k SetKey, p *ObservedPod, out map[string]proberWant) {
	for _, c := range slices.Concat(p.Members, p.Inits) {
		if c.State != StateRunning {
			continue
		}
		name := c.Labels[identity.LabelContainer]
		if name == "" {
			name = c.Labels[identity.LabelInit]
		}
		out[c.ID] = proberWant{key: k, revision: c.Labels[identity.LabelRevision],
			target: ProbeTarget{ContainerID: c.ID, IP: podIPOf(p), StartedAt: c.StartedAt, Container: name}}
	}
}

// podIPOf is the address of a multi-container pod: its infrastructure container's.
func podIPOf(p *ObservedPod) string {
	for _, c := range p.Containers {
		if identity.IsInfra(c.Labels) && c.IP != "" {
			return c.IP
		}
	}
	return ""
}
