package compose

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// resourceFields are what a resourceFieldRef may expose.
var resourceFields = []string{"limits.cpu", "limits.memory", "requests.cpu", "requests.memory"}

// envSources checks valueFrom and envFrom references.
func (c *checker) envSources(p *Project, s *StatefulSet, ct *Container, path string) {
	for i, e := range ct.Env {
		ep := fmt.Sprintf("%s.env[%d]", path, i)
		vf := e.ValueFrom
		if vf == nil {
			continue
		}
		if e.Value != "" {
			c.add(ep+".value", "value and valueFrom are mutually exclusive")
		}
		var refs []string
		if f := vf.FieldRef; f != nil {
			refs = append(refs, "fieldRef")
			if !slices.Contains(FieldPaths, f.FieldPath) {
				c.add(ep+".valueFrom.fieldRef.fieldPath", "unsupported fieldPath %q (one of %s)", f.FieldPath, strings.Join(FieldPaths, ", "))
			}
		}
		if r := vf.ResourceFieldRef; r != nil {
			refs = append(refs, "resourceFieldRef")
			c.word(ep+".valueFrom.resourceFieldRef.resource", r.Resource, resourceFields...)
			if r.ContainerName != "" && findContainer(s, r.ContainerName) == nil {
				c.add(ep+".valueFrom.resourceFieldRef.containerName", "no container named %q in this pod", r.ContainerName)
			}
			if r.Divisor != "" {
				if _, err := ParseMemory(r.Divisor); err != nil {
					if _, err2 := ParseCPU(r.Divisor); err2 != nil {
						c.add(ep+".valueFrom.resourceFieldRef.divisor", "%v", err)
					}
				}
			}
		}
		if r := vf.ConfigMapKeyRef; r != nil {
			refs = append(refs, "configMapKeyRef")
			keys, ok := configMapKeys(p, r.Name)
			c.keyRef(r, keys, ok, "configMap", ep+".valueFrom.configMapKeyRef")
		}
		if r := vf.SecretKeyRef; r != nil {
			refs = append(refs, "secretKeyRef")
			keys, ok := secretKeys(p, r.Name)
			c.keyRef(r, keys, ok, "secret", ep+".valueFrom.secretKeyRef")
		}
		if len(refs) != 1 {
			c.add(ep+".valueFrom", "must have exactly one source (fieldRef, resourceFieldRef, configMapKeyRef or secretKeyRef), found %d%s", len(refs), listed(refs))
		}
	}
	for i, ef := range ct.EnvFrom {
		fp := fmt.Sprintf("%s.envFrom[%d]", path, i)
		if ef.Prefix != "" && !envNameRE().MatchString(ef.Prefix) {
			c.add(fp+".prefix", "invalid env name prefix %q", ef.Prefix)
		}
		switch {
		case (ef.ConfigMapRef == nil) == (ef.SecretRef == nil):
			c.add(fp, "must have exactly one of configMapRef and secretRef")
		case ef.ConfigMapRef != nil:
			_, ok := configMapKeys(p, ef.ConfigMapRef.Name)
			c.objectRef(fp+".configMapRef.name", "configMap", ef.ConfigMapRef.Name, ok, ef.ConfigMapRef.Optional)
		default:
			_, ok := secretKeys(p, ef.SecretRef.Name)
			c.objectRef(fp+".secretRef.name", "secret", ef.SecretRef.Name, ok, ef.SecretRef.Optional)
		}
	}
}

func (c *checker) keyRef(r *KeySelector, keys map[string]bool, exists bool, kind, path string) {
	c.objectRef(path+".name", kind, r.Name, exists, r.Optional)
	switch {
	case r.Key == "":
		c.add(path+".key", "is required")
	case exists && !keys[r.Key] && (r.Optional == nil || !*r.Optional):
		c.add(path+".key", "%s %q has no key %q", kind, r.Name, r.Key)
	}
}

func findContainer(s *StatefulSet, name string) *Container {
	for _, cs := range [][]Container{s.Template.Spec.InitContainers, s.Template.Spec.Containers} {
		for i := range cs {
			if cs[i].Name == name {
				return &cs[i]
			}
		}
	}
	return nil
}

// lifecycle checks that each hook has exactly one action.
func (c *checker) lifecycle(l *Lifecycle, path string) {
	if l == nil {
		return
	}
	for name, h := range map[string]*LifecycleHandler{"postStart": l.PostStart, "preStop": l.PreStop} {
		if h == nil {
			continue
		}
		hp := path + "." + name
		var actions []string
		if h.Exec != nil {
			actions = append(actions, "exec")
			if len(h.Exec.Command) == 0 {
				c.add(hp+".exec.command", "is required")
			}
		}
		if g := h.HTTPGet; g != nil {
			actions = append(actions, "httpGet")
			c.probePort(g.Port, hp+".httpGet.port")
			c.word(hp+".httpGet.scheme", g.Scheme, "HTTP", "HTTPS")
		}
		if len(actions) != 1 {
			c.add(hp, "must have exactly one action (exec or httpGet), found %d%s", len(actions), listed(actions))
		}
	}
}

func (c *checker) containerSecurity(sc *SecurityContext, path string) {
	if sc == nil {
		return
	}
	c.identity(sc.RunAsUser, sc.RunAsGroup, sc.RunAsNonRoot, path)
	if caps := sc.Capabilities; caps != nil {
		for _, part := range []struct {
			name string
			list []string
		}{{"add", caps.Add}, {"drop", caps.Drop}} {
			for i, name := range part.list {
				if name != "ALL" && !capabilityRE().MatchString(name) {
					c.add(fmt.Sprintf("%s.capabilities.%s[%d]", path, part.name, i), "%q is not a capability name (e.g. NET_ADMIN, IPC_LOCK or ALL)", name)
				}
			}
		}
	}
	if sc.Privileged != nil && *sc.Privileged && sc.AllowPrivilegeEscalation != nil && !*sc.AllowPrivilegeEscalation {
		c.add(path+".allowPrivilegeEscalation", "cannot be false when privileged is true")
	}
}

func (c *checker) identity(user, group *int64, nonRoot *bool, path string) {
	if user != nil {
		c.min(path+".runAsUser", *user, 0)
		if nonRoot != nil && *nonRoot && *user == 0 {
			c.add(path+".runAsNonRoot", "is true but runAsUser is 0 (root)")
		}
	}
	if group != nil {
		c.min(path+".runAsGroup", *group, 0)
	}
}

func (c *checker) podSecurity(sc *PodSecurityContext, path string) {
	if sc == nil {
		return
	}
	c.identity(sc.RunAsUser, sc.RunAsGroup, sc.RunAsNonRoot, path)
	if sc.FSGroup != nil {
		c.min(path+".fsGroup", *sc.FSGroup, 0)
	}
	for i, g := range sc.SupplementalGroups {
		c.min(fmt.Sprintf("%s.supplementalGroups[%d]", path, i), g, 0)
	}
	for i, sy := range sc.Sysctls {
		if !sysctlRE().MatchString(sy.Name) {
			c.add(fmt.Sprintf("%s.sysctls[%d].name", path, i), "%q is not a sysctl name (e.g. net.core.somaxconn)", sy.Name)
		}
	}
}

func (c *checker) hostAliases(as []HostAlias, path string) {
	for i, a := range as {
		ap := fmt.Sprintf("%s[%d]", path, i)
		if !validIP(a.IP) {
			c.add(ap+".ip", "must be an IP address, got %q", a.IP)
		}
		if len(a.Hostnames) == 0 {
			c.add(ap+".hostnames", "at least one hostname is required")
		}
		for j, h := range a.Hostnames {
			if h == "" || strings.ContainsAny(h, " \t") {
				c.add(fmt.Sprintf("%s.hostnames[%d]", ap, j), "invalid hostname %q", h)
			}
		}
	}
}

func (c *checker) dnsConfig(d *PodDNSConfig, path string) {
	if d == nil {
		return
	}
	if len(d.Nameservers) > 3 {
		c.add(path+".nameservers", "at most 3 nameservers, got %d", len(d.Nameservers))
	}
	for i, ns := range d.Nameservers {
		if !validIP(ns) {
			c.add(fmt.Sprintf("%s.nameservers[%d]", path, i), "must be an IP address, got %q", ns)
		}
	}
	for i, sr := range d.Searches {
		if sr == "" || strings.ContainsAny(sr, " \t") {
			c.add(fmt.Sprintf("%s.searches[%d]", path, i), "invalid search domain %q", sr)
		}
	}
	for i, o := range d.Options {
		if o.Name == "" {
			c.add(fmt.Sprintf("%s.options[%d].name", path, i), "is required")
		}
	}
}

// scheduling warns about placement fields: one Docker host is one node.
func (c *checker) scheduling(s Scheduling, path string) {
	set := map[string]bool{
		"nodeSelector": len(s.NodeSelector) > 0, "affinity": s.Affinity != nil, "tolerations": len(s.Tolerations) > 0,
		"topologySpreadConstraints": len(s.TopologySpreadConstraints) > 0,
		"priorityClassName":         s.PriorityClassName != "", "priority": s.Priority != nil,
	}
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if set[k] {
			c.warn(path+"."+k, "accepted and ignored: one Docker host is one node (kept for export)")
		}
	}
}

// expansions warns about $(VAR) references Kubernetes would leave as written:
// in an env value, VAR must be defined earlier in the list (or by envFrom, or be
// one of ordset's POD_* variables); in command and args, anywhere in env.
func (c *checker) expansions(p *Project, ct *Container, path string) {
	known := map[string]bool{}
	for _, n := range podEnvNames {
		known[n] = true
	}
	for _, ef := range ct.EnvFrom {
		var keys map[string]bool
		if ef.ConfigMapRef != nil {
			keys, _ = configMapKeys(p, ef.ConfigMapRef.Name)
		} else if ef.SecretRef != nil {
			keys, _ = secretKeys(p, ef.SecretRef.Name)
		}
		for k := range keys {
			known[ef.Prefix+k] = true
		}
	}
	lookup := func(n string) (string, bool) { return "", known[n] }
	for i, e := range ct.Env {
		c.warnMissing(e.Value, lookup, fmt.Sprintf("%s.env[%d].value", path, i))
		known[e.Name] = true
	}
	for _, part := range []struct {
		name string
		list []string
	}{{"command", ct.Command}, {"args", ct.Args}} {
		for i, a := range part.list {
			c.warnMissing(a, lookup, fmt.Sprintf("%s.%s[%d]", path, part.name, i))
		}
	}
	for i, m := range ct.VolumeMounts {
		c.warnMissing(m.SubPathExpr, lookup, fmt.Sprintf("%s.volumeMounts[%d].subPathExpr", path, i))
	}
}

func (c *checker) warnMissing(s string, lookup func(string) (string, bool), path string) {
	_, missing := Expand(s, lookup)
	for _, m := range missing {
		if m != "" {
			c.warn(path, "$(%s) names no variable of this container; it is left as written, as Kubernetes does", m)
		}
	}
}
