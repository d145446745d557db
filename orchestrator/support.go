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
	if n := len(spec.Containers); n > 1 {
		out = append(out, fmt.Sprintf("%d containers (only one runs per pod so far)", n))
	}
	users := map[string]int{} // volume name -> containers mounting it
	for _, cs := range [][]compose.Container{spec.InitContainers, spec.Containers} {
		for _, c := range cs {
			seen := map[string]bool{}
			for _, m := range c.VolumeMounts {
				if !seen[m.Name] {
					seen[m.Name] = true
					users[m.Name]++
				}
			}
		}
	}
	for _, v := range spec.Volumes {
		switch {
		case v.EmptyDir != nil && users[v.Name] > 1:
			out = append(out, fmt.Sprintf("volume %s (an emptyDir shared by %d containers)", v.Name, users[v.Name]))
		}
	}
	if sc := spec.SecurityContext; sc != nil && sc.FSGroup != nil {
		out = append(out, "securityContext.fsGroup")
	}
	if p := spec.ShareProcessNamespace; p != nil && *p && len(spec.Containers) > 1 {
		out = append(out, "shareProcessNamespace")
	}
	for _, ic := range spec.InitContainers {
		if ic.Sidecar() {
			out = append(out, "sidecar init container "+ic.Name)
		}
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
	for _, e := range c.Env {
		if vf := e.ValueFrom; vf == nil || (vf.FieldRef == nil && vf.ResourceFieldRef == nil) {
			continue // literal, or a ConfigMap/Secret key resolved at start
		}
		if _, _, err := (PodTemplate{Set: s}).envSource(e.ValueFrom, c, 0); err != nil {
			out = append(out, fmt.Sprintf("container %s: env %s (%v)", c.Name, e.Name, err))
		}
	}
	for _, m := range c.VolumeMounts {
		if m.SubPath != "" && !subPathRuns(s, m.Name) {
			out = append(out, fmt.Sprintf("container %s: subPath of mount %s (Docker 20.10 cannot mount part of a volume)", c.Name, m.MountPath))
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
