package docker

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/docker/docker/api/types"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// startingEngine imitates what the Docker engine does during a start: the container's lock is
// held until the start ends, so an inspect of it waits. Only the calls the test makes exist.
type startingEngine struct {
	id       string
	release  chan struct{} // closed: the start ends
	inspects atomic.Int32

	mu      sync.Mutex
	running bool
}

func (e *startingEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	labels := map[string]string{identity.LabelManagedBy: identity.ManagedByValue, identity.LabelNamespace: "ns",
		identity.LabelSet: "web", identity.LabelOrdinal: "0", identity.LabelPod: "web-0"}
	e.mu.Lock()
	state, status := "created", "Created"
	if e.running {
		state, status = "running", "Up Less than a second"
	}
	e.mu.Unlock()
	path := r.URL.Path[strings.Index(r.URL.Path[1:], "/")+1:] // without the /v1.41 prefix
	switch {
	case path == "/containers/json":
		_ = json.NewEncoder(w).Encode([]map[string]any{{"Id": e.id, "Names": []string{"/ns_web-0"}, "Labels": labels,
			"State": state, "Status": status, "Created": time.Now().Unix(), "HostConfig": map[string]string{"NetworkMode": "ordset-ns"}}})
	case path == "/containers/"+e.id+"/json":
		e.inspects.Add(1)
		<-e.release // the engine's container lock
		state, started := "running", time.Now().UTC().Format(time.RFC3339Nano)
		_ = json.NewEncoder(w).Encode(map[string]any{"Id": e.id, "Name": "/ns_web-0", "Created": started,
			"State":  map[string]any{"Status": state, "Running": true, "StartedAt": started, "FinishedAt": "0001-01-01T00:00:00Z"},
			"Config": map[string]any{"Labels": labels}})
	case path == "/containers/"+e.id+"/start":
		<-e.release
		e.mu.Lock()
		e.running = true
		e.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "not imitated: "+r.URL.Path, http.StatusNotImplemented)
	}
}

// A pass must not wait for the engine to finish starting a container: it lists it as created
// (what it is until the start returns) and inspects it on the first list after the start.
func TestListContainersDoesNotInspectAContainerBeingStarted(t *testing.T) {
	eng := &startingEngine{id: strings.Repeat("a", 64), release: make(chan struct{})}
	srv := httptest.NewServer(eng)
	defer srv.Close()
	var once sync.Once
	release := func() { once.Do(func() { close(eng.release) }) }
	defer release() // before Close, which waits for the handlers
	rt, err := New(Options{Host: "tcp://" + strings.TrimPrefix(srv.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.cli.NegotiateAPIVersionPing(types.Ping{APIVersion: "1.41"}) // no /_ping to imitate
	rt.owned.Store(eng.id, struct{}{})                             // as after the create

	started := make(chan error, 1)
	go func() { started <- rt.StartContainer(context.Background(), eng.id) }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, ok := rt.starting.Load(eng.id); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("StartContainer never began")
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	cs, err := rt.ListContainers(ctx, "ns")
	if err != nil {
		t.Fatalf("list during the start: %v (it waited for the start)", err)
	}
	if len(cs) != 1 || cs[0].State != orchestrator.StateCreated || !cs[0].StartedAt.IsZero() || eng.inspects.Load() != 0 {
		t.Fatalf("during the start: %+v, %d inspects; want it created, not inspected", cs, eng.inspects.Load())
	}

	release()
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	cs, err = rt.ListContainers(ctx, "ns")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].State != orchestrator.StateRunning || cs[0].StartedAt.IsZero() || eng.inspects.Load() != 1 {
		t.Fatalf("after the start: %+v, %d inspects; want it running with its start time, inspected once", cs, eng.inspects.Load())
	}
}
