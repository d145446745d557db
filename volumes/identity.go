package volumes

import (
	"fmt"

	"github.com/ordset/ordset/orchestrator/labels"
)

// identityKeys are the labels that say whose claim a volume is.
var identityKeys = []string{labels.Namespace, labels.Set, labels.Claim, labels.Ordinal}

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
		l[labels.Claim], l[labels.Set], l[labels.Ordinal], l[labels.Namespace], l[labels.Set])
}
