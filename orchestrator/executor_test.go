package orchestrator_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/identity"
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

// TestExecutorRunsLifecycleHooks checks postStart runs right after the start, preStop runs
// inside the container before the stop signal, and a failed postStart stops the container.
func TestExecutorRunsLifecycleHooks(t *testing.T) {
	rt := fakeruntime.New(nil)
	if _, err := rt.EnsureNetwork(context.Background(), "demo"); err != nil {
		t.Fatal(err)
	}
	var ran [][]string
	exit := 0
	rt.ExecFunc = func(_ string, cmd []string) (orchestrator.ExecResult, error) {
		ran = append(ran, cmd)
		return orchestrator.ExecResult{ExitCode: exit}, nil
	}
	set := webSet(1, func(s *compose.StatefulSet) { s.VolumeClaimTemplates, s.Main().VolumeMounts = nil, nil })
	set.Main().Lifecycle = &compose.Lifecycle{
		PostStart: &compose.LifecycleHandler{Exec: &compose.ExecAction{Command: []string{"post"}}},
		PreStop:   &compose.LifecycleHandler{Exec: &compose.ExecAction{Command: []string{"pre"}}}}
	tpl := orchestrator.PodTemplate{Namespace: "demo", Set: set, Revision: "r1", Network: "ordset-demo"}
	name := identity.ContainerName("demo", "web", 0)
	create := orchestrator.Action{Kind: orchestrator.ActCreatePod, Pod: "web-0", Target: name, Revision: "r1"}
	res := orchestrator.Executor{RT: rt}.Execute(context.Background(), tpl, []orchestrator.Action{create})
	if len(res) != 1 || res[0].Err != nil {
		t.Fatalf("create: %+v", res)
	}
	del := orchestrator.Action{Kind: orchestrator.ActDeletePod, Pod: "web-0", Target: name, ContainerID: res[0].ID, Grace: time.Second}
	if res := (orchestrator.Executor{RT: rt}).Execute(context.Background(), tpl, []orchestrator.Action{del}); res[0].Err != nil {
		t.Fatalf("delete: %v", res[0].Err)
	}
	var ops []string
	for _, c := range rt.Calls() {
		if c.Name == name {
			ops = append(ops, c.Op)
		}
	}
	if want := []string{"CreateContainer", "StartContainer", "Exec", "Exec", "StopContainer", "RemoveContainer"}; !slices.Equal(ops, want) {
		t.Errorf("calls %v, want %v", ops, want)
	}
	if len(ran) != 2 || ran[0][0] != "post" || ran[1][0] != "pre" {
		t.Errorf("hooks ran %v, want post then pre", ran)
	}

	exit = 1
	rt.ResetCalls()
	res = orchestrator.Executor{RT: rt}.Execute(context.Background(), tpl, []orchestrator.Action{create})
	if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "postStart hook: exited 1") {
		t.Fatalf("failed postStart: %+v", res)
	}
	if stops := rt.CallsTo("StopContainer"); len(stops) != 1 || stops[0] != name {
		t.Errorf("a failed postStart must stop the container; stops %v", stops)
	}
}

// TestExecutorRefusesRootWithRunAsNonRoot checks runAsNonRoot against the image's user: the
// fake's images have none (root), so the container is refused before it is created.
func TestExecutorRefusesRootWithRunAsNonRoot(t *testing.T) {
	rt := fakeruntime.New(nil)
	if _, err := rt.EnsureNetwork(context.Background(), "demo"); err != nil {
		t.Fatal(err)
	}
	yes, uid := true, int64(1000)
	set := webSet(1, func(s *compose.StatefulSet) { s.VolumeClaimTemplates, s.Main().VolumeMounts = nil, nil })
	set.Template.Spec.SecurityContext = &compose.PodSecurityContext{RunAsNonRoot: &yes}
	tpl := orchestrator.PodTemplate{Namespace: "demo", Set: set, Revision: "r1", Network: "ordset-demo"}
	create := orchestrator.Action{Kind: orchestrator.ActCreatePod, Pod: "web-0", Target: identity.ContainerName("demo", "web", 0), Revision: "r1"}
	res := orchestrator.Executor{RT: rt}.Execute(context.Background(), tpl, []orchestrator.Action{create})
	if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "runAsNonRoot, but it runs as root") {
		t.Fatalf("root image with runAsNonRoot: %+v", res)
	}
	if n := rt.CallsTo("CreateContainer"); len(n) != 0 {
		t.Errorf("created %v", n)
	}
	set.Template.Spec.SecurityContext.RunAsUser = &uid
	if res := (orchestrator.Executor{RT: rt}).Execute(context.Background(), tpl, []orchestrator.Action{create}); res[0].Err != nil {
		t.Errorf("runAsUser 1000: %v", res[0].Err)
	}
}
