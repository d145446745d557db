package identity

import "testing"

// TestOwnedBy: a daemon acts on its own objects and on old ones without an owner id, but removes
// data only when the object carries its id.
func TestOwnedBy(t *testing.T) {
	ours := map[string]string{LabelManagedBy: ManagedByValue, LabelOwner: "aaaa"}
	theirs := map[string]string{LabelManagedBy: ManagedByValue, LabelOwner: "bbbb"}
	old := map[string]string{LabelManagedBy: ManagedByValue}
	foreign := map[string]string{LabelOwner: "aaaa"}
	for _, tc := range []struct {
		name            string
		l               map[string]string
		owner           string
		owned, provably bool
	}{
		{"ours", ours, "aaaa", true, true},
		{"another daemon's", theirs, "aaaa", false, false},
		{"older version's", old, "aaaa", true, false},
		{"not ordset's", foreign, "aaaa", false, false},
		{"no owner id: every ordset object", theirs, "", true, true},
		{"no owner id: still not foreign", foreign, "", false, false},
	} {
		if got := OwnedBy(tc.l, tc.owner); got != tc.owned {
			t.Errorf("%s: OwnedBy = %v, want %v", tc.name, got, tc.owned)
		}
		if got := ProvablyOwnedBy(tc.l, tc.owner); got != tc.provably {
			t.Errorf("%s: ProvablyOwnedBy = %v, want %v", tc.name, got, tc.provably)
		}
	}
}
