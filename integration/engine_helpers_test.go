//go:build integration

package integration

import (
	"bytes"
	"context"
	"fmt"
	"github.com/ordset/ordset/orchestrator/identity"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
)

// engine is one test's controller: a Manager over the real Docker runtime in a fresh
// namespace, with every progress event recorded for order assertions.
type engine struct {
	t   *testing.T
	ns  string
	cli *client.Client
	m   *orchestrator.Manager

	mu     sync.Mutex
	events []orchestrator.ProgressEvent
	logs   bytes.Buffer
}

// newEngine starts a Manager for a unique namespace; the test's cleanup stops it and then
// sweeps the namespace's test objects (cleanups run last-registered first).
func newEngine(t *testing.T, prefix string) *engine {
	t.Helper()
	return newEngineWith(t, prefix, orchestrator.Options{Resync: 2 * time.Second})
}

// newEngineWith is newEngine with Manager options (Logger and ExtraLabels are set here).
func newEngineWith(t *testing.T, prefix string, opts orchestrator.Options) *engine {
	t.Helper()
	testenv.EnsureImages(t, "testapp")
	e := &engine{t: t, cli: testenv.Docker(t)}
	e.ns = testenv.UniqueNamespace(t, prefix)
	rt := testenv.Runtime(t)
	log := slog.New(slog.NewTextHandler(engineLogWriter{&e.mu, &e.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Logger, opts.ExtraLabels = log, testenv.Labels()
	e.m = orchestrator.NewManager(rt, opts)
	evs, unsubscribe := e.m.Subscribe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.m.Run(ctx)
	}()
	go func() {
		for ev := range evs {
			e.mu.Lock()
			e.events = append(e.events, ev)
			e.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		unsubscribe()
		if t.Failed() {
			e.mu.Lock()
			t.Logf("controller log of %s:\n%s", e.ns, e.logs.String())
			t.Logf("events of %s:\n%s", e.ns, e.eventLogLocked())
			e.mu.Unlock()
		}
	})
	return e
}

type engineLogWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l engineLogWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// testappSet builds set "app" from YAML through the real loader; body holds the set's extra
// fields, indented by four spaces. The readiness probe is GET /ready every second unless body
// has its own.
func (e *engine) testappSet(replicas int, body string) *compose.StatefulSet {
	e.t.Helper()
	if !strings.Contains(body, "readinessProbe:") {
		body += "    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1}\n"
	}
	doc := fmt.Sprintf(`namespace: %s
statefulsets:
  app:
    replicas: %d
    image: %s
    imagePullPolicy: Never
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
%s`, e.ns, replicas, testenv.Image("testapp"), body)
	p, err := compose.LoadBytes("engine_test.yaml", []byte(doc), compose.LoadOptions{})
	if err != nil {
		e.t.Fatalf("load set: %v\n%s", err, doc)
	}
	return p.StatefulSets["app"]
}

// status returns set "app"'s status (zero when unknown).
func (e *engine) status() orchestrator.SetStatus {
	for _, st := range e.m.Status(e.ns) {
		if st.Name == "app" {
			return st
		}
	}
	return orchestrator.SetStatus{}
}

// pod returns one pod's status (zero ContainerID when it has no container).
func (e *engine) pod(name string) orchestrator.PodStatus {
	for _, p := range e.status().Pods {
		if p.Name == name {
			return p
		}
	}
	return orchestrator.PodStatus{}
}

// waitFor polls the set status until ok holds, failing the test after timeout.
func (e *engine) waitFor(what string, timeout time.Duration, ok func(orchestrator.SetStatus) bool) orchestrator.SetStatus {
	e.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := e.status()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out after %s waiting for %s; status: %s", timeout, what, describeSet(st))
		}
		time.Sleep(20 * time.Millisecond) // poll interval, not synchronisation
	}
}

// waitReady waits until n pods exist, all Ready and at the set's revision.
func (e *engine) waitReady(n int, timeout time.Duration) orchestrator.SetStatus {
	e.t.Helper()
	return e.waitFor(fmt.Sprintf("%d Ready pods", n), timeout, func(st orchestrator.SetStatus) bool {
		return st.Current == n && st.Ready == n && st.Updated == n
	})
}

// holds asserts that ok keeps holding for the whole window: used to show that something does
// NOT happen (a blocked pod is not created), which no event can signal.
func (e *engine) holds(what string, window time.Duration, ok func(orchestrator.SetStatus) bool) {
	e.t.Helper()
	deadline := time.Now().Add(window)
	for time.Now().Before(deadline) {
		if st := e.status(); !ok(st) {
			e.t.Fatalf("%s stopped holding; status: %s", what, describeSet(st))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func describeSet(st orchestrator.SetStatus) string {
	var b strings.Builder
	fmt.Fprintf(&b, "desired=%d current=%d ready=%d updated=%d waiting=%q", st.Desired, st.Current, st.Ready, st.Updated, st.Waiting)
	for _, p := range st.Pods {
		fmt.Fprintf(&b, "\n  %s %s ready=%v restarts=%d id=%.12s rev=%s ip=%s", p.Name, p.Status, p.Ready, p.Restarts, p.ContainerID, p.Revision, p.IP)
	}
	return b.String()
}

// eventsSince returns the recorded events of the given types from t0 on, in order.
func (e *engine) eventsSince(t0 time.Time, types ...string) []orchestrator.ProgressEvent {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []orchestrator.ProgressEvent
	for _, ev := range e.events {
		if !ev.Time.Before(t0) && (len(types) == 0 || slices.Contains(types, ev.Type)) {
			out = append(out, ev)
		}
	}
	return out
}

// firstEvent returns the first event of a type for a pod since t0.
func (e *engine) firstEvent(t0 time.Time, typ, pod string) (orchestrator.ProgressEvent, bool) {
	for _, ev := range e.eventsSince(t0, typ) {
		if ev.Pod == pod {
			return ev, true
		}
	}
	return orchestrator.ProgressEvent{}, false
}

// podOrder lists the pods of the events of one type since t0, in order, without repeats.
func (e *engine) podOrder(t0 time.Time, typ string) []string {
	var out []string
	for _, ev := range e.eventsSince(t0, typ) {
		if ev.Pod != "" && !slices.Contains(out, ev.Pod) {
			out = append(out, ev.Pod)
		}
	}
	return out
}

func (e *engine) eventLogLocked() string {
	var b strings.Builder
	for _, ev := range e.events {
		fmt.Fprintf(&b, "  %s %s %s %s\n", ev.Time.Format("15:04:05.000"), ev.Type, ev.Pod, ev.Message)
	}
	return b.String()
}

// podHTTP calls the test app of a pod at its IP.
func podHTTP(t *testing.T, method, ip, path, body string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, "http://"+ip+":8080"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, ip, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// volumeNames lists the namespace's test volumes.
func (e *engine) volumeNames() []string {
	e.t.Helper()
	vs, err := e.cli.VolumeList(context.Background(), volume.ListOptions{Filters: filters.NewArgs(filters.Arg("label", testenv.Label+"=1"))})
	if err != nil {
		e.t.Fatalf("list volumes: %v", err)
	}
	var out []string
	for _, v := range vs.Volumes {
		if strings.HasPrefix(v.Name, e.ns+"_") {
			out = append(out, v.Name)
		}
	}
	slices.Sort(out)
	return out
}

// namespaceObjects lists every Docker container, volume and network named after the namespace,
// whoever created it.
func namespaceObjects(t *testing.T, cli *client.Client, ns string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		t.Fatalf("list containers: %v", err)
	}
	for _, c := range cs {
		for _, n := range c.Names {
			if strings.HasPrefix(strings.TrimPrefix(n, "/"), ns+"-") {
				out = append(out, "container "+n)
			}
		}
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{})
	if err != nil {
		t.Fatalf("list volumes: %v", err)
	}
	for _, v := range vs.Volumes {
		if strings.HasPrefix(v.Name, ns+"_") {
			out = append(out, "volume "+v.Name)
		}
	}
	ns2, err := cli.NetworkList(ctx, network.ListOptions{})
	if err != nil {
		t.Fatalf("list networks: %v", err)
	}
	for _, n := range ns2 {
		if n.Name == identity.NetworkName(ns) {
			out = append(out, "network "+n.Name)
		}
	}
	return out
}

// killContainer SIGKILLs a pod's container through Docker, as `docker kill` does.
func (e *engine) killContainer(id string) {
	e.t.Helper()
	if err := e.cli.ContainerKill(context.Background(), id, "SIGKILL"); err != nil {
		e.t.Fatalf("kill %.12s: %v", id, err)
	}
}

// removeContainer force-removes a pod's container, as `docker rm -f` does.
func (e *engine) removeContainer(id string) {
	e.t.Helper()
	if err := e.cli.ContainerRemove(context.Background(), id, container.RemoveOptions{Force: true}); err != nil {
		e.t.Fatalf("remove %.12s: %v", id, err)
	}
}

// podIDs maps pod name to container ID.
func podIDs(st orchestrator.SetStatus) map[string]string {
	out := map[string]string{}
	for _, p := range st.Pods {
		out[p.Name] = p.ContainerID
	}
	return out
}
