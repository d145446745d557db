package volumes

import (
	"testing"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/labels"
)

func TestName(t *testing.T) {
	if got := Name("demo", "data", "redis", 1); got != "demo_data-redis-1" {
		t.Fatalf("Name = %q", got)
	}
	if got := ClaimName("data", "redis", 12); got != "data-redis-12" {
		t.Fatalf("ClaimName = %q", got)
	}
}

func TestLabels(t *testing.T) {
	l := Labels("demo", "redis", "data", 2)
	if !labels.Owned(l) {
		t.Fatal("volume labels are not owned")
	}
	if n, ok := labels.OrdinalOf(l); !ok || n != 2 {
		t.Fatalf("ordinal = %d, %v", n, ok)
	}
	want := map[string]string{labels.Namespace: "demo", labels.Set: "redis", labels.Claim: "data",
		labels.Pod: "redis-2", labels.Role: labels.RoleVolume}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("label %s = %q, want %q", k, l[k], v)
		}
	}
}

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
	a := Labels("demo", "y", "data-x", 0)
	b := Labels("demo", "x-y", "data", 0)
	if Name("demo", "data-x", "y", 0) != Name("demo", "data", "x-y", 0) {
		t.Fatal("the colliding names this guards against no longer collide; update the example")
	}
	if !SameClaim(a, Labels("demo", "y", "data-x", 0)) {
		t.Error("identical claims differ")
	}
	if SameClaim(a, b) {
		t.Error("claims of two sets with one volume name are the same")
	}
	if got, want := Owner(a), "claim data-x of pod y-0 (statefulset demo/y)"; got != want {
		t.Errorf("Owner = %q, want %q", got, want)
	}
}
