package orchestrator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// Impostor is a container that carries ordset's labels for a pod of a set this controller
// holds but whose identity does not match that pod: anyone can copy labels, so labels alone
// prove nothing. It is reported and never adopted, probed, stopped or removed.
type Impostor struct {
	Key     SetKey
	Ordinal int
	Name    string
	// HoldsName is true when it sits under a name ordset would create (the pod's or an init
	// container's): the pod cannot be created while it is there.
	HoldsName bool
	Reason    string
}

// Message is the conflict as status and events show it.
func (i Impostor) Message() string {
	return fmt.Sprintf("container %s carries the labels of %s but is not that pod (%s): left alone",
		i.Name, identity.PodName(i.Key.Name, i.Ordinal), i.Reason)
}

// screen splits labelled containers into the ones whose full identity matches the pod their
// labels name (see mismatch) and impostors. Containers of sets the controller does not hold
// are kept as they are: nothing is decided about them. It is pure.
func screen(cs []Container, sets map[SetKey]SetInput) (kept []Container, impostors []Impostor) {
	kept = make([]Container, 0, len(cs))
	for _, c := range cs {
		k := SetKey{c.Labels[identity.LabelNamespace], c.Labels[identity.LabelSet]}
		in, held := sets[k]
		ord, ok := identity.OrdinalOf(c.Labels)
		if !held || !ok {
			kept = append(kept, c)
			continue
		}
		canonical := canonicalName(k, ord, c)
		reason := mismatch(in.Desired, ord, c, canonical)
		if reason == "" {
			kept = append(kept, c)
			continue
		}
		impostors = append(impostors, Impostor{Key: k, Ordinal: ord, Name: c.Name, Reason: reason,
			HoldsName: c.Name == canonical || c.Name == identity.ContainerName(k.Namespace, k.Name, ord)})
	}
	return kept, impostors
}

// canonicalName is the name ordset gives the container its labels describe.
func canonicalName(k SetKey, ord int, c Container) string {
	switch c.Labels[identity.LabelRole] {
	case identity.RoleInit:
		return identity.InitContainerName(k.Namespace, k.Name, ord, c.Labels[identity.LabelInit])
	case identity.RoleContainer:
		return identity.AppContainerName(k.Namespace, k.Name, ord, c.Labels[identity.LabelContainer])
	}
	return identity.ContainerName(k.Namespace, k.Name, ord)
}

// mismatch says why c is not the container its labels name, "" when it is: its name is the
// canonical one (or the name a failed one is retired to, or kept as the previous one under), it was created on the namespace's
// network (a network removed by hand later does not change that), and it mounts every claim
// volume of its ordinal that the template of its revision mounts. The mounts are not checked
// for a revision the controller no longer knows.
func mismatch(d Desired, ord int, c Container, canonical string) string {
	var why []string
	if c.Name != canonical && c.Name != identity.RetiredName(canonical, c.ID) && c.Name != identity.PreviousName(canonical, c.ID) {
		why = append(why, "name is not "+canonical)
	}
	// A container of a multi-container pod joins its infrastructure container's namespace;
	// the planner keeps only the ones joined to the pod's own (see belongs).
	joined := strings.HasPrefix(c.NetworkMode, "container:") && c.Labels[identity.LabelRole] != identity.RolePod
	if net := identity.NetworkName(d.Namespace); c.NetworkMode != net && !joined {
		why = append(why, fmt.Sprintf("network %q, not %s", c.NetworkMode, net))
	}
	for _, v := range claimVolumes(d, ord, c) {
		if !slices.Contains(c.VolumeNames, v) {
			why = append(why, "volume "+v+" not mounted")
		}
	}
	return strings.Join(why, "; ")
}

// claimVolumes are the claim volumes the template of c's revision mounts into c.
func claimVolumes(d Desired, ord int, c Container) []string {
	var s *compose.StatefulSet
	switch rev := c.Labels[identity.LabelRevision]; {
	case rev == d.Revision:
		s = d.Set
	case rev == d.CurrentRevision && d.Current != nil:
		s = d.Current
	default:
		return nil
	}
	var ms []compose.VolumeMount
	switch c.Labels[identity.LabelRole] {
	case identity.RolePod:
		if !identity.IsInfra(c.Labels) { // the infrastructure container mounts nothing
			ms = s.Main().VolumeMounts
		}
	case identity.RoleInit, identity.RoleContainer:
		if tc := findContainer(s, c.Labels[identity.LabelInit]+c.Labels[identity.LabelContainer]); tc != nil {
			ms = tc.VolumeMounts
		}
	}
	tpl := PodTemplate{Namespace: d.Namespace, Set: s}
	var out []string
	for _, m := range ms {
		// Only claims: a pod volume (emptyDir, configMap, ...) is not the ordinal's identity,
		// and a pod made before emptyDirs were named volumes has an anonymous one.
		if tpl.volume(m.Name) != nil || tpl.hostPath(m) != "" {
			continue
		}
		out = append(out, identity.VolumeName(d.Namespace, m.Name, s.Name, ord))
	}
	return out
}
