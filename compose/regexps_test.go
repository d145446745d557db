package compose

import (
	"regexp"
	"testing"
)

// TestRegexpsCompile compiles every lazily compiled regexp of the package: a mistake in one
// would otherwise panic only when a file first needs it.
func TestRegexpsCompile(t *testing.T) {
	for name, re := range map[string]func() *regexp.Regexp{
		"lineRE": lineRE, "plainNumber": plainNumber, "expNumber": expNumber, "objectKeyRE": objectKeyRE,
		"subdomainRE": subdomainRE, "capabilityRE": capabilityRE, "sysctlRE": sysctlRE, "qualifiedRE": qualifiedRE,
		"dnsLabelRE": dnsLabelRE, "envNameRE": envNameRE, "userPartRE": userPartRE,
	} {
		if re() == nil {
			t.Errorf("%s: nil", name)
		}
	}
}
