package compose

import (
	"reflect"
	"testing"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"A": "1", "POD_NAME": "web-0", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	for _, tc := range []struct {
		in, want string
		missing  []string
	}{
		{"plain", "plain", nil},
		{"$(A)", "1", nil},
		{"x-$(POD_NAME)-y", "x-web-0-y", nil},
		{"$(EMPTY)", "", nil},
		{"$$(A)", "$(A)", nil},                   // escaped: the literal reference
		{"$$$(A)", "$1", nil},                    // an escaped $ then a reference
		{"$(NOPE)", "$(NOPE)", []string{"NOPE"}}, // unresolved: left as written
		{"$(A)$(B)", "1$(B)", []string{"B"}},
		{"$(A", "$(A", nil},         // unclosed: kept
		{"cost $5", "cost $5", nil}, // a $ not before ( or $ is kept
		{"end$", "end$", nil},
		{"$()", "$()", []string{""}},
		{"${A}", "${A}", nil}, // shell syntax is not Kubernetes'
	} {
		got, missing := Expand(tc.in, lookup)
		if got != tc.want || !reflect.DeepEqual(missing, tc.missing) {
			t.Errorf("Expand(%q) = %q, %q; want %q, %q", tc.in, got, missing, tc.want, tc.missing)
		}
	}
}
