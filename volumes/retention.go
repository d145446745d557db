package volumes

import "github.com/ordset/ordset/compose"

// Reason says why an ordinal's volumes are up for removal.
type Reason int

const (
	// ScaledDown: the ordinal is above the replica count and its pod is gone.
	ScaledDown Reason = iota
	// SetDeleted: the whole set is being deleted.
	SetDeleted
)

// Remove decides whether an ordinal's claim volumes are removed. Data is kept unless the
// user asked for removal: the policy says Delete for that reason, or an explicit request
// (`down --volumes`) accompanies a set deletion. An explicit request never applies to a
// plain scale-down, so scaling back up finds the data again, as in Kubernetes.
func Remove(policy compose.RetentionPolicy, reason Reason, removeRequested bool) bool {
	switch reason {
	case ScaledDown:
		return policy.WhenScaled == compose.Delete
	case SetDeleted:
		return removeRequested || policy.WhenDeleted == compose.Delete
	}
	return false
}
