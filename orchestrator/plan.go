package orchestrator

import (
	"fmt"
	"strings"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/state"
)

// Desired is what one StatefulSet should look like: the planner's first input.
type Desired struct {
	Namespace string
	// Set is the defaulted spec (compose.Load applied every default).
	Set *compose.StatefulSet
	// Replicas is the live replica count; it differs from the spec after `scale`.
	Replicas int
	// Revision is the update revision: the template hash of Set, which pods at or above the
	// partition are created and updated to.
	Revision string
	// CurrentRevision is the revision the set ran before the rollout in progress, and Current
	// its spec: pods below the partition (or every pod of a paused set) are created from it,
	// as Kubernetes creates them from the current ControllerRevision. Empty (nil) means the
	// update revision.
	CurrentRevision string
	Current         *compose.StatefulSet
	// Paused holds every pod at its revision: new pods get the current revision, none rolls.
	Paused bool
	// Generation counts changes of the desired state; status reports it as observedGeneration.
	Generation int64
	// Deleted scales the set to zero in reverse order; the plan reports Done when nothing is left.
	Deleted bool
	// RemoveVolumes asks, with Deleted, to remove claim volumes whatever whenDeleted says.
	RemoveVolumes bool
	// BlockedBy names the dependsOn sets that are not fully Ready (with a short reason each,
	// e.g. "db (1/3 Ready)"). While it is non-empty the set creates nothing.
	BlockedBy []string
}

// Observed is one snapshot of a set's Docker objects plus what probes say about them:
// the planner's second input. It is taken once per pass and never refreshed mid-plan.
type Observed struct {
	// Pods holds every ordinal that has at least one container of this set, in or out of range.
	Pods map[int]*ObservedPod
	// Volumes are this set's labelled claim volumes.
	Volumes []Volume
	// EmptyDirs are the emptyDir volumes of this set's pods (see identity.RoleEmptyDir).
	EmptyDirs []Volume
	// Foreign maps an ordinal to a message when a container that ordset does not own holds
	// one of the pod's container names (main or init). The planner never touches it and does not proceed past it.
	Foreign map[int]string
	// Impostors describe containers that carry this set's labels under names ordset does not
	// create (see screen): reported while they exist, never touched.
	Impostors []string
	// Restarts are the restart records of containers restarted in place, by container ID:
	// their crash-loop counters, which override the labels (see RestartRecord).
	Restarts map[string]RestartRecord
	// NetworkID is the ID of the namespace's network ("" when it is missing): a failed
	// container attached to another (a network recreated since) cannot be restarted in place.
	NetworkID string
}

// ObservedPod is everything known about one ordinal.
type ObservedPod struct {
	// Containers are the main containers carrying this identity; more than one only after a
	// crash at the wrong moment. The planner keeps the one with the canonical name.
	Containers []Container
	// Inits are this ordinal's init containers (native sidecars included).
	Inits []Container
	// Members are the app containers of a pod with an infrastructure container (which is
	// then the one of Containers the planner keeps).
	Members []Container
	// Verdicts are the readiness verdicts of the long-running containers of such a pod
	// (app containers and native sidecars), by container ID.
	Verdicts map[string]Verdict
	// Previous are the pod's kept terminated main containers (identity.PreviousName): one,
	// or more only after a crash at the wrong moment. They are never the pod, only its past.
	Previous []Container
	// Ready is the readiness verdict for the main container: the readiness probe when the spec
	// has one, else the image HEALTHCHECK when the image has one, else Running.
	Ready bool
	// ReadySince is when the pod last became Ready; minReadySeconds counts from it.
	ReadySince time.Time
	// LivenessFailed is set when the liveness (or startup) probe gave up: the pod is replaced.
	LivenessFailed bool
	// ProbeReason explains the last probe failure ("" when none).
	ProbeReason string
}

// Verdict is what probes (or the image HEALTHCHECK, or Running) say about one container.
type Verdict struct {
	Ready, LivenessFailed bool
	// Started is true once the container's startupProbe succeeded (at once without one); a
	// native sidecar must be Started before the next init container runs.
	Started    bool
	ReadySince time.Time
	Reason     string
}

// ActionKind names one step the executor can take.
type ActionKind string

// Action kinds; each is one logical runtime step.
const (
	ActCreateVolume    ActionKind = "create-volume"
	ActRemoveVolume    ActionKind = "remove-volume"
	ActRunInit         ActionKind = "run-init"         // create + start one init container
	ActCreatePod       ActionKind = "create-pod"       // create + start the main container
	ActStartContainer  ActionKind = "start-container"  // start an init container left in "created"
	ActPreparePod      ActionKind = "prepare-pod"      // create (not start) the main container ahead of its turn
	ActPrepareInit     ActionKind = "prepare-init"     // create (not start) the first init container ahead of its turn
	ActStartPod        ActionKind = "start-pod"        // start a created main container, then its postStart hook
	ActStopPod         ActionKind = "stop-pod"         // graceful stop, keeping the container (liveness failure)
	ActDeletePod       ActionKind = "delete-pod"       // graceful stop, then remove the main container
	ActRemoveContainer ActionKind = "remove-container" // force-remove a dead, finished, stale or duplicate container
	ActRetireContainer ActionKind = "retire-container" // rename a failed container away from the pod's name
	ActCreateInfra     ActionKind = "create-infra"     // create + start a pod's infrastructure container
	ActRunContainer    ActionKind = "run-container"    // create + start an app container joined to the infra container
	ActDeleteContainer ActionKind = "delete-container" // graceful stop (preStop first), then remove one app container or sidecar
	ActKeepPrevious    ActionKind = "keep-previous"    // rename a replaced retired container to the pod's previous one
	ActRestartInPlace  ActionKind = "restart-in-place" // record a failed container's counters, then start it again (postStart)

	// Namespace-level actions (PlanEngine).
	ActCreateNetwork ActionKind = "create-network" // create the namespace's network
	ActRemoveNetwork ActionKind = "remove-network" // remove it once the namespace's last set is gone
	ActForgetSet     ActionKind = "forget-set"     // drop a deleted set that has nothing left
)

// Action is one step of a plan. Actions of the same Pod (and Lane) run in order; actions of
// different pods or lanes are independent of each other.
type Action struct {
	Kind ActionKind
	// Namespace is set on namespace-level actions only.
	Namespace string
	Pod       string // pod name, e.g. web-1 (empty for none)
	Ordinal   int
	// Target names the object acted on: a container or volume name.
	Target string
	// RenameTo is the new name of a retired container (retire-container, keep-previous).
	RenameTo    string
	ContainerID string
	// Volume is the volume to create (create-volume).
	Volume VolumeSpec
	// Init is the init container index (run-init).
	Init int
	// Container is the template name of the app container or sidecar acted on (run-container,
	// delete-container, stop-pod of one container); "" is the main container of a
	// one-container pod.
	Container string
	// InfraID and PodIP are the pod's infrastructure container and its address, for a
	// container that joins it (run-init, run-container).
	InfraID, PodIP string
	// Lane, when set, runs the action beside the pod's other actions instead of after them
	// (the app containers of a pod stop at once, as the kubelet stops them).
	Lane string
	// Infra marks an action on the infrastructure container itself.
	Infra    bool
	Revision string
	// Restarts and Backoff label a created container (see identity.LabelRestarts,
	// identity.LabelBackoff), or are recorded for a container restarted in place.
	Restarts, Backoff int
	// Record is what a restart-in-place records before the start (Restarts and Backoff are
	// its counters).
	Record RestartRecord
	Grace  time.Duration
	Reason string
}

// creates reports an action that creates a container under the pod's name.
func (a Action) creates() bool {
	switch a.Kind {
	case ActCreatePod, ActRunInit, ActPreparePod, ActPrepareInit, ActCreateInfra, ActRunContainer:
		return true
	}
	return false
}

// String renders an action compactly for logs and table tests.
func (a Action) String() string {
	var s string
	switch a.Kind {
	case ActCreateVolume, ActRemoveVolume, ActStartContainer, ActRemoveContainer, ActRetireContainer,
		ActKeepPrevious, ActCreateNetwork, ActRemoveNetwork, ActForgetSet:
		s = string(a.Kind) + " " + a.Target
	case ActRunInit:
		s = fmt.Sprintf("run-init %s init[%d]", a.Pod, a.Init)
	case ActCreatePod, ActPreparePod, ActCreateInfra:
		s = fmt.Sprintf("%s %s rev=%s", a.Kind, a.Pod, a.Revision)
	case ActPrepareInit:
		s = fmt.Sprintf("prepare-init %s init[%d]", a.Pod, a.Init)
	case ActRunContainer, ActDeleteContainer:
		s = fmt.Sprintf("%s %s/%s", a.Kind, a.Pod, a.Container)
	case ActRestartInPlace:
		s = string(a.Kind) + " " + a.Pod
		if a.Container != "" {
			s += "/" + a.Container
		}
	default:
		s = string(a.Kind) + " " + a.Pod
	}
	if a.Restarts > 0 {
		s += fmt.Sprintf(" restarts=%d", a.Restarts)
	}
	if a.Reason != "" {
		s += " (" + a.Reason + ")"
	}
	return s
}

// Pod phases shown by `ordset ps` (see package state, which owns them).
const (
	PhasePending          = state.Pending
	PhaseContainerCreated = state.Created
	PhaseRunning          = state.Running
	PhaseCrashLoop        = state.CrashLoopBackOff
	PhaseError            = state.Error
	PhaseCompleted        = state.Completed
	PhaseTerminating      = state.Terminating
	PhaseConflict         = state.NameConflict
	PhaseUnhealthy        = state.Unhealthy
	PhasePaused           = state.Paused
)

// PodState is the planner's verdict on one ordinal, used for status.
type PodState struct {
	Ordinal   int
	Name      string
	Phase     state.PodPhase
	Ready     bool
	Available bool
	Exists    bool // a main container exists
	Revision  string
	Restarts  int
	Container *Container // the canonical main container, nil when none
	// Members are the containers of a pod with an infrastructure container (sidecars, then
	// app containers, in template order); nil for a one-container pod.
	Members []MemberState
	// Reason is the last probe failure of a running pod that is not Ready ("" otherwise).
	Reason string
}

// MemberState is one long-running container of a multi-container pod, as status shows it.
type MemberState struct {
	Name, Image string
	Sidecar     bool
	ID          string
	State       ContainerState // "" while it does not exist
	Ready       bool
	Restarts    int
}

// Plan is the planner's output: the next steps, and why it stops there.
type Plan struct {
	Actions []Action
	// Waiting explains what the set waits for ("" when converged or acting).
	Waiting string
	// RequeueAfter is when the planner wants to run again although nothing changed
	// (backoff expiry, minReadySeconds); 0 means only on change.
	RequeueAfter time.Duration
	// Done is true for a deleted set once all its containers (and volumes due for removal) are gone.
	Done bool
	// Pods is the state of every in-range ordinal and every out-of-range ordinal still present.
	Pods []PodState
}

// String renders a plan for table tests: actions joined by "; ", then waiting/requeue/done lines.
func (p Plan) String() string {
	var lines []string
	if len(p.Actions) > 0 {
		parts := make([]string, len(p.Actions))
		for i, a := range p.Actions {
			parts[i] = a.String()
		}
		lines = append(lines, strings.Join(parts, "; "))
	}
	if p.Waiting != "" {
		lines = append(lines, "waiting: "+p.Waiting)
	}
	if p.RequeueAfter > 0 {
		lines = append(lines, "requeue: "+p.RequeueAfter.String())
	}
	if p.Done {
		lines = append(lines, "done")
	}
	return strings.Join(lines, "\n")
}
