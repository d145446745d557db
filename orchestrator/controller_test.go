package orchestrator_test

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/identity"
)

func TestOrderedStartWaitsForReadiness(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(3, withReadiness), 3)
	e.waiting("web", "web-0 not Ready")
	// Create-ahead: web-1 is created while web-0 waits, but not started; web-2 is not touched.
	e.eventually("web-1 prepared", func() bool { _, ok := e.rt.Container("demo-web-1"); return ok })
	e.m.Trigger()
	e.waiting("web", "web-0 not Ready")
	if got := e.rt.CallsTo("StartContainer"); !slices.Equal(got, []string{"demo-web-0"}) {
		t.Fatalf("started %v before web-0 was Ready", got)
	}
	if got := e.rt.CallsTo("CreateContainer"); !slices.Equal(got, []string{"demo-web-0", "demo-web-1"}) {
		t.Fatalf("created %v before web-0 was Ready", got)
	}
	if c, _ := e.rt.Container("demo-web-1"); c.State != orchestrator.StateCreated {
		t.Fatalf("web-1 is %s before web-0 was Ready", c.State)
	}
	e.eventually("prepared web-1 observed as Pending", func() bool {
		for _, p := range e.status("web").Pods {
			if p.Name == "web-1" {
				return p.ContainerID != "" && p.Status == "Pending" && !p.Ready
			}
		}
		return false
	})
	e.probe.set("web-0", true)
	e.waiting("web", "web-1 not Ready")
	e.probe.set("web-1", true)
	e.waiting("web", "web-2 not Ready")
	e.probe.set("web-2", true)
	e.converged("web", 3)

	if got := e.rt.CallsTo("CreateContainer"); !slices.Equal(got, []string{"demo-web-0", "demo-web-1", "demo-web-2"}) {
		t.Fatalf("create order %v", got)
	}
	if got := e.rt.CallsTo("StartContainer"); !slices.Equal(got, []string{"demo-web-0", "demo-web-1", "demo-web-2"}) {
		t.Fatalf("start order %v", got)
	}
	// Each pod's volume exists before the pod is created.
	var order []string
	for _, c := range e.rt.Calls() {
		if c.Op == "CreateVolume" || c.Op == "CreateContainer" {
			order = append(order, c.String())
		}
	}
	want := []string{"CreateVolume demo_data-web-0", "CreateContainer demo-web-0", "CreateVolume demo_data-web-1",
		"CreateContainer demo-web-1", "CreateVolume demo_data-web-2", "CreateContainer demo-web-2"}
	if !slices.Equal(order, want) {
		t.Fatalf("order %v, want %v", order, want)
	}
	spec, _ := e.rt.Spec("demo-web-1")
	if spec.Network != "ordset-demo" || len(spec.DNS) != 1 || spec.Labels["io.ordset.test"] != "1" ||
		spec.Mounts[0].Source != "demo_data-web-1" {
		t.Fatalf("spec %+v", spec)
	}
}

func TestReadyPodTriggersNextCreateQuickly(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(2, withReadiness), 2)
	e.waiting("web", "web-0 not Ready")
	t0 := time.Now()
	e.probe.set("web-0", true)
	e.eventually("web-1 created", func() bool { _, ok := e.rt.Container("demo-web-1"); return ok })
	if d := time.Since(t0); d > 500*time.Millisecond {
		t.Fatalf("web-1 created %v after web-0 became Ready", d)
	}
}

func TestScaleDownAndUpKeepsVolumes(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(3), 3)
	e.converged("web", 3)
	if err := e.m.Scale("demo", "web", 1); err != nil {
		t.Fatal(err)
	}
	e.converged("web", 1)
	if got := e.rt.CallsTo("RemoveContainer"); !slices.Equal(got, []string{"demo-web-2", "demo-web-1"}) {
		t.Fatalf("scale down order %v", got)
	}
	if got := e.rt.VolumeNames(); len(got) != 3 {
		t.Fatalf("volumes after scale down (Retain) = %v", got)
	}
	if err := e.m.Scale("demo", "web", 3); err != nil {
		t.Fatal(err)
	}
	e.converged("web", 3)
	if n := len(e.rt.CallsTo("CreateVolume")); n != 3 {
		t.Fatalf("CreateVolume called %d times; volumes must be reused", n)
	}
	if err := e.m.Scale("demo", "nope", 1); err == nil {
		t.Fatal("scaling an unknown set succeeded")
	}
}

func TestScaleDownDeletesVolumesWhenPolicySaysSo(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(2, func(s *compose.StatefulSet) {
		s.PersistentVolumeClaimRetentionPolicy.WhenScaled = compose.Delete
	}), 2)
	e.converged("web", 2)
	_ = e.m.Scale("demo", "web", 1)
	e.eventually("volume of web-1 removed", func() bool {
		return slices.Equal(e.rt.VolumeNames(), []string{"demo_data-web-0"})
	})
}

// A crashed pod restarts in place, as the kubelet restarts a container: the same container
// (so the same volumes) starts again, restarts counts up, and the crash loop backs off.
func TestCrashRestartsInPlaceAndBacksOff(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(1), 1)
	e.converged("web", 1)
	first, _ := e.rt.Container("demo-web-0")

	// First crash: restarted at once, in place, restarts=1.
	e.rt.Exit("demo-web-0", 1)
	e.eventually("first restart", func() bool { return e.restarts("web", 0) == 1 })
	e.converged("web", 1)
	if c, _ := e.rt.Container("demo-web-0"); c.ID != first.ID || c.State != orchestrator.StateRunning {
		t.Fatalf("container %s %s, want %s running again", c.ID, c.State, first.ID)
	}

	// Second crash: 10 s backoff, then 20 s.
	for i, delay := range []time.Duration{10 * time.Second, 20 * time.Second} {
		e.clock.Advance(time.Minute) // Docker's times of one container's runs never repeat
		e.rt.Exit("demo-web-0", 2)
		e.waiting("web", "web-0 crash-looping, restart in "+delay.String())
		if st := e.status("web"); st.Pods[0].Status != orchestrator.PhaseCrashLoop {
			t.Fatalf("status %q", st.Pods[0].Status)
		}
		e.clock.Advance(delay - time.Second)
		e.m.Trigger()
		e.waiting("web", "web-0 crash-looping, restart in 1s")
		e.clock.Advance(time.Second)
		e.m.Trigger()
		want := i + 2
		e.eventually(fmt.Sprintf("restart %d", want), func() bool { return e.restarts("web", 0) == want })
		e.converged("web", 1)
	}
	if n := len(e.rt.CallsTo("CreateContainer")); n != 1 {
		t.Fatalf("containers created %d times, want 1 (restarts are in place)", n)
	}
	if got := e.label("demo-web-0", identity.LabelRestarts); got != "0" {
		t.Fatalf("restarts label %q: the counters live in the restart records", got)
	}
}

func TestLivenessFailureRestartsPod(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(1, withReadiness), 1)
	e.waiting("web", "web-0 not Ready")
	e.probe.set("web-0", true)
	e.converged("web", 1)
	e.probe.failLiveness("web-0")
	e.eventually("stopped", func() bool { return slices.Contains(e.rt.CallsTo("StopContainer"), "demo-web-0") })
	e.eventually("restarted", func() bool { return e.restarts("web", 0) == 1 })
}

func TestRollingUpdateHighestFirst(t *testing.T) {
	e := start(t)
	s := webSet(3)
	e.m.Apply("demo", s, 3)
	e.converged("web", 3)
	old := e.status("web").Revision
	s2 := webSet(3, func(s *compose.StatefulSet) { s.Main().Image = "app:2" })
	e.m.Apply("demo", s2, 3)
	e.converged("web", 3)
	if e.status("web").Revision == old {
		t.Fatal("revision did not change")
	}
	if got := e.rt.CallsTo("RemoveContainer"); !slices.Equal(got, []string{"demo-web-2", "demo-web-1", "demo-web-0"}) {
		t.Fatalf("update order %v", got)
	}
	for _, n := range []string{"demo-web-0", "demo-web-1", "demo-web-2"} {
		if c, _ := e.rt.Container(n); c.Image != "app:2" {
			t.Fatalf("%s image %s", n, c.Image)
		}
	}
}

func TestRollingUpdatePartition(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(3), 3)
	e.converged("web", 3)
	e.m.Apply("demo", webSet(3, func(s *compose.StatefulSet) { s.Main().Image = "app:2"; s.UpdateStrategy.Partition = 2 }), 3)
	e.eventually("web-2 updated", func() bool {
		st := e.status("web")
		return st.Updated == 1 && st.Ready == 3 && st.Waiting == ""
	})
	e.m.Trigger()
	e.eventually("pass", func() bool { return e.status("web").Updated == 1 })
	if got := e.rt.CallsTo("RemoveContainer"); !slices.Equal(got, []string{"demo-web-2"}) {
		t.Fatalf("removed %v", got)
	}
}

func TestOnDeleteRecreatesOnlyRemovedPods(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(2, func(s *compose.StatefulSet) { s.UpdateStrategy.Type = compose.OnDelete }), 2)
	e.converged("web", 2)
	e.m.Apply("demo", webSet(2, func(s *compose.StatefulSet) {
		s.UpdateStrategy.Type = compose.OnDelete
		s.Main().Image = "app:2"
	}), 2)
	e.eventually("new revision observed", func() bool {
		st := e.status("web")
		return st.Updated == 0 && st.Ready == 2 && st.Revision == compose.Revision(webSet(2, func(s *compose.StatefulSet) {
			s.UpdateStrategy.Type = compose.OnDelete
			s.Main().Image = "app:2"
		}))
	})
	if n := len(e.rt.CallsTo("RemoveContainer")); n != 0 {
		t.Fatalf("OnDelete removed %d pods", n)
	}
	e.rt.RemoveByName("demo-web-1")
	e.eventually("web-1 recreated", func() bool { c, ok := e.rt.Container("demo-web-1"); return ok && c.Image == "app:2" })
	e.eventually("status", func() bool { return e.status("web").Updated == 1 })
	if c, _ := e.rt.Container("demo-web-0"); c.Image != "app:1" {
		t.Fatalf("web-0 image %s", c.Image)
	}
}

func TestParallelCreatesAllAtOnce(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(3, withReadiness, func(s *compose.StatefulSet) { s.PodManagementPolicy = compose.Parallel }), 3)
	e.eventually("all created", func() bool { return len(e.rt.CallsTo("CreateContainer")) == 3 })
	if st := e.status("web"); st.Ready != 0 {
		t.Fatalf("ready = %d", st.Ready)
	}
}

func TestForeignContainerIsRefusedAndLeftIntact(t *testing.T) {
	e := start(t)
	e.rt.AddForeign("demo-web-1")
	e.m.Apply("demo", webSet(3), 3)
	e.waiting("web", "container demo-web-1 exists and is not managed by ordset; remove or rename it")
	e.m.Trigger()
	e.waiting("web", "not managed by ordset")
	if _, ok := e.rt.Container("demo-web-2"); ok {
		t.Fatal("web-2 created past a conflicting web-1")
	}
	if c, ok := e.rt.Container("demo-web-1"); !ok || identity.Owned(c.Labels) {
		t.Fatal("foreign container touched")
	}
	e.rt.RemoveByName("demo-web-1")
	e.m.Trigger()
	e.converged("web", 3)
}

func TestDependsOnWaitsForFullyReadySets(t *testing.T) {
	e := start(t)
	db := webSet(2, withReadiness, func(s *compose.StatefulSet) { s.Name, s.ServiceName = "db", "db" })
	web := webSet(1, func(s *compose.StatefulSet) { s.DependsOn = []string{"db"} })
	e.m.Apply("demo", web, 1)
	e.m.Apply("demo", db, 2)
	e.waiting("web", "dependsOn not Ready: db (0/2 Ready)")
	e.probe.set("db-0", true)
	e.waiting("web", "dependsOn not Ready: db (1/2 Ready)")
	if _, ok := e.rt.Container("demo-web-0"); ok {
		t.Fatal("web created before db was Ready")
	}
	e.probe.set("db-1", true)
	e.converged("web", 1)
}

func TestDeleteScalesDownThenForgets(t *testing.T) {
	e := start(t)
	events, cancel := e.m.Subscribe()
	defer cancel()
	e.m.Apply("demo", webSet(3), 3)
	e.converged("web", 3)
	var removed atomic.Bool
	e.rt.Hook = func(op, _ string) { // a slow network removal widens the window
		if op == "RemoveNetwork" {
			time.Sleep(50 * time.Millisecond)
			removed.Store(true)
		}
	}
	e.m.Delete("demo", "web", true)
	e.eventually("forgotten", func() bool { return len(e.m.Status("demo")) == 0 })
	if !removed.Load() {
		t.Fatal("set reported gone before its network was removed")
	}
	if got := e.rt.CallsTo("RemoveContainer"); !slices.Equal(got, []string{"demo-web-2", "demo-web-1", "demo-web-0"}) {
		t.Fatalf("delete order %v", got)
	}
	if v := e.rt.VolumeNames(); len(v) != 0 {
		t.Fatalf("volumes left %v", v)
	}
	if got := e.rt.CallsTo("RemoveNetwork"); !slices.Equal(got, []string{"ordset-demo"}) {
		t.Fatalf("network removal %v", got)
	}
	deadline := time.After(2 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Type == orchestrator.EventSetDeleted && ev.Set == "web" {
				// The network goes before the set is reported gone, so `down` returning means clean.
				if got := e.rt.CallsTo("RemoveNetwork"); len(got) != 1 {
					t.Fatalf("SetDeleted published before the network was removed (calls %v)", got)
				}
				return
			}
		case <-deadline:
			t.Fatal("no SetDeleted event")
		}
	}
}

func TestInitContainersRunBeforeMain(t *testing.T) {
	e := start(t)
	fail := true
	e.rt.InitExitCode = func(name string) int {
		if strings.HasSuffix(name, "init-b") && fail {
			fail = false
			return 3
		}
		return 0
	}
	s := webSet(1, func(s *compose.StatefulSet) {
		s.Template.Spec.InitContainers = []compose.Container{{Name: "a", Image: "busybox"}, {Name: "b"}}
	})
	e.m.Apply("demo", s, 1)
	e.converged("web", 1)
	want := []string{"demo-web-0-init-a", "demo-web-0-init-b", "demo-web-0-init-b", "demo-web-0"}
	if got := e.rt.CallsTo("CreateContainer"); !slices.Equal(got, want) {
		t.Fatalf("create order %v, want %v", got, want)
	}
	if got := e.label("demo-web-0-init-b", identity.LabelRestarts); got != "1" {
		t.Fatalf("init b restarts label %q", got)
	}
}

func TestOnPodsFeedsIPsAndReadiness(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(2), 2)
	e.converged("web", 2)
	deadline := time.After(2 * time.Second)
	for {
		select {
		case pods := <-e.pods:
			if len(pods) == 2 && pods[0].Ready && pods[1].Ready && pods[0].IP != "" && pods[1].IP != "" {
				if pods[0].Name != "web-0" || pods[0].Service != "web" || pods[0].Namespace != "demo" {
					t.Fatalf("pod %+v", pods[0])
				}
				return
			}
		case <-deadline:
			t.Fatal("OnPods never reported two Ready pods with IPs")
		}
	}
}

// A servicePorts-only change replaces no pod (no new revision) but renames SRV records, so
// OnPods reports it.
func TestOnPodsReportsServicePortChanges(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(1), 1)
	e.converged("web", 1)
	s := webSet(1)
	s.ServicePorts = []compose.ServicePort{{Name: "tcp-http", Protocol: "TCP", Port: 80, TargetPort: compose.PortRef{Number: 8080}}}
	e.m.Apply("demo", s, 1)
	deadline := time.After(5 * time.Second)
	for {
		select {
		case pods := <-e.pods:
			if len(pods) == 1 && len(pods[0].ServicePorts) == 1 && pods[0].ServicePorts[0].Name == "tcp-http" {
				return
			}
		case <-deadline:
			t.Fatal("OnPods never reported the new servicePorts")
		}
	}
}

func TestExecutionErrorsAreRetriedWithBackoff(t *testing.T) {
	e := start(t)
	e.rt.Fail("EnsureImage", "app:1", errString("image app:1 not found"))
	e.m.Apply("demo", webSet(1), 1)
	e.waiting("web", "retrying after error")
	n := len(e.rt.CallsTo("EnsureImage"))
	e.m.Trigger()
	e.waiting("web", "retrying after error")
	if got := len(e.rt.CallsTo("EnsureImage")); got != n {
		t.Fatalf("retried before the backoff: %d -> %d", n, got)
	}
	e.rt.Clear("EnsureImage", "app:1")
	e.clock.Advance(time.Minute)
	e.m.Trigger()
	e.converged("web", 1)
}

type errString string

func (e errString) Error() string { return string(e) }

func TestImageHealthcheckGatesReadinessWithoutProbe(t *testing.T) {
	e := start(t)
	e.rt.Healthchecks = map[string]bool{"app:1": true}
	e.m.Apply("demo", webSet(2), 2)
	e.waiting("web", "web-0 not Ready")
	e.m.Trigger()
	e.waiting("web", "web-0 not Ready")
	if c, ok := e.rt.Container("demo-web-1"); ok && c.State != orchestrator.StateCreated {
		t.Fatalf("web-1 is %s while web-0's HEALTHCHECK is starting", c.State)
	}
	e.rt.SetHealth("demo-web-0", "healthy")
	e.waiting("web", "web-1 not Ready")
	e.rt.SetHealth("demo-web-1", "healthy")
	e.converged("web", 2)
	e.rt.SetHealth("demo-web-1", "unhealthy")
	e.eventually("web-1 not Ready", func() bool { return e.status("web").Ready == 1 })
}

func TestBrokenEventStreamIsResubscribed(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(1), 1)
	e.converged("web", 1)
	e.eventually("subscribed", func() bool { return e.rt.Subscribers() == 1 })
	e.rt.BreakEvents(errString("connection reset"))
	e.eventually("resubscribed", func() bool { return e.rt.Subscribers() == 1 })
	e.rt.Exit("demo-web-0", 1)
	e.eventually("crash noticed through the new stream", func() bool { return e.restarts("web", 0) == 1 })
}

func TestRestartedManagerAdoptsPodsWithoutChanges(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(3), 3)
	e.converged("web", 3)
	e.stop()
	before := e.rt.ContainerNames()
	e.rt.ResetCalls()

	e2 := startOn(t, e.rt, e.clock)
	e2.m.Apply("demo", webSet(3), 3)
	e2.converged("web", 3)
	for _, c := range e2.rt.Calls() {
		switch c.Op {
		case "ListContainers", "ListVolumes", "ListNetworks", "ListForeignNames", "InspectContainer": // reads only
		default:
			t.Fatalf("restarted manager changed something: %v", c)
		}
	}
	if after := e2.rt.ContainerNames(); !slices.Equal(before, after) {
		t.Fatalf("containers %v -> %v", before, after)
	}
}

// A pass whose list was taken while a set's execution ran must not plan from it once that
// execution has finished: it would repeat the create and fail with "name already in use".
func TestPassDoesNotPlanFromAListOlderThanAnExecution(t *testing.T) {
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	rt := fakeruntime.New(c.Now)
	var e *env
	var armed atomic.Bool
	rt.Hook = func(op, name string) {
		switch {
		case op == "CreateContainer" && name == "demo-web-0" && armed.CompareAndSwap(false, true):
			e.m.Trigger()                     // a pass lists while this create is in flight...
			time.Sleep(20 * time.Millisecond) // ...and its snapshot is taken before the create lands
		case op == "ListContainers" && armed.Load():
			time.Sleep(60 * time.Millisecond) // the execution finishes before that pass plans
		}
	}
	e = startOn(t, rt, c)
	events, cancel := e.m.Subscribe()
	defer cancel()
	e.m.Apply("demo", webSet(1), 1)
	e.converged("web", 1)
	if got := e.rt.CallsTo("CreateContainer"); !slices.Equal(got, []string{"demo-web-0"}) {
		t.Fatalf("creates %v, want exactly one", got)
	}
	for {
		select {
		case ev := <-events:
			if ev.Type == orchestrator.EventError {
				t.Fatalf("error event: %s", ev.Message)
			}
		default:
			return
		}
	}
}

// Image pull progress reaches subscribers as ImagePull events for the pod, throttled: a burst
// of lines within pullNoteEvery yields one event, not one per line.
func TestImagePullProgressIsPublishedThrottled(t *testing.T) {
	c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	rt := fakeruntime.New(c.Now)
	rt.PullLines = map[string][]string{"app:1": {"Pulling fs layer", "Downloading 1/10", "Downloading 9/10", "Pull complete"}}
	e := startOn(t, rt, c)
	events, cancel := e.m.Subscribe()
	defer cancel()
	e.m.Apply("demo", webSet(1, func(s *compose.StatefulSet) { s.Main().ImagePullPolicy = compose.PullAlways }), 1)
	e.converged("web", 1)
	var pulls []orchestrator.ProgressEvent
	for {
		select {
		case ev := <-events:
			if ev.Type == orchestrator.EventImagePull {
				pulls = append(pulls, ev)
			}
			continue
		default:
		}
		break
	}
	if len(pulls) != 1 || pulls[0].Pod != "web-0" || pulls[0].Set != "web" || pulls[0].Namespace != "demo" ||
		pulls[0].Message != "pulling app:1: Pulling fs layer" {
		t.Fatalf("pull events %+v, want one for web-0", pulls)
	}
}
