package volumes

import (
	"fmt"

	"github.com/ordset/ordset/orchestrator/identity"
)

// identityKeys are the labels that say whose claim a volume is.
var identityKeys = []string{identity.LabelNamespace, identity.LabelSet, identity.LabelClaim, identity.LabelOrdinal}

// SameClaim reports whether an existing volume's labels name the claim that want describes.
// Names alone are not enough: claim "data-x" of set "y" and claim "data" of set "x-y" share
// the name <ns>_data-x-y-0, and one set must never mount the other's data.
func SameClaim(have, want map[string]string) bool {
	for _, k := range identityKeys {
		if have[k] != want[k] {
			return false
		}
	}
	return true
}

// Owner describes whose claim a volume is, from its labels, for error messages.
func Owner(l map[string]string) string {
	return fmt.Sprintf("claim %s of pod %s-%s (statefulset %s/%s)",
		l[identity.LabelClaim], l[identity.LabelSet], l[identity.LabelOrdinal], l[identity.LabelNamespace], l[identity.LabelSet])
}
