package orchestrator

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// container fills what every container of a pod takes from its template entry:
// env (with valueFrom and $(VAR)), command and args, user, mounts, security
// settings and /etc/hosts lines. Pure, like the rest of PodTemplate.
func (t PodTemplate) container(spec *ContainerSpec, c *compose.Container, ordinal int) error {
	pod := identity.PodName(t.Set.Name, ordinal)
	env, vals, err := t.podEnv(c, ordinal)
	if err != nil {
		return fmt.Errorf("pod %s: container %s: %w", pod, c.Name, err)
	}
	spec.Env = env
	spec.Entrypoint, spec.Cmd = expandAll(c.Command, vals), expandAll(c.Args, vals)
	spec.WorkingDir = c.WorkingDir
	ms, err := expandSubPaths(c.VolumeMounts, vals)
	if err != nil {
		return fmt.Errorf("pod %s: container %s: %w", pod, c.Name, err)
	}
	spec.Mounts = t.mounts(ordinal, ms)
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
	if pod.FSGroup != nil { // the kubelet adds fsGroup to every container's groups
		spec.GroupAdd = append(spec.GroupAdd, strconv.FormatInt(*pod.FSGroup, 10))
	}
	for _, g := range pod.SupplementalGroups {
		if pod.FSGroup == nil || g != *pod.FSGroup {
			spec.GroupAdd = append(spec.GroupAdd, strconv.FormatInt(g, 10))
		}
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
	spec.RunAsNonRoot = isTrue(sc.RunAsNonRoot) || (sc.RunAsNonRoot == nil && isTrue(pod.RunAsNonRoot))
	spec.Privileged = isTrue(sc.Privileged)
	spec.ReadonlyRootfs = isTrue(sc.ReadOnlyRootFilesystem)
	spec.NoNewPrivileges = sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation
}

// expandSubPaths turns each subPathExpr into the subPath it names for this container: $(VAR)
// from its env, as the kubelet expands it at start. A result that would leave the volume
// (absolute, or with a ".." step) is an error, and the container is not created.
func expandSubPaths(ms []compose.VolumeMount, vals map[string]string) ([]compose.VolumeMount, error) {
	out := slices.Clone(ms)
	for i, m := range out {
		if m.SubPathExpr == "" {
			continue
		}
		sub, _ := compose.Expand(m.SubPathExpr, lookupIn(vals))
		if sub == "" || path.IsAbs(sub) || slices.Contains(strings.Split(sub, "/"), "..") {
			return nil, fmt.Errorf("mount %s: subPathExpr %q expands to %q, which is not a path inside the volume", m.MountPath, m.SubPathExpr, sub)
		}
		out[i].SubPath, out[i].SubPathExpr = sub, ""
	}
	return out, nil
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
	for _, kv := range [][2]string{{"POD_NAME", identity.PodName(t.Set.Name, ordinal)}, {"POD_NAMESPACE", t.Namespace},
		{"POD_ORDINAL", strconv.Itoa(ordinal)}} {
		vals[kv[0]] = kv[1]
		if !userSet[kv[0]] {
			env = append(env, kv[0]+"="+kv[1])
		}
	}
	from, err := t.envFrom(c)
	if err != nil {
		return nil, nil, err
	}
	for _, kv := range from { // envFrom first; env entries of the same name win
		if !userSet[kv[0]] {
			vals[kv[0]] = kv[1]
			env = append(env, kv[0]+"="+kv[1])
		}
	}
	for _, e := range c.Env {
		v, _ := compose.Expand(e.Value, lookupIn(vals))
		if e.ValueFrom != nil {
			var ok bool
			if v, ok, err = t.envSource(e.ValueFrom, c, ordinal); err != nil {
				return nil, nil, fmt.Errorf("env %s: %w", e.Name, err)
			} else if !ok {
				continue // an optional reference to nothing sets nothing, as in Kubernetes
			}
		}
		vals[e.Name] = v
		env = append(env, e.Name+"="+v)
	}
	return env, vals, nil
}

// envFrom returns the variables of the container's envFrom sources in order (keys sorted
// within one source); keys that are not valid variable names are skipped, as the kubelet does.
func (t PodTemplate) envFrom(c *compose.Container) ([][2]string, error) {
	var out [][2]string
	for _, ef := range c.EnvFrom {
		kind, ref := "configMap", ef.ConfigMapRef
		if ref == nil {
			kind, ref = "secret", ef.SecretRef
		}
		if ref == nil {
			continue
		}
		keys, ok, err := t.Objects.Keys(kind, ref.Name)
		if err != nil {
			return nil, err
		}
		if !ok {
			if isTrue(ref.Optional) {
				continue
			}
			return nil, fmt.Errorf("envFrom: no %s named %s", kind, ref.Name)
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if envNameRE().MatchString(ef.Prefix + k) {
				out = append(out, [2]string{ef.Prefix + k, string(keys[k])})
			}
		}
	}
	return out, nil
}

var envNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`) })

// envSource resolves a valueFrom reference; ok is false for an optional reference to a
// missing object or key. Unsupported keeps out the fieldRefs this runtime cannot know.
func (t PodTemplate) envSource(src *compose.EnvVarSource, c *compose.Container, ordinal int) (string, bool, error) {
	if f := src.FieldRef; f != nil {
		switch f.FieldPath {
		case compose.FieldPodName:
			return identity.PodName(t.Set.Name, ordinal), true, nil
		case compose.FieldPodNamespace:
			return t.Namespace, true, nil
		case compose.FieldPodIndex:
			return strconv.Itoa(ordinal), true, nil
		case compose.FieldPodIP:
			if t.PodIP != "" { // the infrastructure container's address (NeedsInfra)
				return t.PodIP, true, nil
			}
		}
		return "", false, fmt.Errorf("fieldRef %s is not resolved by this version", f.FieldPath)
	}
	if r := src.ResourceFieldRef; r != nil {
		v, err := resourceValue(t.Set, c, r)
		return v, err == nil, err
	}
	kind, ref := "configMap", src.ConfigMapKeyRef
	if ref == nil {
		kind, ref = "secret", src.SecretKeyRef
	}
	if ref == nil {
		return "", false, fmt.Errorf("valueFrom has no source")
	}
	keys, ok, err := t.Objects.Keys(kind, ref.Name)
	if err != nil {
		return "", false, err
	}
	v, has := keys[ref.Key]
	switch {
	case has:
		return string(v), true, nil
	case isTrue(ref.Optional):
		return "", false, nil
	case !ok:
		return "", false, fmt.Errorf("no %s named %s", kind, ref.Name)
	}
	return "", false, fmt.Errorf("%s %s has no key %s", kind, ref.Name, ref.Key)
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

// rootUserProblem explains why a container running as user (Docker's "user[:group]") may be
// root, for runAsNonRoot; "" when it is provably not. As the kubelet, it refuses a user name it
// cannot resolve to a number.
func rootUserProblem(user string) string {
	name, _, _ := strings.Cut(user, ":")
	switch {
	case name == "" || name == "root":
		return "runs as root"
	case strings.Trim(name, "0123456789") != "":
		return fmt.Sprintf("runs as user %q, which is not numeric: cannot verify it is not root", name)
	case strings.TrimLeft(name, "0") == "":
		return "runs as uid 0 (root)"
	}
	return ""
}
