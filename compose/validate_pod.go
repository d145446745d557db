package compose

import (
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
)

var (
	capabilityRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(CAP_)?[A-Z][A-Z0-9_]*$`) })
	sysctlRE     = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[a-z0-9]([-_a-z0-9]*[a-z0-9])?([./][a-z0-9]([-_a-z0-9]*[a-z0-9])?)*$`)
	})
	qualifiedRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	})
)

// hostPathTypes are Kubernetes' hostPath volume types ("" checks nothing).
var hostPathTypes = []string{"", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"}

// podEnvNames are the variables ordset puts in every container, so $(POD_NAME) resolves.
var podEnvNames = []string{"POD_NAME", "POD_NAMESPACE", "POD_ORDINAL"}

// pod checks the template: metadata, volumes, every container and its references.
func (c *checker) pod(p *Project, s *StatefulSet, path string) {
	spec := &s.Template.Spec
	c.metadata(s.Template.Metadata, path)
	claims := c.claimTemplates(s.VolumeClaimTemplates, path+".volumeClaimTemplates")
	mountable := c.volumes(p, spec.Volumes, claims, path+".volumes")
	if len(spec.Containers) == 0 {
		c.add(path+".containers", "at least one container is required")
	}
	names := map[string]bool{}
	ports := map[string]string{}
	for i := range spec.InitContainers {
		ct := &spec.InitContainers[i]
		cp := fmt.Sprintf("%s.initContainers[%d]", path, i)
		c.containerName(ct.Name, cp, names)
		c.word(cp+".restartPolicy", ct.RestartPolicy, "", ContainerRestartAlways)
		if !ct.Sidecar() {
			for field, set := range map[string]bool{"readinessProbe": ct.ReadinessProbe != nil, "livenessProbe": ct.LivenessProbe != nil,
				"startupProbe": ct.StartupProbe != nil, "lifecycle": ct.Lifecycle != nil} {
				if set {
					c.add(cp+"."+field, "only a sidecar (restartPolicy: Always) init container may have %s", field)
				}
			}
		}
		c.fullContainer(p, s, ct, cp, mountable, ports)
	}
	for i := range spec.Containers {
		ct := &spec.Containers[i]
		cp := c.containerPath(s, path, i)
		if !c.flat[s.Name] {
			c.containerName(ct.Name, cp, names)
		} else {
			names[ct.Name] = true
		}
		if ct.RestartPolicy != "" {
			c.add(cp+".restartPolicy", "only init containers have a restartPolicy (Always makes a sidecar)")
		}
		c.fullContainer(p, s, ct, cp, mountable, ports)
	}
	c.podSecurity(spec.SecurityContext, path+".securityContext")
	c.hostAliases(spec.HostAliases, path+".hostAliases")
	c.dnsConfig(spec.DNSConfig, path+".dnsConfig")
	c.scheduling(spec.Scheduling, path)
}

func (c *checker) containerName(name, path string, seen map[string]bool) {
	if m := dnsLabelProblem(name); m != "" {
		c.add(path+".name", "%s", m)
	} else if seen[name] {
		c.add(path+".name", "duplicate container name %q", name)
	}
	seen[name] = true
}

// fullContainer checks one container and everything it refers to.
func (c *checker) fullContainer(p *Project, s *StatefulSet, ct *Container, path string, mountable map[string]bool, ports map[string]string) {
	c.container(ct, path)
	for i, pt := range ct.Ports {
		key, pp := fmt.Sprintf("%d/%s", pt.ContainerPort, pt.Protocol), fmt.Sprintf("%s.ports[%d].containerPort", path, i)
		if other, dup := ports[key]; dup && !strings.HasPrefix(other, path+".") {
			c.add(pp, "containerPort %s is also %s: the containers of a pod share one network namespace", key, strings.TrimSuffix(other, ".containerPort"))
		} else if !dup {
			ports[key] = pp
		}
	}
	c.mounts(ct.VolumeMounts, mountable, path+".volumeMounts")
	c.hostPathWarnings(s, ct, path+".volumeMounts")
	c.envSources(p, s, ct, path)
	c.lifecycle(ct.Lifecycle, path+".lifecycle")
	c.containerSecurity(ct.SecurityContext, path+".securityContext")
	c.expansions(p, ct, path)
}

// hostPathWarnings says what a container's hostPath mounts expose (the Docker socket, a system
// or home directory read-write), at the mount's hostPath key in the short form.
func (c *checker) hostPathWarnings(s *StatefulSet, ct *Container, path string) {
	for i, m := range ct.VolumeMounts {
		for _, v := range s.Template.Spec.Volumes {
			if v.Name != m.Name || v.HostPath == nil {
				continue
			}
			if w := hostPathWarning(v.HostPath.Path, m.ReadOnly, c.dir); w != "" {
				mp := fmt.Sprintf("%s[%d]", path, i)
				if _, short := c.w.keys[mp+".hostPath"]; short {
					mp += ".hostPath"
				}
				c.warn(mp, "%s", w)
			}
		}
	}
}

func (c *checker) metadata(m PodMetadata, path string) {
	for _, part := range []struct {
		name string
		kv   map[string]string
	}{{"labels", m.Labels}, {"annotations", m.Annotations}} {
		for _, k := range slices.Sorted(maps.Keys(part.kv)) {
			kp := path + "." + part.name + "." + k
			switch {
			case reservedKey(k):
				c.addKey(kp, "%s key %q is reserved for ordset's own", part.name[:len(part.name)-1], k)
			case len(k) > 316 || !qualifiedRE().MatchString(k):
				c.addKey(kp, "%q is not a valid %s key (an optional DNS prefix and '/', then letters, digits, '-', '_', '.')", k, part.name[:len(part.name)-1])
			case part.name == "labels" && len(part.kv[k]) > 63:
				c.add(kp, "label value must be at most 63 characters, got %d", len(part.kv[k]))
			}
		}
	}
}

// reservedKey reports keys that would collide with ordset's own labels and annotations. The
// config hash is ordset's, put there by a previous normalisation (the API path sees it again).
func reservedKey(k string) bool {
	return k != ConfigHashAnnotation && (strings.HasPrefix(k, "io.ordset.") || strings.HasPrefix(k, AnnotationPrefix))
}

func (c *checker) claimTemplates(ts []VolumeClaimTemplate, path string) map[string]bool {
	names := map[string]bool{}
	for i, t := range ts {
		np := fmt.Sprintf("%s[%d].name", path, i)
		if m := dnsLabelProblem(t.Name); m != "" {
			c.add(np, "%s", m)
		} else if names[t.Name] {
			c.add(np, "duplicate volumeClaimTemplate name %q", t.Name)
		}
		names[t.Name] = true
		if _, err := parseQuantity(t.Size); err != nil {
			c.add(fmt.Sprintf("%s[%d].size", path, i), "%v (a storage size such as 1Gi)", err)
		}
		if t.StorageClassName != "" {
			c.label(fmt.Sprintf("%s[%d].storageClassName", path, i), t.StorageClassName)
		}
	}
	return names
}

// volumes checks the pod volumes and returns every name a mount may use
// (volumes and claim templates).
func (c *checker) volumes(p *Project, vs []Volume, claims map[string]bool, path string) map[string]bool {
	names := map[string]bool{}
	for k := range claims {
		names[k] = true
	}
	for i, v := range vs {
		vp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case dnsLabelProblem(v.Name) != "":
			c.add(vp+".name", "%s", dnsLabelProblem(v.Name))
		case claims[v.Name]:
			c.add(vp+".name", "volume %q has the name of a volumeClaimTemplate", v.Name)
		case names[v.Name]:
			c.add(vp+".name", "duplicate volume name %q", v.Name)
		}
		names[v.Name] = true
		var sources []string
		if e := v.EmptyDir; e != nil {
			sources = append(sources, "emptyDir")
			c.word(vp+".emptyDir.medium", e.Medium, "", MediumMemory)
			if e.SizeLimit != "" {
				if _, err := ParseMemory(e.SizeLimit); err != nil {
					c.add(vp+".emptyDir.sizeLimit", "%v (e.g. 64Mi)", err)
				}
			}
		}
		if cm := v.ConfigMap; cm != nil {
			sources = append(sources, "configMap")
			keys, ok := configMapKeys(p, cm.Name)
			c.objectRef(vp+".configMap.name", "configMap", cm.Name, ok, cm.Optional)
			c.projection(cm.Items, cm.DefaultMode, keys, ok, "configMap "+quote(cm.Name), vp+".configMap")
		}
		if sec := v.Secret; sec != nil {
			sources = append(sources, "secret")
			keys, ok := secretKeys(p, sec.SecretName)
			c.objectRef(vp+".secret.secretName", "secret", sec.SecretName, ok, sec.Optional)
			c.projection(sec.Items, sec.DefaultMode, keys, ok, "secret "+quote(sec.SecretName), vp+".secret")
		}
		if h := v.HostPath; h != nil {
			sources = append(sources, "hostPath")
			switch {
			case h.Path == "":
				c.add(vp+".hostPath.path", "is required")
			case !filepath.IsAbs(h.Path): // only through the API: Load resolves them against the file
				c.add(vp+".hostPath.path", "must be an absolute path, got %q", h.Path)
			}
			c.word(vp+".hostPath.type", h.Type, hostPathTypes...)
		}
		if len(sources) != 1 {
			c.add(vp, "must have exactly one source (emptyDir, configMap, secret or hostPath), found %d%s", len(sources), listed(sources))
		}
	}
	return names
}

// objectRef reports a reference to a ConfigMap or Secret the project does not define.
func (c *checker) objectRef(path, kind, name string, exists bool, optional *bool) {
	switch {
	case name == "":
		c.add(path, "is required")
	case !exists && (optional == nil || !*optional):
		c.add(path, "no %s named %q in %ss (or mark the reference optional: true)", kind, name, kind)
	}
}

// projection checks configMap/secret volume items and modes.
func (c *checker) projection(items []KeyToPath, defaultMode *int32, keys map[string]bool, exists bool, what, path string) {
	c.mode(defaultMode, path+".defaultMode")
	seen := map[string]bool{}
	for i, it := range items {
		ip := fmt.Sprintf("%s.items[%d]", path, i)
		if exists && !keys[it.Key] {
			c.add(ip+".key", "%s has no key %q", what, it.Key)
		}
		if m := relativePathProblem(it.Path); m != "" {
			c.add(ip+".path", "%s", m)
		} else if seen[it.Path] {
			c.add(ip+".path", "duplicate path %q", it.Path)
		}
		seen[it.Path] = true
		c.mode(it.Mode, ip+".mode")
	}
}

func (c *checker) mode(m *int32, path string) {
	if m != nil && (*m < 0 || *m > 0o777) {
		c.add(path, "must be a file mode between 0 and 0777 (octal), got %#o", *m)
	}
}

// relativePathProblem explains why p is not a relative path inside a volume, or returns "".
func relativePathProblem(p string) string {
	switch {
	case p == "":
		return "must not be empty"
	case strings.HasPrefix(p, "/"):
		return fmt.Sprintf("must be a relative path, got %q", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return fmt.Sprintf("must not contain '..', got %q", p)
		}
	}
	return ""
}

func (c *checker) mounts(ms []VolumeMount, mountable map[string]bool, path string) {
	seen := map[string]bool{}
	for i, m := range ms {
		mp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case m.Name == "":
			c.add(mp, "needs name (a volume or volumeClaimTemplate) or hostPath")
		case m.HostPath != "":
			c.add(mp+".hostPath", "name and hostPath are mutually exclusive")
		case !mountable[m.Name]:
			c.add(mp+".name", "no volume or volumeClaimTemplate named %q", m.Name)
		}
		switch {
		case m.MountPath == "":
			c.add(mp+".mountPath", "is required")
		case !strings.HasPrefix(m.MountPath, "/"):
			c.add(mp+".mountPath", "must be an absolute path, got %q", m.MountPath)
		case seen[m.MountPath]:
			c.add(mp+".mountPath", "duplicate mountPath %q", m.MountPath)
		}
		seen[m.MountPath] = true
		if m.SubPath != "" {
			if msg := relativePathProblem(m.SubPath); msg != "" {
				c.add(mp+".subPath", "%s", msg)
			}
		}
		switch {
		case m.SubPathExpr == "":
		case m.SubPath != "":
			c.add(mp+".subPathExpr", "subPath and subPathExpr are mutually exclusive")
		default:
			if msg := relativePathProblem(m.SubPathExpr); msg != "" {
				c.add(mp+".subPathExpr", "%s", msg)
			}
		}
	}
}
