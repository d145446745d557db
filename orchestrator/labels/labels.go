// Package labels is the former home of ordset's label keys.
//
// Deprecated: package identity owns every name and label; these aliases only keep code
// written against the old path compiling while it moves.
package labels

import "github.com/ordset/ordset/orchestrator/identity"

// Label keys and values, as identity defines them.
const (
	Prefix         = identity.LabelPrefix
	ManagedBy      = identity.LabelManagedBy
	Namespace      = identity.LabelNamespace
	Set            = identity.LabelSet
	Ordinal        = identity.LabelOrdinal
	Pod            = identity.LabelPod
	Claim          = identity.LabelClaim
	Revision       = identity.LabelRevision
	Role           = identity.LabelRole
	Init           = identity.LabelInit
	Service        = identity.LabelService
	Restarts       = identity.LabelRestarts
	Backoff        = identity.LabelBackoff
	Owner          = identity.LabelOwner
	ManagedByValue = identity.ManagedByValue
	RolePod        = identity.RolePod
	RoleInit       = identity.RoleInit
	RoleVolume     = identity.RoleVolume
	RoleNetwork    = identity.RoleNetwork
)

// Ownership checks, as identity defines them.
var (
	Owned           = identity.Owned
	OwnedBy         = identity.OwnedBy
	ProvablyOwnedBy = identity.ProvablyOwnedBy
	OrdinalOf       = identity.OrdinalOf
)
