package api

import "fmt"

// Rollout is what a rollout's progress is measured against: the desired state's generation
// and the spec fields kubectl's status viewer reads.
type Rollout struct {
	Generation     int64  `json:"generation"`
	UpdateStrategy string `json:"updateStrategy"`
	Partition      int    `json:"partition"`
	MaxUnavailable string `json:"maxUnavailable,omitempty"`
	Paused         bool   `json:"paused,omitempty"`
}

// SetStatus is Kubernetes' StatefulSetStatus, with its field names and meanings.
type SetStatus struct {
	// ObservedGeneration is the generation the controller last planned from.
	ObservedGeneration int64 `json:"observedGeneration"`
	// Replicas counts the pods that exist; ReadyReplicas the Ready ones; AvailableReplicas
	// those Ready for at least minReadySeconds.
	Replicas          int `json:"replicas"`
	ReadyReplicas     int `json:"readyReplicas"`
	AvailableReplicas int `json:"availableReplicas"`
	// CurrentReplicas counts the pods at CurrentRevision, UpdatedReplicas those at UpdateRevision.
	CurrentReplicas int    `json:"currentReplicas"`
	UpdatedReplicas int    `json:"updatedReplicas"`
	CurrentRevision string `json:"currentRevision"`
	UpdateRevision  string `json:"updateRevision"`
}

// RolloutStatus is kubectl's status viewer for a StatefulSet: a line saying where the
// rollout is, and whether it is complete. With RollingUpdate it is complete once every
// desired pod is Ready, scale-down is done and updatedReplicas >= replicas - partition (a
// paused set counts as partitioned at its replicas); with OnDelete once every pod is Ready.
func (s StatefulSet) RolloutStatus() (string, bool) {
	switch {
	case s.Generation > s.Status.ObservedGeneration:
		return "waiting for the statefulset spec update to be observed", false
	case s.Ready < s.Desired || s.Current < s.Desired || len(s.Pods) < s.Desired:
		return fmt.Sprintf("waiting for %d pods to be ready", s.Desired-min(s.Ready, len(s.Pods))), false
	case len(s.Pods) > s.Desired:
		return fmt.Sprintf("waiting for %d pods to be removed", len(s.Pods)-s.Desired), false
	case s.UpdateStrategy == "OnDelete":
		return fmt.Sprintf("%d pods ready (OnDelete: a pod takes the new revision when it is deleted)", s.Ready), true
	}
	partition := s.Partition
	if s.Paused {
		partition = s.Desired
	}
	want := max(s.Desired-partition, 0)
	switch {
	case s.Updated < want:
		return fmt.Sprintf("waiting for partitioned roll out to finish: %d out of %d new pods have been updated",
			s.Updated, want), false
	case s.Paused && s.Updated < s.Desired:
		return fmt.Sprintf("rollout paused: %d pods ready, %d of %d updated", s.Ready, s.Updated, s.Desired), true
	case partition > 0:
		return fmt.Sprintf("partitioned roll out complete: %d new pods have been updated", s.Updated), true
	}
	return fmt.Sprintf("roll out complete: %d pods at revision %s", s.Updated, s.Revision), true
}

// Converged reports whether the set's rollout is complete (RolloutStatus): what up, scale,
// restart and rollout status wait for.
func (s StatefulSet) Converged() bool {
	_, done := s.RolloutStatus()
	return done
}
