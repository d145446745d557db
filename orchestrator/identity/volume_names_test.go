package identity

import "testing"

func TestName(t *testing.T) {
	if got := VolumeName("demo", "data", "redis", 1); got != "demo_data-redis-1" {
		t.Fatalf("Name = %q", got)
	}
	if got := ClaimName("data", "redis", 12); got != "data-redis-12" {
		t.Fatalf("ClaimName = %q", got)
	}
}

func TestLabels(t *testing.T) {
	l := VolumeLabels("demo", "redis", "data", 2)
	if !Owned(l) {
		t.Fatal("volume labels are not owned")
	}
	if n, ok := OrdinalOf(l); !ok || n != 2 {
		t.Fatalf("ordinal = %d, %v", n, ok)
	}
	want := map[string]string{LabelNamespace: "demo", LabelSet: "redis", LabelClaim: "data",
		LabelPod: "redis-2", LabelRole: RoleVolume}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("label %s = %q, want %q", k, l[k], v)
		}
	}
}
