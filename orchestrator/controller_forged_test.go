package orchestrator_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/ordset/ordset/orchestrator"
)

// A container made by someone else with a copy of a pod's labels is neither removed as a
// duplicate, nor adopted as the pod (the real pod is created beside it with its volume), nor
// touched under the pod's own name: it is reported until it goes.
func TestForgedLabelContainerIsLeftAlone(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(2), 2)
	e.converged("web", 2)
	real1, _ := e.rt.Container("demo-web-1")
	forge := func(name, network string) {
		e.rt.AddForged(orchestrator.Container{Name: name, Labels: maps.Clone(real1.Labels), NetworkMode: network})
	}

	// Beside the pod: not a duplicate.
	forge("forged-a", "default")
	e.waiting("web", "container forged-a carries the labels of web-1 but is not that pod")
	if c, _ := e.rt.Container("demo-web-1"); c.ID != real1.ID {
		t.Fatal("the real pod was replaced")
	}

	// The pod gone: the copy is not adopted; the real pod comes back with its volume.
	e.rt.RemoveByName("demo-web-1")
	// The status is what must show the new pod Ready: wait for that (the container running
	// comes first, the controller's observation of it and the probe after).
	var web1 orchestrator.PodStatus
	e.eventually("web-1 recreated and Ready", func() bool {
		c, ok := e.rt.Container("demo-web-1")
		web1 = pod(e.status("web"), 1)
		return ok && c.ID != real1.ID && web1.ContainerID == c.ID && web1.Ready
	})
	spec, _ := e.rt.Spec("demo-web-1")
	if len(spec.Mounts) == 0 || spec.Mounts[0].Source != "demo_data-web-1" {
		t.Fatalf("recreated web-1 mounts %v", spec.Mounts)
	}
	if web1.Container != "demo-web-1" {
		t.Fatalf("web-1 shown as %+v", web1)
	}

	// Under the pod's own name, on the wrong network: a conflict, the pod waits for it to go.
	// The pod is replaced in one step: removed first, the controller could recreate it before
	// the forged one takes the name.
	e.rt.ReplaceWithForged(orchestrator.Container{Name: "demo-web-1", Labels: maps.Clone(real1.Labels), NetworkMode: "bridge"})
	const conflict = "container demo-web-1 carries the labels of web-1 but is not that pod"
	e.eventually("web-1 shown in conflict", func() bool {
		st := e.status("web")
		web1 = pod(st, 1)
		return strings.Contains(st.Waiting, conflict) && web1.Status == orchestrator.PhaseConflict
	})
	if web1.Ready {
		t.Fatalf("web-1 under a forged container shown Ready: %+v", web1)
	}
	e.rt.RemoveByName("demo-web-1")
	e.eventually("web-1 recreated after the forged one went", func() bool {
		st := e.status("web")
		return st.Ready == 2 && strings.Contains(st.Waiting, "forged-a")
	})

	for _, op := range []string{"StopContainer", "RemoveContainer", "RenameContainer", "Exec"} {
		for _, n := range e.rt.CallsTo(op) {
			if strings.HasPrefix(n, "forged") || n == "demo-web-1" && op != "Exec" {
				t.Errorf("%s %s: a forged container was touched", op, n)
			}
		}
	}
	if _, ok := e.rt.Container("forged-a"); !ok {
		t.Fatal("forged-a was removed")
	}
}

// pod is the status of the set's pod of that ordinal (zero when not listed yet).
func pod(st orchestrator.SetStatus, ordinal int) orchestrator.PodStatus {
	for _, p := range st.Pods {
		if p.Ordinal == ordinal {
			return p
		}
	}
	return orchestrator.PodStatus{}
}
