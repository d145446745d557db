package main

import (
	"testing"

	"github.com/ordset/ordset/orchestrator"
)

// A pod counts as healed once Ready again after its kill, whichever way ordset healed it.
func TestHealedAfter(t *testing.T) {
	old := orchestrator.PodStatus{ContainerID: "c1", Ready: true, Restarts: 2}
	for _, tc := range []struct {
		name string
		now  orchestrator.PodStatus
		want bool
	}{
		{"still the old status, before the pass that saw the kill", old, false},
		{"restarted in place, not Ready yet", orchestrator.PodStatus{ContainerID: "c1", Restarts: 3}, false},
		{"restarted in place and Ready", orchestrator.PodStatus{ContainerID: "c1", Ready: true, Restarts: 3}, true},
		{"replaced and Ready", orchestrator.PodStatus{ContainerID: "c2", Ready: true, Restarts: 3}, true},
		{"replaced, not Ready yet", orchestrator.PodStatus{ContainerID: "c2", Restarts: 3}, false},
	} {
		if got := healedAfter(old, tc.now); got != tc.want {
			t.Errorf("%s: healed %t, want %t", tc.name, got, tc.want)
		}
	}
}
