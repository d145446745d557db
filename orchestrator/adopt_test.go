package orchestrator

import (
	"strings"
	"testing"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// Only a container whose name, network and claim mounts match the pod its labels name is
// kept; a copy of the labels alone is an impostor, and says why.
func TestScreenImpostors(t *testing.T) {
	s := testSet(func(s *compose.StatefulSet) {
		s.Main().VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/data"}}
	})
	sets := map[SetKey]SetInput{{"demo", "web"}: {Desired: desired(s, 3)}}
	pod := func(muts ...func(*Container)) Container {
		c := mainCtr(1, "r1", StateRunning)
		c.NetworkMode, c.VolumeNames = "ordset-demo", []string{"demo_data-web-1"}
		for _, m := range muts {
			m(&c)
		}
		return c
	}
	cases := []struct {
		name      string
		c         Container
		want      string // "" kept; else a substring of the reason
		holdsName bool
	}{
		{"the pod itself", pod(), "", false},
		{"retired under its retired name", pod(func(c *Container) { c.Name = identity.RetiredName(c.Name, c.ID) }), "", false},
		{"kept under its previous name", pod(func(c *Container) { c.Name = identity.PreviousName(c.Name, c.ID) }), "", false},
		{"a previous name with another container's id", pod(func(c *Container) { c.Name = identity.PreviousName(c.Name, "other") }),
			"name is not demo-web-1", false},
		{"the pod on a network removed by hand", pod(func(c *Container) { c.Detached, c.IP = true, "" }), "", false},
		{"of a revision no longer known: mounts not checked", pod(func(c *Container) {
			c.Labels[identity.LabelRevision], c.VolumeNames = "r0", nil
		}), "", false},
		{"another name", pod(func(c *Container) { c.Name = "forged" }), "name is not demo-web-1", false},
		{"default bridge", pod(func(c *Container) { c.NetworkMode = "default" }), `network "default", not ordset-demo`, true},
		{"volume not mounted", pod(func(c *Container) { c.VolumeNames = nil }), "volume demo_data-web-1 not mounted", true},
		{"another ordinal's volume", pod(func(c *Container) { c.VolumeNames = []string{"demo_data-web-0"} }),
			"volume demo_data-web-1 not mounted", true},
	}
	for _, c := range cases {
		kept, imp := screen([]Container{c.c}, sets)
		switch {
		case c.want == "" && (len(kept) != 1 || len(imp) != 0):
			t.Errorf("%s: screened out: %+v", c.name, imp)
		case c.want != "" && (len(kept) != 0 || len(imp) != 1):
			t.Errorf("%s: kept, want an impostor (%s)", c.name, c.want)
		case c.want != "" && (!strings.Contains(imp[0].Reason, c.want) || imp[0].HoldsName != c.holdsName):
			t.Errorf("%s: impostor %+v, want reason with %q, HoldsName %v", c.name, imp[0], c.want, c.holdsName)
		}
	}
	// An emptyDir is an anonymous volume: it has no name to find among the mounts, and the pod
	// that mounts one beside its claim is itself (it was screened out as "volume  not mounted").
	scratch := testSet(func(s *compose.StatefulSet) {
		s.Template.Spec.Volumes = []compose.Volume{{Name: "scratch", EmptyDir: &compose.EmptyDirVolumeSource{}}}
		s.Main().VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/data"}, {Name: "scratch", MountPath: "/tmp"}}
	})
	withScratch := map[SetKey]SetInput{{"demo", "web"}: {Desired: desired(scratch, 3)}}
	if kept, imp := screen([]Container{pod()}, withScratch); len(kept) != 1 || len(imp) != 0 {
		t.Errorf("a pod with an emptyDir was screened out: %+v", imp)
	}
	// A set the controller does not hold: nothing is decided about its containers.
	other := pod(func(c *Container) { c.Labels[identity.LabelSet], c.Name = "db", "x" })
	if kept, imp := screen([]Container{other}, sets); len(kept) != 1 || len(imp) != 0 {
		t.Errorf("a container of a set not held was screened: %+v", imp)
	}
}

// Impostors are reported in the set's plan; one under the pod's name blocks its creation.
func TestPlanEngineReportsImpostors(t *testing.T) {
	k := SetKey{"demo", "web"}
	w := World{Sets: map[SetKey]SetInput{k: {Desired: desired(testSet(noClaims), 2)}}, Now: t0}
	w.Snapshot.Containers = []Container{mainCtr(0, "r1", StateRunning)}
	w.Snapshot.Impostors = []Impostor{
		{Key: k, Ordinal: 0, Name: "forged", Reason: "name is not demo-web-0"},
		{Key: k, Ordinal: 1, Name: "demo-web-1", HoldsName: true, Reason: `network "default", not ordset-demo`},
	}
	p := PlanEngine(w).Sets[0].Plan
	want := "waiting: container forged carries the labels of web-0 but is not that pod (name is not demo-web-0): left alone; " +
		`container demo-web-1 carries the labels of web-1 but is not that pod (network "default", not ordset-demo): left alone`
	if got := p.String(); got != want {
		t.Errorf("plan:\n got %q\nwant %q", got, want)
	}
	if len(p.Pods) != 2 || !p.Pods[0].Ready || p.Pods[1].Phase != PhaseConflict || p.Pods[1].Exists {
		t.Errorf("pods %+v: web-0 stays the pod, web-1 is a conflict", p.Pods)
	}
}
