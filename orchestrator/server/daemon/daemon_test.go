package daemon

import (
	"context"
	"errors"
	"fmt"
	"github.com/ordset/ordset/orchestrator/server/statedir"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// harness runs one daemon over a fake runtime in a state dir, the way `ordset daemon` does.
type harness struct {
	t      *testing.T
	paths  statedir.Paths
	rt     *fakeruntime.Runtime
	d      *Daemon
	c      *api.Client
	cancel context.CancelFunc
	done   chan error
}

// shortDir keeps the unix socket path under the 108-byte limit.
func shortDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "ordset-d")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func start(t *testing.T, dir string, rt *fakeruntime.Runtime) *harness {
	t.Helper()
	h := &harness{t: t, paths: statedir.PathsIn(dir), rt: rt, done: make(chan error, 1)}
	d, err := New(Options{
		Paths: h.paths, Runtime: rt, Logger: slog.New(slog.DiscardHandler), Version: "test",
		DNSAddr: "127.0.0.1:0", GatewayDNSPort: 1, Resync: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.d = d
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- d.Run(ctx) }()
	h.c = api.NewClient(h.paths.Socket)
	waitFor(t, "daemon socket", func() bool { return h.c.Ping(context.Background()) == nil })
	t.Cleanup(h.stop)
	return h
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	select {
	case err := <-h.done:
		if err != nil {
			h.t.Errorf("daemon run: %v", err)
		}
	case <-time.After(10 * time.Second):
		h.t.Fatal("daemon did not stop")
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func testSet(replicas int) *compose.StatefulSet {
	return &compose.StatefulSet{
		Replicas: &replicas, ServiceName: "web", PodManagementPolicy: compose.OrderedReady,
		UpdateStrategy:                       compose.UpdateStrategy{Type: compose.RollingUpdate},
		PersistentVolumeClaimRetentionPolicy: compose.RetentionPolicy{WhenScaled: compose.Retain, WhenDeleted: compose.Retain},
		Template: compose.PodTemplateSpec{Spec: compose.PodSpec{Containers: []compose.Container{{
			Name: "web", Image: "ordset-test/testapp:latest", ImagePullPolicy: compose.PullNever,
			Ports:        []compose.Port{{Name: "http", ContainerPort: 8080, Protocol: "TCP"}},
			VolumeMounts: []compose.VolumeMount{{Name: "data", MountPath: "/data"}}}}}},
		VolumeClaimTemplates: []compose.VolumeClaimTemplate{{Name: "data"}},
	}
}

func (h *harness) apply(ns string, replicas int) api.ApplyResponse {
	h.t.Helper()
	resp, err := h.c.Apply(context.Background(), api.ApplyRequest{Namespace: ns, Sets: map[string]*compose.StatefulSet{"web": testSet(replicas)}})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

// readyPods waits until ns/web has exactly n Ready pods with ordinals 0..n-1 and no others.
func (h *harness) readyPods(ns string, n int) []api.Pod {
	h.t.Helper()
	var pods []api.Pod
	waitFor(h.t, fmt.Sprintf("%d ready pods", n), func() bool {
		var err error
		pods, err = h.c.Pods(context.Background(), ns)
		if err != nil || len(pods) != n {
			return false
		}
		for i, p := range pods {
			if !p.Ready || p.Ordinal != i || p.Name != fmt.Sprintf("web-%d", i) {
				return false
			}
		}
		return true
	})
	return pods
}

// containersOnce checks the fake engine holds exactly one container per ordinal 0..n-1.
func (h *harness) containersOnce(ns string, n int) {
	h.t.Helper()
	count := map[string]int{}
	for _, name := range h.rt.ContainerNames() {
		if strings.HasPrefix(name, ns+"-web-") {
			count[name]++
		}
	}
	if len(count) != n {
		h.t.Errorf("containers %v, want %d", count, n)
	}
	for i := range n {
		if c := count[fmt.Sprintf("%s-web-%d", ns, i)]; c != 1 {
			h.t.Errorf("container %s-web-%d exists %d times", ns, i, c)
		}
	}
}

func TestApplyScaleDelete(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	ctx := context.Background()
	if r := h.apply("t1", 3); r.Sets[0].Action != api.Created {
		t.Errorf("first apply: %+v", r)
	}
	pods := h.readyPods("t1", 3)
	if pods[1].Volumes[0] != "t1_data-web-1" || pods[1].StatefulSet != "web" || pods[1].Container != "t1-web-1" {
		t.Errorf("pod 1: %+v", pods[1])
	}
	if r := h.apply("t1", 3); r.Sets[0].Action != api.Unchanged {
		t.Errorf("re-apply: %+v", r)
	}
	if err := h.c.Scale(ctx, api.ScaleRequest{Namespace: "t1", Set: "web", Replicas: 5}); err != nil {
		t.Fatal(err)
	}
	h.readyPods("t1", 5)
	if err := h.c.Scale(ctx, api.ScaleRequest{Namespace: "t1", Set: "web", Replicas: 2}); err != nil {
		t.Fatal(err)
	}
	h.readyPods("t1", 2)
	h.containersOnce("t1", 2)
	// The file's replicas override the scale, as kubectl apply does.
	if r := h.apply("t1", 3); r.Sets[0].Action != api.Scaled {
		t.Errorf("apply after scale: %+v", r)
	}
	h.readyPods("t1", 3)

	err := h.c.Scale(ctx, api.ScaleRequest{Namespace: "t1", Set: "nope", Replicas: 1})
	if !errors.Is(err, api.ErrNotFound) {
		t.Errorf("scale unknown set: %v", err)
	}
	sets, err := h.c.StatefulSets(ctx, "t1")
	if err != nil || len(sets) != 1 || sets[0].Ready != 3 || sets[0].Desired != 3 || !sets[0].Converged() {
		t.Errorf("statefulsets: %+v %v", sets, err)
	}
	if _, err := h.c.Delete(ctx, api.DeleteRequest{Namespace: "t1"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "set gone", func() bool {
		s, _ := h.c.StatefulSets(ctx, "t1")
		return len(s) == 0 && len(h.rt.ContainerNames()) == 0
	})
	if v := h.rt.VolumeNames(); len(v) != 5 {
		t.Errorf("volumes after down without --volumes: %v", v)
	}
	st, err := h.c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Orphans) != 5 || st.Orphans[0].Kind != "volume" {
		t.Errorf("retained volumes are reported as orphans: %+v", st.Orphans)
	}
	// down --volumes of the file's sets (already deleted) drops their retained volumes, not
	// those of another set.
	resp, err := h.c.Delete(ctx, api.DeleteRequest{Namespace: "t1", Sets: []string{"other"}, RemoveVolumes: true})
	if !errors.Is(err, api.ErrNotFound) || len(h.rt.VolumeNames()) != 5 {
		t.Errorf("down --volumes of a set that never existed: %+v %v, volumes %v", resp, err, h.rt.VolumeNames())
	}
	resp, err = h.c.Delete(ctx, api.DeleteRequest{Namespace: "t1", Sets: []string{"web"}, RemoveVolumes: true})
	if err != nil || len(resp.Volumes) != 5 || len(resp.Sets) != 0 {
		t.Errorf("down -f --volumes after down: %+v %v", resp, err)
	}
	// down --volumes of the namespace drops the retained volumes too.
	h.apply("t1", 1)
	h.readyPods("t1", 1)
	if _, err := h.c.Delete(ctx, api.DeleteRequest{Namespace: "t1"}); err != nil {
		t.Fatal(err)
	}
	// down waits until the set is gone (forgotten by the store), not only its pods.
	waitFor(t, "set gone", func() bool { s, _ := h.c.StatefulSets(ctx, "t1"); return len(s) == 0 })
	resp, err = h.c.Delete(ctx, api.DeleteRequest{Namespace: "t1", RemoveVolumes: true})
	if err != nil || len(resp.Volumes) != 1 || len(resp.Sets) != 0 {
		t.Errorf("down --volumes after down: %+v %v", resp, err)
	}
	if v := h.rt.VolumeNames(); len(v) != 0 {
		t.Errorf("volumes left: %v", v)
	}
	if _, err := h.c.Delete(ctx, api.DeleteRequest{Namespace: "t1", RemoveVolumes: true}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("down of an empty namespace: %v", err)
	}
}

func TestConcurrentScalesSerialize(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	h.apply("t2", 1)
	h.readyPods("t2", 1)
	var wg sync.WaitGroup
	for _, n := range []int{4, 2, 3, 5, 1} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.c.Scale(context.Background(), api.ScaleRequest{Namespace: "t2", Set: "web", Replicas: n}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// Whatever order they ran in, the last store write is also the Manager's desired count,
	// and the set converges to it with each ordinal exactly once.
	rec, err := h.d.store.Get("t2", "web")
	if err != nil {
		t.Fatal(err)
	}
	h.d.events.flush()
	events, _ := h.d.store.Events(0)
	var last string
	for _, e := range events {
		if e.Reason == "Scaled" {
			last = e.Message
		}
	}
	if !strings.HasSuffix(last, fmt.Sprintf("to %d replicas", rec.Replicas)) {
		t.Errorf("last Scaled event %q disagrees with stored replicas %d", last, rec.Replicas)
	}
	h.readyPods("t2", rec.Replicas)
	h.containersOnce("t2", rec.Replicas)
	sets, _ := h.c.StatefulSets(context.Background(), "t2")
	if sets[0].Desired != rec.Replicas {
		t.Errorf("manager desired %d, store %d", sets[0].Desired, rec.Replicas)
	}
}

func TestRestartConverges(t *testing.T) {
	dir := shortDir(t)
	rt := fakeruntime.New(nil)
	h := start(t, dir, rt)
	h.apply("t3", 3)
	h.readyPods("t3", 3)
	h.stop()

	// While no daemon runs, the desired state changes (a scale written just before a crash).
	st, err := store.Open(statedir.PathsIn(dir).DB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetReplicas("t3", "web", 5, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()

	h2 := start(t, dir, rt)
	h2.readyPods("t3", 5)
	h2.containersOnce("t3", 5)
	if r := h2.apply("t3", 5); r.Sets[0].Action != api.Unchanged {
		t.Errorf("apply after restart: %+v", r)
	}
}

func TestOneDaemonPerStateDir(t *testing.T) {
	dir := shortDir(t)
	start(t, dir, fakeruntime.New(nil))
	_, err := New(Options{Paths: statedir.PathsIn(dir), Runtime: fakeruntime.New(nil), Logger: slog.New(slog.DiscardHandler)})
	if !errors.Is(err, statedir.ErrAlreadyRunning) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) || !strings.Contains(err.Error(), filepath.Join(dir, "ordset.sock")) {
		t.Errorf("second daemon: %v", err)
	}
	if statedir.LockedPID(statedir.PathsIn(dir)) != os.Getpid() {
		t.Errorf("LockedPID = %d", statedir.LockedPID(statedir.PathsIn(dir)))
	}
}

func TestRolloutRestartChangesRevision(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	h.apply("t4", 2)
	before := h.readyPods("t4", 2)
	if err := h.c.Restart(context.Background(), api.RestartRequest{Namespace: "t4", Set: "web"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "pods on a new revision", func() bool {
		pods, _ := h.c.Pods(context.Background(), "t4")
		if len(pods) != 2 {
			return false
		}
		for _, p := range pods {
			if !p.Ready || p.Revision == before[0].Revision {
				return false
			}
		}
		return true
	})
	// An unchanged file re-applied keeps the restart marker: no second roll.
	if r := h.apply("t4", 2); r.Sets[0].Action != api.Unchanged {
		t.Errorf("apply after restart: %+v", r)
	}
}

func TestWatchAndEvents(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	h.apply("t5", 2)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := h.c.Watch(ctx, "t5", []string{"web"}, func(f api.WatchFrame) error {
		if len(f.Sets) == 1 && f.Sets[0].Converged() && f.Sets[0].Desired == 2 {
			return api.ErrStop
		}
		return nil
	})
	if err != nil {
		t.Fatalf("watch until ready: %v", err)
	}
	var reasons []string
	if err := h.c.Events(ctx, api.EventsQuery{Namespace: "t5"}, func(e api.Event) error { reasons = append(reasons, e.Reason); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(reasons) == 0 || reasons[0] != "Applied" {
		t.Errorf("events %v", reasons)
	}
}

func TestStopEndsStreams(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	h.apply("t6", 1)
	following := make(chan error, 1)
	go func() {
		following <- h.c.Events(context.Background(), api.EventsQuery{Follow: true}, func(api.Event) error { return nil })
	}()
	waitFor(t, "a follower", func() bool { return h.d.events.hub.Subscribers() > 0 })
	began := time.Now()
	h.stop()
	if took := time.Since(began); took > 30*time.Second { // a hang, not a slow machine
		t.Errorf("stopping with a follower attached took %s", took)
	}
	select {
	case <-following:
	case <-time.After(5 * time.Second):
		t.Error("follower not ended by the daemon stopping")
	}
}

func TestApplyPrune(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	ctx := context.Background()
	two := map[string]*compose.StatefulSet{"web": testSet(1), "db": testSet(1)}
	if _, err := h.c.Apply(ctx, api.ApplyRequest{Namespace: "t7", Sets: two}); err != nil {
		t.Fatal(err)
	}
	// Without prune a set missing from the request stays; with prune it is deleted.
	if _, err := h.c.Apply(ctx, api.ApplyRequest{Namespace: "t7", Sets: map[string]*compose.StatefulSet{"web": testSet(1)}}); err != nil {
		t.Fatal(err)
	}
	if sets, _ := h.d.store.List("t7"); len(sets) != 2 {
		t.Fatalf("apply without prune removed a set: %+v", sets)
	}
	resp, err := h.c.Apply(ctx, api.ApplyRequest{Namespace: "t7", Sets: map[string]*compose.StatefulSet{"web": testSet(1)}, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Sets) != 2 || !reflect.DeepEqual(resp.Sets[1], api.SetResult{Name: "db", Action: api.Pruned}) {
		t.Errorf("prune response %+v", resp.Sets)
	}
	waitFor(t, "db pods gone", func() bool {
		for _, n := range h.rt.ContainerNames() {
			if strings.HasPrefix(n, "t7-db-") {
				return false
			}
		}
		return true
	})
}
