package compose

import (
	"slices"
	"testing"
)

func TestChanges(t *testing.T) {
	base := func() *StatefulSet {
		n := 3
		return &StatefulSet{Name: "web", Replicas: &n, Image: "app:1", PodManagementPolicy: OrderedReady,
			UpdateStrategy: UpdateStrategy{Type: RollingUpdate, Partition: 3}, Ordinals: Ordinals{Start: 2}}
	}
	cases := []struct {
		name string
		mut  func(*StatefulSet)
		want []string
	}{
		{"nothing", func(*StatefulSet) {}, nil},
		{"replicas are the caller's", func(s *StatefulSet) { n := 5; s.Replicas = &n }, nil},
		{"partition", func(s *StatefulSet) { s.UpdateStrategy.Partition = 2 }, []string{"partition 3 → 2"}},
		{"ordinals.start and minReadySeconds", func(s *StatefulSet) { s.Ordinals.Start = 4; s.MinReadySeconds = 5 },
			[]string{"ordinals.start 2 → 4", "minReadySeconds 0 → 5"}},
		{"policies", func(s *StatefulSet) {
			s.PodManagementPolicy, s.UpdateStrategy.Type = Parallel, OnDelete
			s.PersistentVolumeClaimRetentionPolicy.WhenScaled = Delete
			s.UpdateStrategy.MaxUnavailable = "2"
		}, []string{"podManagementPolicy OrderedReady → Parallel", "updateStrategy.type RollingUpdate → OnDelete",
			"maxUnavailable (none) → 2", "persistentVolumeClaimRetentionPolicy.whenScaled (none) → Delete"}},
		{"template", func(s *StatefulSet) { s.Image = "app:2" },
			[]string{"template " + Revision(base()) + " → " + Revision(&StatefulSet{Name: "web", Image: "app:2"})}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := base()
			c.mut(s)
			if got := Changes(base(), s); !slices.Equal(got, c.want) {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
		})
	}
}
