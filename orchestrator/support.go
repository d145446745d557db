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
		for _, t := range s.VolumeClaimTemplates {
			if p := claimDirProblem(s, t.Name); p != "" {
				out = append(out, "securityContext.fsGroup ("+p+")")
			}
		}
	}
	for _, ic := range spec.InitContainers {
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
	out = append(out, envGaps(s, c)...)
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
