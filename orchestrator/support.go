package orchestrator

import (
	"fmt"

	"github.com/ordset/ordset/compose"
)

// Unsupported lists the parts of a set's pod template this controller cannot
// run yet, one phrase each naming where. The spec holds all of Kubernetes'
// pod model, and the daemon refuses a set that uses more than the runtime
// does rather than run a pod that silently lacks a container, a volume or a
// hook. It is pure, so the list is a table test.
func Unsupported(s *compose.StatefulSet) []string {
	var out []string
	spec := &s.Template.Spec
	if sc := spec.SecurityContext; sc != nil && sc.FSGroup != nil {
		out = append(out, "securityContext.fsGroup")
	}
	for _, ic := range spec.InitContainers {
		out = append(out, containerGaps(s, &ic)...)
	}
	for _, c := range spec.Containers {
		out = append(out, containerGaps(s, &c)...)
	}
	return out
}

// subPathRuns reports whether a subPath of the named volume can be bound: host paths and the
// files of configMap and secret volumes are directories ordset can point into.
func subPathRuns(s *compose.StatefulSet, volume string) bool {
	for _, v := range s.Template.Spec.Volumes {
		if v.Name == volume {
			return v.HostPath != nil || v.ConfigMap != nil || v.Secret != nil
		}
	}
	return false // a claim template
}

func containerGaps(s *compose.StatefulSet, c *compose.Container) []string {
	var out []string
	out = append(out, envGaps(s, c)...)
	for _, m := range c.VolumeMounts {
		if m.SubPath != "" && !subPathRuns(s, m.Name) {
			out = append(out, fmt.Sprintf("container %s: subPath of mount %s (Docker 20.10 cannot mount part of a volume)", c.Name, m.MountPath))
		}
	}
	if l := c.Lifecycle; l != nil {
		if l.PostStart != nil && l.PostStart.HTTPGet != nil {
			out = append(out, fmt.Sprintf("container %s: postStart httpGet hook", c.Name))
		}
		if l.PreStop != nil && l.PreStop.HTTPGet != nil {
			out = append(out, fmt.Sprintf("container %s: preStop httpGet hook", c.Name))
		}
	}
	pod := s.Template.Spec.SecurityContext
	if pod == nil {
		pod = &compose.PodSecurityContext{}
	}
	sc := c.SecurityContext
	if sc == nil {
		sc = &compose.SecurityContext{}
	}
	uid := firstInt(sc.RunAsUser, pod.RunAsUser)
	if uid == nil && firstInt(sc.RunAsGroup, pod.RunAsGroup) != nil {
		out = append(out, fmt.Sprintf("container %s: runAsGroup without runAsUser", c.Name))
	}
	return out
}

// envGaps lists the env fieldRefs and resourceFieldRefs of c this runtime cannot resolve.
func envGaps(s *compose.StatefulSet, c *compose.Container) []string {
	var out []string
	for _, e := range c.Env {
		if vf := e.ValueFrom; vf == nil || (vf.FieldRef == nil && vf.ResourceFieldRef == nil) ||
			vf.FieldRef != nil && vf.FieldRef.FieldPath == compose.FieldPodIP {
			continue // literal, a ConfigMap/Secret key resolved at start, or the infra container's IP
		}
		if _, _, err := (PodTemplate{Set: s}).envSource(e.ValueFrom, c, 0); err != nil {
			out = append(out, fmt.Sprintf("container %s: env %s (%v)", c.Name, e.Name, err))
		}
	}
	return out
}
