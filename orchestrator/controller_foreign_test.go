package orchestrator_test

import (
	"testing"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// A foreign container holding an init container's name blocks the pod like one holding the
// main container's name: the conflict is reported (not forgotten at once because the main
// container's name is free) and the foreign container is left alone until it goes.
func TestForeignInitContainerIsRefusedAndReported(t *testing.T) {
	e := start(t)
	e.rt.AddForeign("demo-web-0-init-a")
	s := webSet(1, func(s *compose.StatefulSet) {
		s.InitContainers = []compose.InitContainer{{Name: "a", Image: "busybox"}}
	})
	e.m.Apply("demo", s, 1)
	e.waiting("web", "container demo-web-0-init-a exists and is not managed by ordset")
	e.m.Trigger()
	e.waiting("web", "container demo-web-0-init-a exists and is not managed by ordset")
	if c, ok := e.rt.Container("demo-web-0-init-a"); !ok || identity.Owned(c.Labels) {
		t.Fatal("foreign init container touched")
	}
	if _, ok := e.rt.Container("demo-web-0"); ok {
		t.Fatal("main container created past a conflicting init container")
	}
	if n := createCalls(e, "demo-web-0-init-a"); n != 1 {
		t.Fatalf("%d create attempts on a foreign name, want 1 (no retry while it stays)", n)
	}
	e.rt.RemoveByName("demo-web-0-init-a")
	e.m.Trigger()
	e.converged("web", 1)
}

// A set with nothing of its own on the engine yet (no claim volumes) still sees the conflict.
func TestForeignContainerBlocksASetWithNoObjects(t *testing.T) {
	e := start(t)
	e.rt.AddForeign("demo-web-0")
	e.m.Apply("demo", webSet(1, noVolumes), 1)
	e.waiting("web", "container demo-web-0 exists and is not managed by ordset")
	e.m.Trigger()
	e.waiting("web", "container demo-web-0 exists and is not managed by ordset")
	if n := createCalls(e, "demo-web-0"); n != 1 {
		t.Fatalf("%d create attempts on a foreign name, want 1 (no retry while it stays)", n)
	}
	e.rt.RemoveByName("demo-web-0")
	e.m.Trigger()
	e.converged("web", 1)
}

func createCalls(e *env, name string) int {
	n := 0
	for _, c := range e.rt.CallsTo("CreateContainer") {
		if c == name {
			n++
		}
	}
	return n
}

// Claim volume names can collide across sets (claim "data-x" of set "y" and claim "data" of set
// "x-y" both make demo_data-x-y-0). The second set must not silently mount the first one's data.
func TestVolumeOfAnotherSetIsNotShared(t *testing.T) {
	e := start(t)
	y := webSet(1, func(s *compose.StatefulSet) {
		s.Name, s.ServiceName = "y", "y"
		s.VolumeClaimTemplates = []compose.VolumeClaimTemplate{{Name: "data-x"}}
		s.VolumeMounts = []compose.VolumeMount{{Name: "data-x", MountPath: "/data"}}
	})
	xy := webSet(1, func(s *compose.StatefulSet) { s.Name, s.ServiceName = "x-y", "x-y" })
	e.m.Apply("demo", y, 1)
	e.converged("y", 1)
	e.m.Apply("demo", xy, 1)
	e.waiting("x-y", "volume demo_data-x-y-0")
	if _, ok := e.rt.Container("demo-x-y-0"); ok {
		t.Fatal("x-y-0 was created on y-0's volume")
	}
}
