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
	for _, v := range spec.Volumes {
		if v.HostPath == nil {
			out = append(out, fmt.Sprintf("volume %s (%s)", v.Name, volumeKind(v)))
		}
	}
	if sc := spec.SecurityContext; sc != nil {
		out = append(out, "securityContext")
	}
	if len(spec.HostAliases) > 0 {
		out = append(out, "hostAliases")
	}
	if p := spec.ShareProcessNamespace; p != nil && *p && len(spec.Containers) > 1 {
		out = append(out, "shareProcessNamespace")
	}
	for _, ic := range spec.InitContainers {
		if ic.Sidecar() {
			out = append(out, "sidecar init container "+ic.Name)
		}
		out = append(out, containerGaps(&ic)...)
	}
	for _, c := range spec.Containers {
		out = append(out, containerGaps(&c)...)
	}
	return out
}

func containerGaps(c *compose.Container) []string {
	var out []string
	for _, e := range c.Env {
		if e.ValueFrom != nil {
			out = append(out, fmt.Sprintf("container %s: env %s valueFrom", c.Name, e.Name))
		}
	}
	if len(c.EnvFrom) > 0 {
		out = append(out, fmt.Sprintf("container %s: envFrom", c.Name))
	}
	for _, m := range c.VolumeMounts {
		if m.SubPath != "" {
			out = append(out, fmt.Sprintf("container %s: subPath of mount %s", c.Name, m.MountPath))
		}
	}
	if c.Lifecycle != nil {
		out = append(out, fmt.Sprintf("container %s: lifecycle hooks", c.Name))
	}
	if c.SecurityContext != nil {
		out = append(out, fmt.Sprintf("container %s: securityContext", c.Name))
	}
	return out
}

func volumeKind(v compose.Volume) string {
	switch {
	case v.EmptyDir != nil:
		return "emptyDir"
	case v.ConfigMap != nil:
		return "configMap"
	case v.Secret != nil:
		return "secret"
	}
	return "unknown source"
}
