package identity

import "strconv"

// LabelPrefix starts every label ordset writes.
const LabelPrefix = "io.ordset."

// Label keys.
const (
	LabelManagedBy = LabelPrefix + "managed-by" // always ManagedByValue on objects ordset created
	LabelNamespace = LabelPrefix + "namespace"
	LabelSet       = LabelPrefix + "statefulset"
	LabelOrdinal   = LabelPrefix + "ordinal"
	LabelPod       = LabelPrefix + "pod"      // pod name, e.g. redis-1
	LabelClaim     = LabelPrefix + "claim"    // volume claim template name (volumes only)
	LabelRevision  = LabelPrefix + "revision" // template hash the container was created from
	LabelRole      = LabelPrefix + "role"     // RolePod, RoleInit, RoleVolume or RoleNetwork
	LabelInit      = LabelPrefix + "init"     // init container name (RoleInit only)
	// Container is the template name of a pod's app container (RoleContainer only).
	LabelContainer = LabelPrefix + "container"
	// Infra marks the infrastructure container that holds a multi-container pod's network
	// (and IPC, PID) namespaces; it has RolePod, so it is the pod as ps and DNS see it.
	LabelInfra = LabelPrefix + "infra"
	// PodUID is the ID of the infrastructure container an emptyDir volume was made for: a new
	// incarnation of the pod gets a fresh emptyDir, as Kubernetes keys it by pod UID.
	LabelPodUID = LabelPrefix + "pod-uid"
	// Volume is the pod volume name of an emptyDir volume (RoleEmptyDir only).
	LabelVolume  = LabelPrefix + "volume"
	LabelService = LabelPrefix + "service" // headless service name (pods only)
	// Restarts counts how often a pod (or init container) was replaced after a failure; shown by `ps`.
	LabelRestarts = LabelPrefix + "restarts"
	// Backoff counts consecutive quick failures; it sizes the crash-loop delay and survives a daemon restart.
	LabelBackoff = LabelPrefix + "backoff"
	// Owner is the id of the state directory (so of the daemon) that created the object: several
	// daemons share one engine, and none touches what another made. See OwnedBy.
	LabelOwner = LabelPrefix + "owner"
)

// ManagedByValue marks an object as ordset's own.
const ManagedByValue = "ordset"

// Roles of labelled objects.
const (
	RolePod     = "pod"
	RoleInit    = "init"
	RoleVolume  = "volume"
	RoleNetwork = "network"
	// RoleContainer is an app container of a pod with an infrastructure container.
	RoleContainer = "container"
	// RoleEmptyDir is a pod's emptyDir volume (shared by its containers, removed with the pod).
	RoleEmptyDir = "emptydir"
)

// Owned reports whether an object's labels mark it as created by ordset.
func Owned(l map[string]string) bool { return l[LabelManagedBy] == ManagedByValue }

// OwnedBy reports whether a daemon with the given owner id may manage an ordset object: the
// object carries that id, or no id at all (made by an ordset older than owner ids, which
// keeps running sets working after an upgrade). An empty owner accepts every ordset object.
func OwnedBy(l map[string]string, owner string) bool {
	o, ok := l[LabelOwner]
	return Owned(l) && (owner == "" || !ok || o == owner)
}

// ProvablyOwnedBy is OwnedBy without the allowance for old objects: what removing data
// (a volume) requires, since an object without an owner id may be another daemon's.
func ProvablyOwnedBy(l map[string]string, owner string) bool {
	return Owned(l) && (owner == "" || l[LabelOwner] == owner)
}

// OrdinalOf parses the ordinal label; ok is false when it is missing or malformed.
func OrdinalOf(l map[string]string) (int, bool) {
	v, present := l[LabelOrdinal]
	if !present {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// VolumeLabels are the identity labels of a claim volume; they let a restarted daemon find and
// adopt every volume without any local state.
func VolumeLabels(namespace, set, claim string, ordinal int) map[string]string {
	return map[string]string{
		LabelManagedBy: ManagedByValue,
		LabelRole:      RoleVolume,
		LabelNamespace: namespace,
		LabelSet:       set,
		LabelOrdinal:   strconv.Itoa(ordinal),
		LabelPod:       PodName(set, ordinal),
		LabelClaim:     claim,
	}
}

// Container is what a pod or init container's labels say about it.
type Container struct {
	Namespace, Set, Service, Revision string
	Ordinal                           int
	// Init is the init container's name ("" for the pod's main container).
	Init string
	// App is the app container's template name in a pod with an infrastructure container
	// ("" for the main container of a one-container pod, for init and infra containers).
	App string
	// Infra marks the pod's infrastructure container.
	Infra bool
	// Restarts and Backoff are the crash-loop counters the container carries (see LabelBackoff).
	Restarts, Backoff int
}

// ContainerLabels are the labels of a pod or init container, over extra (e.g. a test
// marker): identity labels win on a clash.
func ContainerLabels(c Container, extra map[string]string) map[string]string {
	l := make(map[string]string, len(extra)+12)
	for k, v := range extra {
		l[k] = v
	}
	l[LabelManagedBy] = ManagedByValue
	l[LabelRole] = RolePod
	switch {
	case c.Init != "":
		l[LabelRole], l[LabelInit] = RoleInit, c.Init
	case c.App != "":
		l[LabelRole], l[LabelContainer] = RoleContainer, c.App
	case c.Infra:
		l[LabelInfra] = "true"
	}
	l[LabelNamespace] = c.Namespace
	l[LabelSet] = c.Set
	l[LabelOrdinal] = strconv.Itoa(c.Ordinal)
	l[LabelPod] = PodName(c.Set, c.Ordinal)
	l[LabelService] = c.Service
	l[LabelRevision] = c.Revision
	l[LabelRestarts] = strconv.Itoa(c.Restarts)
	l[LabelBackoff] = strconv.Itoa(c.Backoff)
	return l
}

// EmptyDirLabels are the labels of one pod incarnation's emptyDir volume; uid is the ID of the
// pod's infrastructure container.
func EmptyDirLabels(namespace, set string, ordinal int, volume, uid string) map[string]string {
	return map[string]string{
		LabelManagedBy: ManagedByValue,
		LabelRole:      RoleEmptyDir,
		LabelNamespace: namespace,
		LabelSet:       set,
		LabelOrdinal:   strconv.Itoa(ordinal),
		LabelPod:       PodName(set, ordinal),
		LabelVolume:    volume,
		LabelPodUID:    uid,
	}
}

// IsInfra reports an infrastructure container.
func IsInfra(l map[string]string) bool { return l[LabelInfra] == "true" }

// NetworkLabels are the labels of a namespace's network.
func NetworkLabels(namespace string) map[string]string {
	return map[string]string{LabelManagedBy: ManagedByValue, LabelRole: RoleNetwork, LabelNamespace: namespace}
}
