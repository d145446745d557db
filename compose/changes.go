package compose

import (
	"fmt"
	"strconv"
	"strings"
)

// Changes lists, for people, what differs between two specs of one set: each set-level
// field as "partition 3 → 2", and a template change as "template <old> → <new>" (the
// revisions). Replicas are left out: the live count is the caller's to compare.
func Changes(old, cur *StatefulSet) []string {
	if old == nil || cur == nil {
		return nil
	}
	var out []string
	add := func(field, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s %s → %s", field, orNone(a), orNone(b)))
		}
	}
	itoa := strconv.Itoa
	add("podManagementPolicy", old.PodManagementPolicy, cur.PodManagementPolicy)
	add("updateStrategy.type", old.UpdateStrategy.Type, cur.UpdateStrategy.Type)
	add("partition", itoa(old.UpdateStrategy.Partition), itoa(cur.UpdateStrategy.Partition))
	add("maxUnavailable", string(old.UpdateStrategy.MaxUnavailable), string(cur.UpdateStrategy.MaxUnavailable))
	add("ordinals.start", itoa(old.Ordinals.Start), itoa(cur.Ordinals.Start))
	add("minReadySeconds", itoa(old.MinReadySeconds), itoa(cur.MinReadySeconds))
	add("persistentVolumeClaimRetentionPolicy.whenScaled", old.PersistentVolumeClaimRetentionPolicy.WhenScaled,
		cur.PersistentVolumeClaimRetentionPolicy.WhenScaled)
	add("persistentVolumeClaimRetentionPolicy.whenDeleted", old.PersistentVolumeClaimRetentionPolicy.WhenDeleted,
		cur.PersistentVolumeClaimRetentionPolicy.WhenDeleted)
	add("publishNotReadyAddresses", strconv.FormatBool(old.PublishNotReadyAddresses), strconv.FormatBool(cur.PublishNotReadyAddresses))
	add("dependsOn", strings.Join(old.DependsOn, ","), strings.Join(cur.DependsOn, ","))
	add("revisionHistoryLimit", intPtr(old.RevisionHistoryLimit), intPtr(cur.RevisionHistoryLimit))
	add("template", Revision(old), Revision(cur))
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func intPtr(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

// WithTemplate returns set with the pod template (everything the revision hashes) of tmpl:
// what a rollback applies. Set-level fields (replicas, policies, partition) stay set's.
func WithTemplate(set, tmpl *StatefulSet) *StatefulSet {
	out := *tmpl
	out.Name, out.Replicas, out.PodManagementPolicy = set.Name, set.Replicas, set.PodManagementPolicy
	out.UpdateStrategy, out.MinReadySeconds, out.Ordinals = set.UpdateStrategy, set.MinReadySeconds, set.Ordinals
	out.PublishNotReadyAddresses, out.DependsOn = set.PublishNotReadyAddresses, set.DependsOn
	out.PersistentVolumeClaimRetentionPolicy = set.PersistentVolumeClaimRetentionPolicy
	out.RevisionHistoryLimit = set.RevisionHistoryLimit
	return &out
}
