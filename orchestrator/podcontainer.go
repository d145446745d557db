package orchestrator

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ordset/ordset/compose"
)

// container fills what every container of a pod takes from its template entry:
// env (with valueFrom and $(VAR)), command and args, user, mounts, security
// settings and /etc/hosts lines. Pure, like the rest of PodTemplate.
func (t PodTemplate) container(spec *ContainerSpec, c *compose.Container, ordinal int) error {
	pod := PodName(t.Set.Name, ordinal)
	env, vals, err := t.podEnv(c, ordinal)
	if err != nil {
		return fmt.Errorf("pod %s: container %s: %w", pod, c.Name, err)
	}
	spec.Env = env
	spec.Entrypoint, spec.Cmd = expandAll(c.Command, vals), expandAll(c.Args, vals)
	spec.WorkingDir = c.WorkingDir
	spec.Mounts = t.mounts(ordinal, c.VolumeMounts)
	t.security(spec, c)
	for _, a := range t.Set.Template.Spec.HostAliases {
		for _, h := range a.Hostnames {
			spec.ExtraHosts = append(spec.ExtraHosts, h+":"+a.IP)
		}
	}
	return nil
}

// security maps the pod's and the container's securityContext onto Docker's
// settings; the container's fields win over the pod's, as in Kubernetes.
func (t PodTemplate) security(spec *ContainerSpec, c *compose.Container) {
	pod := t.Set.Template.Spec.SecurityContext
	if pod == nil {
		pod = &compose.PodSecurityContext{}
	}
	sc := c.SecurityContext
	if sc == nil {
		sc = &compose.SecurityContext{}
	}
	spec.User = c.User
	uid, gid := firstInt(sc.RunAsUser, pod.RunAsUser), firstInt(sc.RunAsGroup, pod.RunAsGroup)
	if uid != nil {
		spec.User = strconv.FormatInt(*uid, 10)
		if gid != nil {
			spec.User += ":" + strconv.FormatInt(*gid, 10)
		}
	}
	for _, g := range pod.SupplementalGroups {
		spec.GroupAdd = append(spec.GroupAdd, strconv.FormatInt(g, 10))
	}
	if len(pod.Sysctls) > 0 {
		spec.Sysctls = make(map[string]string, len(pod.Sysctls))
		for _, s := range pod.Sysctls {
			spec.Sysctls[s.Name] = s.Value
		}
	}
	if caps := sc.Capabilities; caps != nil {
		spec.CapAdd, spec.CapDrop = caps.Add, caps.Drop
	}
	spec.Privileged = isTrue(sc.Privileged)
	spec.ReadonlyRootfs = isTrue(sc.ReadOnlyRootFilesystem)
	spec.NoNewPrivileges = sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation
}

func firstInt(a, b *int64) *int64 {
	if a != nil {
		return a
	}
	return b
}

func isTrue(b *bool) bool { return b != nil && *b }

// podEnv puts the identity variables first, then the container's, dropping an identity
// variable the container sets: its env wins on a clash. valueFrom resolves here; $(VAR) in a
// value expands to a variable defined before it, as in Kubernetes. It returns the KEY=value
// list and the final values, for expanding command and args.
func (t PodTemplate) podEnv(c *compose.Container, ordinal int) ([]string, map[string]string, error) {
	userSet := map[string]bool{}
	for _, e := range c.Env {
		userSet[e.Name] = true
	}
	var env []string
	vals := map[string]string{}
	for _, kv := range [][2]string{{"POD_NAME", PodName(t.Set.Name, ordinal)}, {"POD_NAMESPACE", t.Namespace},
		{"POD_ORDINAL", strconv.Itoa(ordinal)}} {
		vals[kv[0]] = kv[1]
		if !userSet[kv[0]] {
			env = append(env, kv[0]+"="+kv[1])
		}
	}
	for _, e := range c.Env {
		v, _ := compose.Expand(e.Value, lookupIn(vals))
		if e.ValueFrom != nil {
			var err error
			if v, err = t.envSource(e.ValueFrom, c, ordinal); err != nil {
				return nil, nil, fmt.Errorf("env %s: %w", e.Name, err)
			}
		}
		vals[e.Name] = v
		env = append(env, e.Name+"="+v)
	}
	return env, vals, nil
}

// envSource resolves the valueFrom references this runtime knows; Unsupported keeps the others out.
func (t PodTemplate) envSource(src *compose.EnvVarSource, c *compose.Container, ordinal int) (string, error) {
	if f := src.FieldRef; f != nil {
		switch f.FieldPath {
		case compose.FieldPodName:
			return PodName(t.Set.Name, ordinal), nil
		case compose.FieldPodNamespace:
			return t.Namespace, nil
		case compose.FieldPodIndex:
			return strconv.Itoa(ordinal), nil
		}
		return "", fmt.Errorf("fieldRef %s is not resolved by this version", f.FieldPath)
	}
	if r := src.ResourceFieldRef; r != nil {
		return resourceValue(t.Set, c, r)
	}
	return "", fmt.Errorf("configMapKeyRef and secretKeyRef are not resolved by this version")
}

// resourceValue is a container's limit or request divided by the divisor, rounded up, as the
// kubelet exposes it. A resource with no value has no node allocatable to fall back to here.
func resourceValue(s *compose.StatefulSet, c *compose.Container, r *compose.ResourceFieldSelector) (string, error) {
	target := c
	if r.ContainerName != "" {
		if target = findContainer(s, r.ContainerName); target == nil {
			return "", fmt.Errorf("resourceFieldRef: no container %s", r.ContainerName)
		}
	}
	kind, name, _ := strings.Cut(r.Resource, ".")
	list := target.Resources.Limits
	if kind == "requests" {
		list = target.Resources.Requests
	}
	q := list[name]
	if q == "" {
		return "", fmt.Errorf("resourceFieldRef %s: container %s sets no %s", r.Resource, target.Name, r.Resource)
	}
	parse := compose.ParseMemory
	divisor := orDefault(r.Divisor, "1")
	if name == "cpu" {
		parse = compose.ParseCPU
	}
	v, err := parse(q)
	if err != nil {
		return "", err
	}
	d, err := parse(divisor)
	if err != nil || d <= 0 {
		return "", fmt.Errorf("resourceFieldRef divisor %q: invalid", divisor)
	}
	return strconv.FormatInt((v+d-1)/d, 10), nil
}

func findContainer(s *compose.StatefulSet, name string) *compose.Container {
	for _, cs := range [][]compose.Container{s.Template.Spec.InitContainers, s.Template.Spec.Containers} {
		for i := range cs {
			if cs[i].Name == name {
				return &cs[i]
			}
		}
	}
	return nil
}
