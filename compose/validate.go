package compose

import (
	"fmt"
	"maps"
	"math"
	"net"
	"slices"

	"github.com/ordset/ordset/orchestrator/identity"
	"path/filepath"
	"sort"
	"strings"
)

// checker collects problems and places each at the position of its field
// (or the nearest parent present in the file).
type checker struct {
	w     *walker
	probs []Problem
	warns []Problem // accepted, but worth a word (dangerous host paths)
	dir   string    // the project's directory, for host path warnings
}

// warn records a warning at path's position.
func (c *checker) warn(path, format string, args ...any) {
	c.warns = append(c.warns, c.at(path, format, args...))
}

func (c *checker) add(path, format string, args ...any) {
	c.probs = append(c.probs, c.at(path, format, args...))
}

// at builds a problem placed at path's position (in its own file, for a project built from
// several files).
func (c *checker) at(path, format string, args ...any) Problem {
	p := Problem{File: c.w.file, Path: path, Message: fmt.Sprintf(format, args...)}
	var file string
	p.Line, p.Col, file = c.locate(path)
	if file != "" {
		p.File = file
	}
	return p
}

// addKey places the problem at the key (for problems about a name that is a key).
func (c *checker) addKey(path, format string, args ...any) {
	if k, ok := c.w.keys[path]; ok {
		c.probs = append(c.probs, Problem{File: c.w.file, Line: k.line, Col: k.col, Path: path, Message: fmt.Sprintf(format, args...)})
		return
	}
	c.add(path, format, args...)
}

// locate finds path's value position, else the key of the nearest present parent.
func (c *checker) locate(path string) (int, int, string) {
	if p, ok := c.w.values[path]; ok {
		return p.line, p.col, p.file
	}
	for path != "" {
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			path = ""
		} else {
			path = path[:i]
		}
		if p, ok := c.w.keys[path]; ok {
			return p.line, p.col, p.file
		}
		if p, ok := c.w.values[path]; ok {
			return p.line, p.col, p.file
		}
	}
	return 1, 1, ""
}

func (c *checker) label(path, v string) {
	if m := dnsLabelProblem(v); m != "" {
		c.add(path, "%s", m)
	}
}

func (c *checker) word(path, v string, allowed ...string) {
	if m := oneOf(v, allowed...); m != "" {
		c.add(path, "%s", m)
	}
}

func (c *checker) min(path string, v, lo int64) {
	if v < lo {
		c.add(path, "must be >= %d, got %d", lo, v)
	}
}

// max32 keeps counts within Kubernetes' int32 so ordinal arithmetic cannot overflow.
func (c *checker) max32(path string, v int64) {
	if v > math.MaxInt32 {
		c.add(path, "must be <= %d, got %d", math.MaxInt32, v)
	}
}

// validate checks a defaulted project and returns every problem found.
// Warnings go to p.Warnings.
func validate(p *Project, w *walker) []Problem {
	c := &checker{w: w, dir: p.Dir}
	defer func() { sortProblems(c.warns); p.Warnings = c.warns }()
	c.label("namespace", p.Namespace)
	if len(p.StatefulSets) == 0 {
		c.add("statefulsets", "at least one statefulset is required")
	}
	names := make([]string, 0, len(p.StatefulSets))
	for n := range p.StatefulSets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		c.set(p, p.StatefulSets[n], "statefulsets."+n)
	}
	c.dependencyCycles(p, names)
	c.hostPorts(p, names)
	return c.probs
}

func (c *checker) set(p *Project, s *StatefulSet, path string) {
	if m := dnsLabelProblem(s.Name); m != "" {
		c.addKey(path, "statefulset name %s", m)
	} else if last := identity.PodName(s.Name, s.Ordinals.Start+max(*s.Replicas-1, 0)); len(last) > 63 {
		c.addKey(path, "pod name %q would be longer than 63 characters; shorten the statefulset name", last)
	}
	c.min(path+".replicas", int64(*s.Replicas), 0)
	c.max32(path+".replicas", int64(*s.Replicas))
	c.max32(path+".ordinals.start", int64(s.Ordinals.Start))
	if s.ServiceName != s.Name { // a defaulted service name was checked as the set name
		c.label(path+".serviceName", s.ServiceName)
	}
	c.word(path+".podManagementPolicy", s.PodManagementPolicy, OrderedReady, Parallel)
	c.strategy(s, path)
	c.min(path+".minReadySeconds", int64(s.MinReadySeconds), 0)
	c.min(path+".ordinals.start", int64(s.Ordinals.Start), 0)
	c.word(path+".persistentVolumeClaimRetentionPolicy.whenScaled", s.PersistentVolumeClaimRetentionPolicy.WhenScaled, Retain, Delete)
	c.word(path+".persistentVolumeClaimRetentionPolicy.whenDeleted", s.PersistentVolumeClaimRetentionPolicy.WhenDeleted, Retain, Delete)
	c.min(path+".terminationGracePeriodSeconds", *s.TerminationGracePeriodSeconds, 0)
	c.dependsOn(p, s, path)
	c.container(path, s.Image, s.ImagePullPolicy, s.WorkingDir, s.User, s.Env)
	c.execLimits(path, s.Command, s.Args, s.Env)
	c.ports(s, path)
	c.probe(s, s.ReadinessProbe, path+".readinessProbe", false)
	c.probe(s, s.LivenessProbe, path+".livenessProbe", true)
	c.probe(s, s.StartupProbe, path+".startupProbe", true)
	c.resources(s.Resources, path+".resources")
	claims := c.claimTemplates(s.VolumeClaimTemplates, path+".volumeClaimTemplates")
	c.mounts(s.VolumeMounts, claims, path+".volumeMounts")
	c.initContainers(s.InitContainers, claims, path+".initContainers")
}

// container checks the fields the main and init containers share.
func (c *checker) container(path, image, pull, workingDir, user string, env EnvList) {
	if strings.TrimSpace(image) == "" {
		c.add(path+".image", "is required")
	}
	c.word(path+".imagePullPolicy", pull, PullAlways, PullIfNotPresent, PullNever)
	if workingDir != "" && !strings.HasPrefix(workingDir, "/") {
		c.add(path+".workingDir", "must be an absolute path, got %q", workingDir)
	}
	if user != "" {
		if m := userProblem(user); m != "" {
			c.add(path+".user", "%s", m)
		}
	}
	seen := map[string]int{}
	for i, e := range env {
		ep := fmt.Sprintf("%s.env[%d].name", path, i)
		switch first, dup := seen[e.Name]; {
		case !envNameRE.MatchString(e.Name):
			c.add(ep, "invalid env name %q (letters, digits, '-', '.', '_'; not starting with a digit)", e.Name)
		case dup:
			c.add(ep, "duplicate env name %q (also env[%d])", e.Name, first)
		default:
			seen[e.Name] = i
		}
	}
}

func (c *checker) dependsOn(p *Project, s *StatefulSet, path string) {
	seen := map[string]bool{}
	for i, d := range s.DependsOn {
		dp := fmt.Sprintf("%s.dependsOn[%d]", path, i)
		switch {
		case d == s.Name:
			c.add(dp, "a statefulset cannot depend on itself")
		case p.StatefulSets[d] == nil:
			c.add(dp, "unknown statefulset %q", d)
		case seen[d]:
			c.add(dp, "duplicate dependency %q", d)
		}
		seen[d] = true
	}
}

func (c *checker) resources(r Resources, path string) {
	for _, part := range []struct {
		name string
		list ResourceList
	}{{"limits", r.Limits}, {"requests", r.Requests}} {
		for _, k := range slices.Sorted(maps.Keys(part.list)) {
			v, kp := part.list[k], path+"."+part.name+"."+k
			var err error
			switch k {
			case "cpu":
				if _, err = ParseCPU(v); err != nil {
					err = fmt.Errorf("%w (cpu is e.g. 500m, 1, 0.5)", err)
				}
			case "memory":
				if _, err = ParseMemory(v); err != nil {
					err = fmt.Errorf("%w (memory is e.g. 256Mi, 1G, 1000)", err)
				}
			default:
				c.addKey(kp, "unknown resource %q (cpu or memory)", k)
				continue
			}
			if err != nil {
				c.add(kp, "%v", err)
			}
		}
	}
	for k, parse := range map[string]func(string) (int64, error){"cpu": ParseCPU, "memory": ParseMemory} {
		lim, err1 := parse(r.Limits[k])
		req, err2 := parse(r.Requests[k])
		if err1 == nil && err2 == nil && req > lim {
			c.add(path+".requests."+k, "must not exceed limits.%s (%s > %s)", k, r.Requests[k], r.Limits[k])
		}
	}
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

func (c *checker) mounts(ms []VolumeMount, claims map[string]bool, path string) {
	seen := map[string]bool{}
	for i, m := range ms {
		mp := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case m.Name == "" && m.HostPath == "":
			c.add(mp, "needs name (a volumeClaimTemplate) or hostPath")
		case m.Name != "" && m.HostPath != "":
			c.add(mp+".hostPath", "name and hostPath are mutually exclusive")
		case m.Name != "" && !claims[m.Name]:
			c.add(mp+".name", "no volumeClaimTemplate named %q", m.Name)
		case m.HostPath != "" && !filepath.IsAbs(m.HostPath): // only through the API: Load resolves them
			c.add(mp+".hostPath", "must be an absolute path, got %q", m.HostPath)
		case m.HostPath != "":
			if w := hostPathWarning(m.HostPath, m.ReadOnly, c.dir); w != "" {
				c.warn(mp+".hostPath", "%s", w)
			}
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
	}
}

func (c *checker) initContainers(ics []InitContainer, claims map[string]bool, path string) {
	seen := map[string]bool{}
	for i, ic := range ics {
		ip := fmt.Sprintf("%s[%d]", path, i)
		if m := dnsLabelProblem(ic.Name); m != "" {
			c.add(ip+".name", "%s", m)
		} else if seen[ic.Name] {
			c.add(ip+".name", "duplicate init container name %q", ic.Name)
		}
		seen[ic.Name] = true
		pull := ic.ImagePullPolicy
		if pull == "" {
			pull = PullIfNotPresent // image missing: reported once, as image
		}
		c.container(ip, ic.Image, pull, ic.WorkingDir, ic.User, ic.Env)
		c.execLimits(ip, ic.Command, ic.Args, ic.Env)
		c.mounts(ic.VolumeMounts, claims, ip+".volumeMounts")
	}
}

func validIP(s string) bool { return net.ParseIP(s) != nil }
