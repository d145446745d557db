package orchestrator

import (
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// member is one long-running container of a multi-container pod's template: a native
// sidecar (an init container with restartPolicy Always) or an app container.
type member struct {
	name    string
	sidecar bool
	init    int // index among the init containers (sidecars only)
	spec    *compose.Container
}

// podMembers lists a template's long-running containers in start order: sidecars as their
// init containers are ordered, then the app containers.
func podMembers(s *compose.StatefulSet) []member {
	var out []member
	for i := range s.Template.Spec.InitContainers {
		if ic := &s.Template.Spec.InitContainers[i]; ic.Sidecar() {
			out = append(out, member{name: ic.Name, sidecar: true, init: i, spec: ic})
		}
	}
	for i := range s.Template.Spec.Containers {
		c := &s.Template.Spec.Containers[i]
		out = append(out, member{name: c.Name, init: -1, spec: c})
	}
	return out
}

// specFor is the template of a revision the set knows (update or current), nil otherwise.
func specFor(d Desired, rev string) *compose.StatefulSet {
	switch {
	case rev == d.Revision:
		return d.Set
	case rev == d.CurrentRevision && d.Current != nil:
		return d.Current
	}
	return nil
}

// memberName is the Docker name ordset gives a member of pod ord.
func memberName(k SetKey, ord int, m member) string {
	if m.sidecar {
		return identity.InitContainerName(k.Namespace, k.Name, ord, m.name)
	}
	return identity.AppContainerName(k.Namespace, k.Name, ord, m.name)
}

// belongs reports a container made for this incarnation of the pod: the infrastructure
// container's revision, joined to that very container.
func belongs(c, infra Container) bool {
	return c.Labels[identity.LabelRevision] == infra.Labels[identity.LabelRevision] &&
		c.NetworkMode == "container:"+infra.ID
}

// findMember returns the observed container of member m of the pod held by infra: the one
// under the canonical name, else a retired one (a failed container waiting for its
// replacement); never a kept previous one. nil when there is none.
func findMember(k SetKey, ord int, p *ObservedPod, infra Container, m member) *Container {
	list, label := p.Members, identity.LabelContainer
	if m.sidecar {
		list, label = p.Inits, identity.LabelInit
	}
	canonical := memberName(k, ord, m)
	var found *Container
	for i := range list {
		c := &list[i]
		if c.Labels[label] != m.name || !belongs(*c, infra) || c.Name == identity.PreviousName(canonical, c.ID) {
			continue // a kept previous container is the member's past, never the member
		}
		if found == nil || c.Name == canonical && found.Name != canonical {
			found = c
		}
	}
	return found
}

// fillPodReadiness sets the readiness of a multi-container pod: Ready when every app
// container and sidecar of its revision runs and is Ready, as Kubernetes' ContainersReady;
// Ready since the last of them became Ready. Each container's verdict is kept for the
// planner (liveness) and status. seen is the next ready-since memory.
func fillPodReadiness(k SetKey, ord int, p *ObservedPod, infra Container, in readinessInput, seen map[string]time.Time) {
	spec := specFor(in.desired, infra.Labels[identity.LabelRevision])
	if spec == nil { // as planner.specOf
		spec = in.desired.Set
	}
	if spec == nil {
		return
	}
	p.Verdicts = map[string]Verdict{}
	ready := true
	var since time.Time
	for _, m := range podMembers(spec) {
		c := findMember(k, ord, p, infra, m)
		if c == nil || c.State != StateRunning {
			ready = false
			continue
		}
		v := memberVerdict(*c, containerProbed(m.spec), in, seen)
		p.Verdicts[c.ID] = v
		if v.LivenessFailed {
			p.LivenessFailed = true
		}
		if !v.Ready {
			if ready && v.Reason != "" {
				p.ProbeReason = m.name + ": " + v.Reason
			}
			ready = false
			continue
		}
		if v.ReadySince.After(since) {
			since = v.ReadySince
		}
	}
	p.Ready = ready
	if ready {
		p.ReadySince = since
	}
}

// memberVerdict is one container's readiness: its prober's when it has probes (not Ready
// until the prober runs), else the image HEALTHCHECK, else Running.
func memberVerdict(c Container, probed bool, in readinessInput, seen map[string]time.Time) Verdict {
	healthOK := c.Health == "" || c.Health == "healthy"
	var v Verdict
	if st, ok := in.probes[c.ID]; ok {
		v = Verdict{Ready: st.Ready && healthOK, ReadySince: st.ReadySince, LivenessFailed: !st.Live, Reason: st.Reason}
	} else if probed {
		return Verdict{Reason: "probes not started"}
	} else {
		v.Ready = healthOK
		if c.Health == "" && !c.StartedAt.IsZero() {
			v.ReadySince = c.StartedAt
		}
	}
	if v.Ready && v.ReadySince.IsZero() {
		s, ok := in.seen[c.ID]
		if !ok {
			s = in.now
		}
		seen[c.ID], v.ReadySince = s, s
	}
	return v
}
