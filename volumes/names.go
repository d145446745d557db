package volumes

import (
	"strconv"

	"github.com/ordset/ordset/orchestrator/labels"
)

// ClaimName is Kubernetes' PVC name for one ordinal's claim, e.g. data-web-1.
func ClaimName(claim, set string, ordinal int) string {
	return claim + "-" + set + "-" + strconv.Itoa(ordinal)
}

// Name is the Docker volume of one ordinal's claim, e.g. demo_data-web-1. The namespace
// prefix with an underscore cannot collide with a claim name (DNS labels have no '_').
func Name(namespace, claim, set string, ordinal int) string {
	return namespace + "_" + ClaimName(claim, set, ordinal)
}

// Labels are the identity labels of a claim volume; they let a restarted daemon find and
// adopt every volume without any local state.
func Labels(namespace, set, claim string, ordinal int) map[string]string {
	return map[string]string{
		labels.ManagedBy: labels.ManagedByValue,
		labels.Role:      labels.RoleVolume,
		labels.Namespace: namespace,
		labels.Set:       set,
		labels.Ordinal:   strconv.Itoa(ordinal),
		labels.Pod:       set + "-" + strconv.Itoa(ordinal),
		labels.Claim:     claim,
	}
}
