package docker

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// cacheEngine imitates the engine calls of an observation: lists, inspects and the event
// streams, counting the lists. Its one container's state is what the test sets.
type cacheEngine struct {
	id     string
	events chan map[string]any // sent on the container event stream

	mu    sync.Mutex
	state string
	lists int
}

func (e *cacheEngine) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	labels := map[string]string{identity.LabelManagedBy: identity.ManagedByValue, identity.LabelNamespace: "ns",
		identity.LabelSet: "web", identity.LabelOrdinal: "0", identity.LabelPod: "web-0"}
	e.mu.Lock()
	state := e.state
	e.mu.Unlock()
	path := r.URL.Path[strings.Index(r.URL.Path[1:], "/")+1:] // without the /v1.41 prefix
	switch {
	case path == "/containers/json":
		e.count(&e.lists)
		_ = json.NewEncoder(w).Encode([]map[string]any{{"Id": e.id, "Names": []string{"/ns_web-0"}, "Labels": labels,
			"State": state, "Status": "Created", "Created": time.Now().Unix()}})
	case path == "/volumes":
		e.count(&e.lists)
		_ = json.NewEncoder(w).Encode(map[string]any{"Volumes": []any{}})
	case path == "/containers/"+e.id+"/json":
		_ = json.NewEncoder(w).Encode(map[string]any{"Id": e.id, "Name": "/ns_web-0", "Created": time.Now().UTC().Format(time.RFC3339Nano),
			"State":  map[string]any{"Status": state, "StartedAt": "0001-01-01T00:00:00Z", "FinishedAt": "0001-01-01T00:00:00Z"},
			"Config": map[string]any{"Labels": labels}})
	case path == "/events":
		e.stream(w, r)
	default:
		http.Error(w, "not imitated: "+r.URL.Path, http.StatusNotImplemented)
	}
}

func (e *cacheEngine) count(n *int) {
	e.mu.Lock()
	*n++
	e.mu.Unlock()
}

func (e *cacheEngine) set(state string) {
	e.mu.Lock()
	e.state = state
	e.mu.Unlock()
}

func (e *cacheEngine) listCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.lists
}

// stream serves an event subscription: the container one gets e.events, the others nothing.
func (e *cacheEngine) stream(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	if !strings.Contains(r.URL.Query().Get("filters"), `"container"`) {
		<-r.Context().Done()
		return
	}
	for {
		select {
		case m := <-e.events:
			_ = json.NewEncoder(w).Encode(m)
			w.(http.Flusher).Flush()
		case <-r.Context().Done():
			return
		}
	}
}

// While an event subscription is live, a list after the first is answered without a list
// call, and an event is forwarded only once the cache shows what it reports.
func TestListsAnsweredFromTheCacheWhileSubscribed(t *testing.T) {
	eng := &cacheEngine{id: strings.Repeat("b", 64), events: make(chan map[string]any), state: "running"}
	srv := httptest.NewServer(eng)
	defer srv.Close()
	rt, err := New(Options{Host: "tcp://" + strings.TrimPrefix(srv.URL, "http://")})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	rt.cli.NegotiateAPIVersionPing(types.Ping{APIVersion: "1.41"}) // no /_ping to imitate
	ctx, cancel := context.WithCancel(context.Background())
	evs, _ := rt.Events(ctx)

	observe := func() []orchestrator.Container {
		t.Helper()
		cs, err := rt.ListContainers(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rt.ListVolumes(ctx, ""); err != nil {
			t.Fatal(err)
		}
		return cs
	}
	observe()
	if n := eng.listCount(); n != 2 {
		t.Fatalf("first observation: %d list calls, want 2 (containers, volumes)", n)
	}
	for range 3 {
		observe()
	}
	if n := eng.listCount(); n != 2 {
		t.Fatalf("steady observations: %d list calls in all, want still 2", n)
	}

	eng.set("exited")
	eng.events <- map[string]any{"Type": "container", "Action": "die", "Actor": map[string]any{"ID": eng.id,
		"Attributes": map[string]string{identity.LabelManagedBy: identity.ManagedByValue}}, "timeNano": time.Now().UnixNano()}
	select {
	case ev := <-evs:
		if ev.Action != "die" {
			t.Fatalf("forwarded %+v", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the die event was not forwarded")
	}
	if cs := observe(); len(cs) != 1 || cs[0].State != orchestrator.StateExited {
		t.Fatalf("after the forwarded die: %+v, want the container exited", cs)
	}
	if n := eng.listCount(); n != 2 {
		t.Fatalf("after the event: %d list calls in all, want still 2", n)
	}

	cancel()
	for range evs { // the subscription ends: the cache no longer answers
	}
	if _, err := rt.ListContainers(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	if n := eng.listCount(); n != 3 {
		t.Fatalf("after the subscription ended: %d list calls, want 3", n)
	}
}
