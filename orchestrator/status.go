package orchestrator

import (
	"github.com/ordset/ordset/orchestrator/identity"
	"slices"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/state"
)

// SetStatus is one set's state as of the last pass, kubectl get statefulsets style.
type SetStatus struct {
	Namespace, Name string
	// Desired is the live replica count; Current counts pods with a container, Ready the Ready
	// ones, Updated the ones at Revision.
	Desired, Current, Ready, Updated int
	// Revision is the update revision (Kubernetes' updateRevision).
	Revision string
	// Available counts the pods Ready for minReadySeconds; AtCurrent the pods at
	// CurrentRevision (Kubernetes' availableReplicas and currentReplicas).
	Available, AtCurrent int
	// CurrentRevision is the revision before the rollout in progress; it becomes Revision
	// when the rollout completes (RolloutComplete).
	CurrentRevision string
	// ObservedGeneration is the desired state's generation this status was computed from.
	ObservedGeneration int64
	// Waiting is why the set does not progress ("" when converged or acting).
	Waiting string
	// Deleting is true while a deleted set is being scaled to zero.
	Deleting bool
	// Condition summarises the above for waiting clients; NotObserved until a pass planned
	// the current desired state.
	Condition state.SetCondition
	Pods      []PodStatus
}

// PodStatus is one pod as `ps` and the DNS server see it.
type PodStatus struct {
	Namespace, Set, Service string
	Ordinal                 int
	Name                    string // web-1
	Container, ContainerID  string // demo-web-1, Docker ID
	IP, IPv6                string
	Ready                   bool
	// Status is kubectl-style: Pending, Init:0/1, Running, CrashLoopBackOff, Terminating, Error ...
	Status   state.PodPhase
	Restarts int
	Revision string
	Volumes  []string
	// Ports are the set's ports with HostPort already offset for this ordinal.
	Ports                []compose.Port
	CreatedAt, StartedAt time.Time
	PublishNotReady      bool
	// Reason says why a running pod is not Ready: the last probe failure ("" when Ready).
	Reason string
	// Containers are the long-running containers of a pod with several (nil otherwise).
	Containers []MemberState
	// Labels are the pod template's labels and PodPorts every container's ports (sidecars
	// too), shared by the set's pods and read-only: what a Service that selects pods by
	// label matches and resolves a named targetPort against.
	Labels   map[string]string
	PodPorts []compose.Port
	// ServicePorts are the set's own Service's ports when its file names them (they name the
	// SRV records under the set's service); shared and read-only like PodPorts.
	ServicePorts []compose.ServicePort `json:",omitempty"`
}

// podStatuses turns the planner's verdicts into PodStatus values.
func podStatuses(ns string, s *compose.StatefulSet, states []PodState) []PodStatus {
	svc := s.Service()
	podPorts := compose.PodPorts(s)
	out := make([]PodStatus, 0, len(states))
	for _, st := range states {
		ps := PodStatus{Namespace: ns, Set: s.Name, Service: svc, Ordinal: st.Ordinal, Name: st.Name,
			Container: identity.ContainerName(ns, s.Name, st.Ordinal), Ready: st.Ready, Status: st.Phase,
			Restarts: st.Restarts, Revision: st.Revision, PublishNotReady: s.PublishNotReadyAddresses, Reason: st.Reason,
			Labels: s.Template.Metadata.Labels, PodPorts: podPorts, ServicePorts: s.ServicePorts, Containers: st.Members}
		if c := st.Container; c != nil {
			ps.Container, ps.ContainerID = c.Name, c.ID
			ps.IP, ps.IPv6 = c.IP, c.IPv6
			ps.CreatedAt, ps.StartedAt = c.CreatedAt, c.StartedAt
		}
		for _, t := range s.VolumeClaimTemplates {
			ps.Volumes = append(ps.Volumes, identity.VolumeName(ns, t.Name, s.Name, st.Ordinal))
		}
		for _, p := range podPorts {
			if p.HostPort > 0 {
				p.HostPort += st.Ordinal - s.Ordinals.Start
			}
			ps.Ports = append(ps.Ports, p)
		}
		out = append(out, ps)
	}
	slices.SortStableFunc(out, func(a, b PodStatus) int { return a.Ordinal - b.Ordinal })
	return out
}

// setStatus summarises a plan for one set.
func setStatus(d Desired, plan Plan) SetStatus {
	st := SetStatus{Namespace: d.Namespace, Name: d.Set.Name, Desired: d.Replicas, Revision: d.Revision,
		CurrentRevision: orDefault(d.CurrentRevision, d.Revision), ObservedGeneration: d.Generation,
		Waiting: plan.Waiting, Deleting: d.Deleted, Pods: podStatuses(d.Namespace, d.Set, plan.Pods)}
	if d.Deleted {
		st.Desired = 0
	}
	for _, p := range plan.Pods {
		if !p.Exists {
			continue
		}
		st.Current++
		if p.Ready {
			st.Ready++
		}
		if p.Available {
			st.Available++
		}
		if p.Revision == d.Revision {
			st.Updated++
		}
		if p.Revision == st.CurrentRevision {
			st.AtCurrent++
		}
	}
	st.Condition = condition(st)
	return st
}

// RolloutComplete reports that a RollingUpdate has reached every pod, as Kubernetes'
// completeRollingUpdate decides it: every desired pod exists, is Ready and runs the update
// revision. The current revision then becomes the update revision. A partition above zero
// or OnDelete never completes a rollout (Kubernetes keeps the current revision then too).
func RolloutComplete(d Desired, st SetStatus) bool {
	return !d.Deleted && !d.Paused && d.Set.UpdateStrategy.Type != compose.OnDelete &&
		st.CurrentRevision != d.Revision && st.Current == d.Replicas && st.Updated == d.Replicas &&
		st.Ready == d.Replicas && len(st.Pods) == d.Replicas
}

// condition classifies a set's status.
func condition(st SetStatus) state.SetCondition {
	switch {
	case st.Deleting:
		return state.Deleting
	case st.Ready == st.Desired && st.Updated == st.Desired && st.Current == st.Desired && len(st.Pods) == st.Desired:
		return state.Converged
	}
	return state.Progressing
}
