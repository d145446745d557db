// Package labels defines the Docker labels that carry every ordset object's identity.
//
// They live in one leaf package so the orchestrator, the volume manager and the
// test sweepers agree on a single prefix, and so ownership checks ("is this ours?")
// are one function, not a string comparison scattered across packages.
package labels

import "strconv"

// Prefix starts every label ordset writes.
const Prefix = "io.ordset."

// Label keys.
const (
	ManagedBy = Prefix + "managed-by" // always ManagedByValue on objects ordset created
	Namespace = Prefix + "namespace"
	Set       = Prefix + "statefulset"
	Ordinal   = Prefix + "ordinal"
	Pod       = Prefix + "pod"      // pod name, e.g. redis-1
	Claim     = Prefix + "claim"    // volume claim template name (volumes only)
	Revision  = Prefix + "revision" // template hash the container was created from
	Role      = Prefix + "role"     // RolePod, RoleInit, RoleVolume or RoleNetwork
	Init      = Prefix + "init"     // init container name (RoleInit only)
	Service   = Prefix + "service"  // headless service name (pods only)
	// Restarts counts how often a pod (or init container) was replaced after a failure; shown by `ps`.
	Restarts = Prefix + "restarts"
	// Backoff counts consecutive quick failures; it sizes the crash-loop delay and survives a daemon restart.
	Backoff = Prefix + "backoff"
	// Owner is the id of the state directory (so of the daemon) that created the object: several
	// daemons share one engine, and none touches what another made. See OwnedBy.
	Owner = Prefix + "owner"
)

// ManagedByValue marks an object as ordset's own.
const ManagedByValue = "ordset"

// Roles of labelled objects.
const (
	RolePod     = "pod"
	RoleInit    = "init"
	RoleVolume  = "volume"
	RoleNetwork = "network"
)

// Owned reports whether an object's labels mark it as created by ordset.
func Owned(l map[string]string) bool { return l[ManagedBy] == ManagedByValue }

// OwnedBy reports whether a daemon with the given owner id may manage an ordset object: the
// object carries that id, or no id at all (made by an ordset older than owner ids, which
// keeps running sets working after an upgrade). An empty owner accepts every ordset object.
func OwnedBy(l map[string]string, owner string) bool {
	o, ok := l[Owner]
	return Owned(l) && (owner == "" || !ok || o == owner)
}

// ProvablyOwnedBy is OwnedBy without the allowance for old objects: what removing data
// (a volume) requires, since an object without an owner id may be another daemon's.
func ProvablyOwnedBy(l map[string]string, owner string) bool {
	return Owned(l) && (owner == "" || l[Owner] == owner)
}

// OrdinalOf parses the ordinal label; ok is false when it is missing or malformed.
func OrdinalOf(l map[string]string) (int, bool) {
	v, present := l[Ordinal]
	if !present {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
