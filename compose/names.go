package compose

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// The package's regexps are compiled on first use (sync.OnceValue): compiled at package init
// they cost every command of the CLI their compile time, `ordset ps` included, though most
// commands never load a file. TestRegexpsCompile keeps a typo from waiting for its first use.
var (
	dnsLabelRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`) })
	envNameRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`) })
	userPartRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+|[a-z_][-a-z0-9_.]*\$?)$`) })
)

// dnsLabelProblem explains why s is not an RFC 1123 label, or returns "".
func dnsLabelProblem(s string) string {
	switch {
	case s == "":
		return "must not be empty"
	case len(s) > 63:
		return fmt.Sprintf("must be at most 63 characters, got %d", len(s))
	case !dnsLabelRE().MatchString(s):
		return fmt.Sprintf("%q is not a DNS label (lowercase letters, digits and '-', starting and ending with a letter or digit)", s)
	}
	return ""
}

// portNameProblem applies Kubernetes' IANA_SVC_NAME rule, or returns "".
func portNameProblem(s string) string {
	switch {
	case len(s) > 15:
		return fmt.Sprintf("port name %q must be at most 15 characters", s)
	case strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "":
		return fmt.Sprintf("port name %q may contain only lowercase letters, digits and '-'", s)
	case strings.Trim(s, "0123456789-") == "":
		return fmt.Sprintf("port name %q must contain at least one letter", s)
	case strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--"):
		return fmt.Sprintf("port name %q must not begin or end with '-' or contain '--'", s)
	}
	return ""
}

// userProblem accepts Docker's user forms: uid, uid:gid, name, name:group.
func userProblem(s string) string {
	parts := strings.Split(s, ":")
	if len(parts) <= 2 {
		ok := true
		for _, p := range parts {
			ok = ok && userPartRE().MatchString(p)
		}
		if ok {
			return ""
		}
	}
	return fmt.Sprintf(`must be "uid", "uid:gid", "name" or "name:group", got %q`, s)
}

// oneOf reports a policy word outside the known set.
func oneOf(v string, allowed ...string) string {
	for _, a := range allowed {
		if v == a {
			return ""
		}
	}
	shown := make([]string, len(allowed))
	for i, a := range allowed {
		shown[i] = a
		if a == "" {
			shown[i] = `"" (unset)`
		}
	}
	return fmt.Sprintf("must be one of %s, got %q", strings.Join(shown, ", "), v)
}

// CheckDNSLabel reports whether s is a valid namespace or set name (an RFC 1123 label).
func CheckDNSLabel(s string) error {
	if m := dnsLabelProblem(s); m != "" {
		return errors.New(m)
	}
	return nil
}
