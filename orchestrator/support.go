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
		for _, t := range s.VolumeClaimTemplates {
			if p := claimDirProblem(s, t.Name); p != "" {
				out = append(out, "securityContext.fsGroup ("+p+")")
			}
		}
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

// claimDirProblem says why ordset cannot reach the files of the named claim template's
// volumes for subPath or fsGroup ("" when it can: the local driver without options keeps
// them in a plain directory of the engine's host).
func claimDirProblem(s *compose.StatefulSet, claim string) string {
	for _, t := range s.VolumeClaimTemplates {
		if t.Name != claim {
			continue
		}
		switch {
		case t.Driver != "" && t.Driver != "local":
			return fmt.Sprintf("claim %s uses driver %s; ordset reaches only local volumes' files", claim, t.Driver)
		case len(t.DriverOpts) > 0:
			return fmt.Sprintf("claim %s has driver options; ordset reaches only plain local volumes' files", claim)
		}
	}
	return ""
}

// subPathProblem says why a subPath of the named volume cannot be mounted ("" when it can):
// host paths and configMap/secret files are directories ordset binds into, a claim's files a
// directory ordset reaches on a plain local volume; an emptyDir is made with its container,
// too late to bind a part of it.
func subPathProblem(s *compose.StatefulSet, volume string) string {
	for _, v := range s.Template.Spec.Volumes {
		if v.Name == volume {
			if v.EmptyDir != nil {
				return "Docker 20.10 cannot mount part of an emptyDir"
			}
			return ""
		}
	}
	return claimDirProblem(s, volume)
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
		if p := subPathProblem(s, m.Name); (m.SubPath != "" || m.SubPathExpr != "") && p != "" {
			out = append(out, fmt.Sprintf("container %s: subPath of mount %s (%s)", c.Name, m.MountPath, p))
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
