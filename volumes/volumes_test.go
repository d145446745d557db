package volumes

import (
	"testing"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

func TestRemove(t *testing.T) {
	retain := compose.RetentionPolicy{WhenScaled: compose.Retain, WhenDeleted: compose.Retain}
	del := compose.RetentionPolicy{WhenScaled: compose.Delete, WhenDeleted: compose.Delete}
	mixed := compose.RetentionPolicy{WhenScaled: compose.Delete, WhenDeleted: compose.Retain}
	cases := []struct {
		name    string
		policy  compose.RetentionPolicy
		reason  Reason
		request bool
		want    bool
	}{
		{"retain scale", retain, ScaledDown, false, false},
		{"retain scale ignores request", retain, ScaledDown, true, false},
		{"retain delete", retain, SetDeleted, false, false},
		{"retain delete with --volumes", retain, SetDeleted, true, true},
		{"delete scale", del, ScaledDown, false, true},
		{"delete delete", del, SetDeleted, false, true},
		{"mixed scale", mixed, ScaledDown, false, true},
		{"mixed delete", mixed, SetDeleted, false, false},
		{"empty policy is retain", compose.RetentionPolicy{}, SetDeleted, false, false},
	}
	for _, c := range cases {
		if got := Remove(c.policy, c.reason, c.request); got != c.want {
			t.Errorf("%s: Remove = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestSameClaim(t *testing.T) {
	a := identity.VolumeLabels("demo", "y", "data-x", 0)
	b := identity.VolumeLabels("demo", "x-y", "data", 0)
	if identity.VolumeName("demo", "data-x", "y", 0) != identity.VolumeName("demo", "data", "x-y", 0) {
		t.Fatal("the colliding names this guards against no longer collide; update the example")
	}
	if !SameClaim(a, identity.VolumeLabels("demo", "y", "data-x", 0)) {
		t.Error("identical claims differ")
	}
	if SameClaim(a, b) {
		t.Error("claims of two sets with one volume name are the same")
	}
	if got, want := Owner(a), "claim data-x of pod y-0 (statefulset demo/y)"; got != want {
		t.Errorf("Owner = %q, want %q", got, want)
	}
}
