package orchestrator_test

import (
	"context"
	"errors"
	"github.com/ordset/ordset/orchestrator/identity"
	"slices"
	"strings"
	"testing"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
)

func TestExecutorStopsAPodAtItsFirstErrorOnly(t *testing.T) {
	rt := fakeruntime.New(nil)
	if _, err := rt.EnsureNetwork(context.Background(), "demo"); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	rt.Fail("CreateVolume", "demo_data-web-0", boom)
	set := webSet(2)
	tpl := orchestrator.PodTemplate{Namespace: "demo", Set: set, Revision: "r1", Network: "ordset-demo"}
	vol := func(ord int) orchestrator.Action {
		n := identity.VolumeName("demo", "data", "web", ord)
		return orchestrator.Action{Kind: orchestrator.ActCreateVolume, Pod: identity.PodName("web", ord), Ordinal: ord,
			Target: n, Volume: orchestrator.VolumeSpec{Name: n, Labels: identity.VolumeLabels("demo", "web", "data", ord)}}
	}
	pod := func(ord int) orchestrator.Action {
		return orchestrator.Action{Kind: orchestrator.ActCreatePod, Pod: identity.PodName("web", ord), Ordinal: ord,
			Target: identity.ContainerName("demo", "web", ord), Revision: "r1"}
	}
	res := orchestrator.Executor{RT: rt}.Execute(context.Background(), tpl, []orchestrator.Action{vol(0), pod(0), vol(1), pod(1)})
	if len(res) != 3 {
		t.Fatalf("results %+v", res)
	}
	var failed []string
	for _, r := range res {
		if r.Err != nil {
			failed = append(failed, r.Err.Error())
			if !errors.Is(r.Err, boom) || !strings.Contains(r.Err.Error(), "create volume demo_data-web-0") {
				t.Errorf("error %v does not wrap the cause with the object name", r.Err)
			}
		}
	}
	if len(failed) != 1 {
		t.Fatalf("failures %v", failed)
	}
	if got := rt.ContainerNames(); !slices.Equal(got, []string{"demo-web-1"}) {
		t.Fatalf("containers %v: web-0 must not be created without its volume, web-1 must", got)
	}
	c, _ := rt.Container("demo-web-1")
	if c.State != orchestrator.StateRunning {
		t.Fatalf("web-1 state %s: create-pod is create+start", c.State)
	}
}

func TestExecutorDeletePodStopsThenRemoves(t *testing.T) {
	rt := fakeruntime.New(nil)
	e := orchestrator.Executor{RT: rt}
	tpl := orchestrator.PodTemplate{Namespace: "demo", Set: webSet(1, noVolumes), Revision: "r1"}
	id, err := e.Do(context.Background(), tpl, orchestrator.Action{Kind: orchestrator.ActCreatePod, Pod: "web-0", Target: "demo-web-0"})
	if err != nil {
		t.Fatal(err)
	}
	rt.ResetCalls()
	if _, err := e.Do(context.Background(), tpl, orchestrator.Action{Kind: orchestrator.ActDeletePod, Pod: "web-0",
		Target: "demo-web-0", ContainerID: id}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range rt.Calls() {
		got = append(got, c.String())
	}
	if !slices.Equal(got, []string{"StopContainer demo-web-0", "RemoveContainer demo-web-0"}) {
		t.Fatalf("calls %v", got)
	}
}

func TestExecutorRefusesForeignName(t *testing.T) {
	rt := fakeruntime.New(nil)
	rt.AddForeign("demo-web-0")
	tpl := orchestrator.PodTemplate{Namespace: "demo", Set: webSet(1, noVolumes), Revision: "r1"}
	_, err := orchestrator.Executor{RT: rt}.Do(context.Background(), tpl,
		orchestrator.Action{Kind: orchestrator.ActCreatePod, Pod: "web-0", Target: "demo-web-0"})
	if !errors.Is(err, orchestrator.ErrNotOwned) || !errors.Is(err, orchestrator.ErrNameInUse) {
		t.Fatalf("err = %v", err)
	}
}
