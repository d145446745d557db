package orchestrator

import (
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator/identity"
)

// Readiness is derived from one snapshot plus explicit memory: a prober's verdict wins, a
// HEALTHCHECK counts without probes (Ready since first seen healthy, remembered across
// passes), and a bare Running container is Ready since it started.
func TestFillReadiness(t *testing.T) {
	k := SetKey{"demo", "web"}
	earlier := t0.Add(-time.Minute)
	cases := []struct {
		name      string
		health    string
		hasProbes bool
		probe     *ProbeStatus
		seen      map[string]time.Time
		ready     bool
		since     time.Time
		remember  bool
		liveFail  bool
	}{
		{"running without probes or healthcheck", "", false, nil, nil, true, t0.Add(-time.Hour), false, false},
		{"healthy, first seen now", "healthy", false, nil, nil, true, t0, true, false},
		{"healthy, seen before", "healthy", false, nil, map[string]time.Time{"id-web-0": earlier}, true, earlier, true, false},
		{"healthcheck starting", "starting", false, nil, map[string]time.Time{"id-web-0": earlier}, false, time.Time{}, false, false},
		{"probes without a verdict yet", "", true, nil, nil, false, time.Time{}, false, false},
		{"prober Ready", "", true, &ProbeStatus{Ready: true, Live: true, ReadySince: earlier}, nil, true, earlier, false, false},
		{"prober liveness failed", "", true, &ProbeStatus{Live: false, Reason: "boom"}, nil, false, time.Time{}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctr := mainCtr(0, "r1", StateRunning)
			ctr.Health = c.health
			o := &Observed{Pods: map[int]*ObservedPod{0: {Containers: []Container{ctr}}}}
			probes := map[string]ProbeStatus{}
			if c.probe != nil {
				probes[ctr.ID] = *c.probe
			}
			seen := fillReadiness(o, readinessInput{key: k, hasProbes: c.hasProbes, probes: probes, seen: c.seen, now: t0})
			p := o.Pods[0]
			if p.Ready != c.ready || !p.ReadySince.Equal(c.since) || p.LivenessFailed != c.liveFail {
				t.Errorf("ready=%v since=%v liveFailed=%v, want %v %v %v", p.Ready, p.ReadySince, p.LivenessFailed,
					c.ready, c.since, c.liveFail)
			}
			if _, ok := seen[ctr.ID]; ok != c.remember {
				t.Errorf("remembered=%v, want %v (%v)", ok, c.remember, seen)
			}
		})
	}
}

// The pod's container is the one with the canonical name, else the newest: the planner keeps
// it, probes and readiness look at it.
func TestMainIndex(t *testing.T) {
	a := Container{Name: "demo-web-0.retired-abc", CreatedAt: t0.Add(time.Minute)}
	b := Container{Name: "demo-web-0", CreatedAt: t0}
	c := Container{Name: "other", CreatedAt: t0.Add(2 * time.Minute)}
	if got := mainIndex([]Container{a, b, c}, "demo-web-0"); got != 1 {
		t.Errorf("canonical name not kept: %d", got)
	}
	if got := mainIndex([]Container{a, c}, "demo-web-0"); got != 1 {
		t.Errorf("newest not kept: %d", got)
	}
	if got := mainIndex(nil, "demo-web-0"); got != -1 {
		t.Errorf("none: %d", got)
	}
}

// group sorts a pod's kept previous container apart from its main containers (it is never
// the pod), while a retired one stays among them (it may still stand in for the pod).
func TestGroupPreviousContainers(t *testing.T) {
	l := podLabels(1, "r1")
	canonical := identity.ContainerName("demo", "web", 1)
	cs := []Container{
		{ID: "a", Name: canonical, Labels: l},
		{ID: "b", Name: identity.RetiredName(canonical, "b"), Labels: l},
		{ID: "c", Name: identity.PreviousName(canonical, "c"), Labels: l},
		{ID: "d", Name: identity.PreviousName(canonical, "other"), Labels: l}, // not its own id: not a previous container
	}
	p := group(cs, nil)[SetKey{"demo", "web"}].Pods[1]
	var main, prev []string
	for _, c := range p.Containers {
		main = append(main, c.ID)
	}
	for _, c := range p.Previous {
		prev = append(prev, c.ID)
	}
	if strings.Join(main, ",") != "a,b,d" || strings.Join(prev, ",") != "c" {
		t.Errorf("main containers %v, previous %v; want [a b d] and [c]", main, prev)
	}
}
