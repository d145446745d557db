package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
)

// fakeBackend answers from fixed data and records calls.
type fakeBackend struct {
	mu       sync.Mutex
	scales   []ScaleRequest
	events   []Event
	shutdown chan struct{}
	// framePods, when set, makes every watch frame carry that many pods.
	framePods int
}

func (f *fakeBackend) Version() VersionInfo { return VersionInfo{Version: "test", APIVersion: Version} }
func (f *fakeBackend) Status(context.Context) (DaemonStatus, error) {
	return DaemonStatus{PID: 42, Namespaces: []string{"demo"}}, nil
}
func (f *fakeBackend) Apply(_ context.Context, req ApplyRequest) (ApplyResponse, error) {
	if req.Namespace == "" {
		return ApplyResponse{}, Invalidf("namespace is required")
	}
	var out ApplyResponse
	out.Namespace = req.Namespace
	for name, s := range req.Sets {
		out.Sets = append(out.Sets, SetResult{Name: name, Action: Created, Replicas: *s.Replicas})
	}
	return out, nil
}
func (f *fakeBackend) Scale(_ context.Context, req ScaleRequest) error {
	if req.Set != "redis" {
		return fmt.Errorf("statefulset %s/%s: %w", req.Namespace, req.Set, ErrNotFound)
	}
	f.mu.Lock()
	f.scales = append(f.scales, req)
	f.mu.Unlock()
	return nil
}
func (f *fakeBackend) Delete(context.Context, DeleteRequest) (DeleteResponse, error) {
	return DeleteResponse{}, errors.New("boom")
}
func (f *fakeBackend) Restart(context.Context, RestartRequest) error { return nil }
func (f *fakeBackend) Undo(context.Context, UndoRequest) (UndoResponse, error) {
	return UndoResponse{Revision: 3, From: 1}, nil
}
func (f *fakeBackend) Pause(_ context.Context, req PauseRequest) (bool, error) {
	return req.Paused, nil
}
func (f *fakeBackend) DeletePod(context.Context, DeletePodRequest) error { return nil }
func (f *fakeBackend) Pods(_ context.Context, ns string) ([]Pod, error) {
	if ns == "empty" {
		return nil, nil
	}
	return []Pod{{Name: "redis-0", Namespace: "demo", StatefulSet: "redis", Ordinal: 0, Container: "demo-redis-0",
		IP: "10.0.0.2", Ready: true, Status: "Running", Revision: "abc", Volumes: []string{"demo_data-redis-0"},
		Ports: []compose.Port{{Name: "redis", ContainerPort: 6379, Protocol: "TCP"}}}}, nil
}
func (f *fakeBackend) StatefulSets(context.Context, string) ([]StatefulSet, error) { return nil, nil }
func (f *fakeBackend) Services(context.Context, string) ([]Service, error)         { return nil, nil }
func (f *fakeBackend) Describe(context.Context, string, string) (Description, error) {
	return Description{}, nil
}
func (f *fakeBackend) Events(ctx context.Context, q EventsQuery, send func(Event) error) error {
	for _, e := range f.events {
		if err := send(e); err != nil {
			return err
		}
	}
	if q.Follow {
		<-ctx.Done()
	}
	return nil
}
func (f *fakeBackend) Watch(ctx context.Context, ns string, sets []string, send func(WatchFrame) error) error {
	for i := 1; ; i++ {
		ss := StatefulSet{Namespace: ns, Name: sets[0], Ready: i}
		for o := range f.framePods {
			ss.Pods = append(ss.Pods, Pod{Namespace: ns, Name: fmt.Sprintf("%s-%d", sets[0], o), StatefulSet: sets[0], Ordinal: o,
				Container: fmt.Sprintf("%s-%s-%d", ns, sets[0], o), Status: "Running", Ready: true, IP: "172.20.0.1"})
		}
		if err := send(WatchFrame{Sets: []StatefulSet{ss}}); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}
func (f *fakeBackend) Logs(context.Context, string, string, LogOptions) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("line1\nline2\n")), nil
}
func (f *fakeBackend) ExecTarget(_ context.Context, ns, pod, container string) (ExecTarget, error) {
	return ExecTarget{ContainerID: "cid", Container: ns + "-" + pod + container, Running: true}, nil
}
func (f *fakeBackend) Shutdown() { close(f.shutdown) }

func serve(t *testing.T, b Backend) *Client {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "api.sock")
	l, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(b, slog.New(slog.DiscardHandler))
	go srv.Serve(context.Background(), l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return NewClient(sock)
}

func TestSocketMode(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "api.sock")
	l, err := Listen(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fi, err := os.Lstat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %o, want 600", fi.Mode().Perm())
	}
}

func TestErrorsMapBack(t *testing.T) {
	c := serve(t, &fakeBackend{})
	ctx := context.Background()
	err := c.Scale(ctx, ScaleRequest{Namespace: "demo", Set: "nope", Replicas: 1})
	if !errors.Is(err, ErrNotFound) || err.Error() != "statefulset demo/nope: not found" {
		t.Errorf("scale missing: %v", err)
	}
	_, err = c.Apply(ctx, ApplyRequest{})
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("apply invalid: %v", err)
	}
	_, err = c.Delete(ctx, DeleteRequest{})
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeInternal || ae.Message != "boom" {
		t.Errorf("delete: %#v", err)
	}
}

func TestApplyRoundTrip(t *testing.T) {
	c := serve(t, &fakeBackend{})
	three := 3
	resp, err := c.Apply(context.Background(), ApplyRequest{Namespace: "demo", Sets: map[string]*compose.StatefulSet{"redis": {Replicas: &three, Template: compose.PodTemplateSpec{Spec: compose.PodSpec{Containers: []compose.Container{{Name: "redis", Image: "x"}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Sets) != 1 || !reflect.DeepEqual(resp.Sets[0], SetResult{Name: "redis", Action: Created, Replicas: 3}) {
		t.Errorf("apply response %+v", resp)
	}
}

func TestPodsJSONShape(t *testing.T) {
	c := serve(t, &fakeBackend{})
	resp, err := c.do(context.Background(), "GET", "/v1/pods", nsQuery("demo"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	if len(raw) != 1 {
		t.Fatalf("%d pods", len(raw))
	}
	var keys []string
	for k := range raw[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, want := range []string{"name", "namespace", "statefulset", "ordinal", "container", "ip", "ready", "status", "restarts", "revision", "volumes", "ports"} {
		if _, ok := raw[0][want]; !ok {
			t.Errorf("pod JSON lacks %q (has %v)", want, keys)
		}
	}
	if raw[0]["ready"] != true || raw[0]["ordinal"] != float64(0) || !reflect.DeepEqual(raw[0]["volumes"], []any{"demo_data-redis-0"}) {
		t.Errorf("pod JSON values %v", raw[0])
	}
	// An empty list is [] not null, so `ps -o json | jq length` works.
	resp2, err := c.do(context.Background(), "GET", "/v1/pods", nsQuery("empty"), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp2.Body)
	resp2.Body.Close()
	if strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("empty pods body %q", body)
	}
}

func TestWatchStreamsAndStops(t *testing.T) {
	c := serve(t, &fakeBackend{})
	var got []int
	err := c.Watch(context.Background(), "demo", []string{"redis"}, func(f WatchFrame) error {
		if f.Sets[0].Name != "redis" || f.Sets[0].Namespace != "demo" {
			return fmt.Errorf("frame %+v", f)
		}
		got = append(got, f.Sets[0].Ready)
		if len(got) == 3 {
			return ErrStop
		}
		return nil
	})
	if err != nil || !reflect.DeepEqual(got, []int{1, 2, 3}) {
		t.Errorf("watch: %v %v", got, err)
	}
}

func TestEventsFollowEndsWithContext(t *testing.T) {
	b := &fakeBackend{events: []Event{{Seq: 1, Reason: "Created"}, {Seq: 2, Reason: "Ready"}}}
	c := serve(t, b)
	ctx, cancel := context.WithCancel(context.Background())
	var seen []uint64
	err := c.Events(ctx, EventsQuery{Follow: true}, func(e Event) error {
		seen = append(seen, e.Seq)
		if len(seen) == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || !reflect.DeepEqual(seen, []uint64{1, 2}) {
		t.Errorf("events follow: %v %v", seen, err)
	}
	// Without follow the stream ends by itself.
	seen = nil
	if err := c.Events(context.Background(), EventsQuery{}, func(e Event) error { seen = append(seen, e.Seq); return nil }); err != nil || len(seen) != 2 {
		t.Errorf("events: %v %v", seen, err)
	}
}

func TestLogsAndExecTargetAndShutdown(t *testing.T) {
	b := &fakeBackend{shutdown: make(chan struct{})}
	c := serve(t, b)
	ctx := context.Background()
	rc, err := c.Logs(ctx, "demo", "redis-0", LogOptions{Tail: "10"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(rc)
	rc.Close()
	if string(body) != "line1\nline2\n" {
		t.Errorf("logs %q", body)
	}
	et, err := c.ExecTarget(ctx, "demo", "redis-0", "")
	if err != nil || et.Container != "demo-redis-0" {
		t.Errorf("exec target %+v %v", et, err)
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.shutdown:
	case <-time.After(5 * time.Second):
		t.Fatal("backend not asked to shut down")
	}
}

func TestNoDaemon(t *testing.T) {
	c := NewClient(filepath.Join(t.TempDir(), "none.sock"))
	err := c.Ping(context.Background())
	var ne *net.OpError
	if err == nil || !errors.As(err, &ne) {
		t.Errorf("ping without daemon: %v", err)
	}
}
