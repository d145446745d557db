package compose

import (
	"fmt"
	"maps"
	"math"
	"net"
	"slices"
	"sort"
	"strings"

	"github.com/ordset/ordset/orchestrator/identity"
)

// checker collects problems and places each at the position of its field
// (or the nearest parent present in the file).
type checker struct {
	w        *walker
	probs    []Problem
	warnings []Problem // accepted, but worth a word: ignored fields, unresolved $(VAR), risky host paths
	dir      string    // the project's directory, for host path warnings
	// flat marks the sets written in the one-container shorthand: their
	// containers[0] fields sit at the set's own path in the file.
	flat map[string]bool
}

// warn records a problem that does not stop the load, at path's position.
func (c *checker) warn(path, format string, args ...any) {
	c.warnings = append(c.warnings, c.at(path, format, args...))
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
func (c *checker) validate(p *Project) []Problem {
	c.dir = p.Dir
	defer func() { p.Warnings = finish(c.warnings).Problems }()
	c.label("namespace", p.Namespace)
	c.objects(p)
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
	c.services(p)
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
	c.servicePorts(s.ServicePorts, path+".servicePorts")
	c.ownServiceTargets(s, path+".servicePorts")
	c.word(path+".podManagementPolicy", s.PodManagementPolicy, OrderedReady, Parallel)
	c.strategy(s, path)
	c.min(path+".minReadySeconds", int64(s.MinReadySeconds), 0)
	c.min(path+".ordinals.start", int64(s.Ordinals.Start), 0)
	c.word(path+".persistentVolumeClaimRetentionPolicy.whenScaled", s.PersistentVolumeClaimRetentionPolicy.WhenScaled, Retain, Delete)
	c.word(path+".persistentVolumeClaimRetentionPolicy.whenDeleted", s.PersistentVolumeClaimRetentionPolicy.WhenDeleted, Retain, Delete)
	c.min(path+".terminationGracePeriodSeconds", *s.Template.Spec.TerminationGracePeriodSeconds, 0)
	c.dependsOn(p, s, path)
	c.pod(p, s, path)
}

// containerPath is where container i of a set sits in the file: the set itself
// for the flat shorthand's one container.
func (c *checker) containerPath(s *StatefulSet, path string, i int) string {
	if c.flat[s.Name] && i == 0 {
		return path
	}
	return fmt.Sprintf("%s.containers[%d]", path, i)
}

// container checks the fields every container has.
func (c *checker) container(ct *Container, path string) {
	if strings.TrimSpace(ct.Image) == "" {
		c.add(path+".image", "is required")
	}
	pull := ct.ImagePullPolicy
	if pull == "" {
		pull = PullIfNotPresent // image missing: reported once, as image
	}
	c.word(path+".imagePullPolicy", pull, PullAlways, PullIfNotPresent, PullNever)
	if ct.WorkingDir != "" && !strings.HasPrefix(ct.WorkingDir, "/") {
		c.add(path+".workingDir", "must be an absolute path, got %q", ct.WorkingDir)
	}
	if ct.User != "" {
		if m := userProblem(ct.User); m != "" {
			c.add(path+".user", "%s", m)
		}
	}
	seen := map[string]int{}
	for i, e := range ct.Env {
		ep := fmt.Sprintf("%s.env[%d].name", path, i)
		switch first, dup := seen[e.Name]; {
		case !envNameRE().MatchString(e.Name):
			c.add(ep, "invalid env name %q (letters, digits, '-', '.', '_'; not starting with a digit)", e.Name)
		case dup:
			c.add(ep, "duplicate env name %q (also env[%d])", e.Name, first)
		default:
			seen[e.Name] = i
		}
	}
	c.execLimits(path, ct.Command, ct.Args, ct.Env)
	c.ports(ct.Ports, path)
	c.probe(ct.ReadinessProbe, path+".readinessProbe", false)
	c.probe(ct.LivenessProbe, path+".livenessProbe", true)
	c.probe(ct.StartupProbe, path+".startupProbe", true)
	c.resources(ct.Resources, path+".resources")
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

func validIP(s string) bool { return net.ParseIP(s) != nil }
