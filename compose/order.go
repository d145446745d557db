package compose

import (
	"fmt"
	"sort"
	"strings"
)

// SetNames returns the set names in start order: every set after the sets it
// dependsOn, ties broken alphabetically, so `up` and `down` (reversed) are
// deterministic. Sets caught in a cycle (only possible on unvalidated input)
// come last, alphabetically.
func (p *Project) SetNames() []string {
	indeg := map[string]int{}
	users := map[string][]string{}
	for name, s := range p.StatefulSets {
		indeg[name] += 0
		if s == nil {
			continue
		}
		for _, d := range uniq(s.DependsOn) {
			if _, ok := p.StatefulSets[d]; ok && d != name {
				indeg[name]++
				users[d] = append(users[d], name)
			}
		}
	}
	var ready, out []string
	for n, d := range indeg {
		if d == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		sort.Strings(ready)
		n := ready[0]
		ready = ready[1:]
		out = append(out, n)
		for _, u := range users[n] {
			if indeg[u]--; indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(out) < len(indeg) {
		var rest []string
		for n, d := range indeg {
			if d > 0 {
				rest = append(rest, n)
			}
		}
		sort.Strings(rest)
		out = append(out, rest...)
	}
	return out
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// ReplicaCount is the desired replica count with the default applied.
func (s *StatefulSet) ReplicaCount() int {
	if s.Replicas == nil {
		return DefaultReplicas
	}
	return *s.Replicas
}

// dependencyCycles reports each dependsOn cycle once, as a path, at the
// dependsOn field of its alphabetically first member.
func (c *checker) dependencyCycles(p *Project, names []string) {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(n string)
	visit = func(n string) {
		color[n] = grey
		stack = append(stack, n)
		for _, d := range p.StatefulSets[n].DependsOn {
			if d == n || p.StatefulSets[d] == nil {
				continue
			}
			switch color[d] {
			case grey:
				i := len(stack) - 1
				for stack[i] != d {
					i--
				}
				cycle := append(append([]string{}, stack[i:]...), d)
				c.add(fmt.Sprintf("statefulsets.%s.dependsOn", d), "dependency cycle: %s", strings.Join(cycle, " -> "))
			case white:
				visit(d)
			}
		}
		stack = stack[:len(stack)-1]
		color[n] = black
	}
	for _, n := range names {
		if color[n] == white {
			visit(n)
		}
	}
}
