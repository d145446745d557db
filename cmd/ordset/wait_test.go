package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// An error counts as persistent only when it repeats over errorSpan, for a watched set or
// the whole engine; other sets' errors and Normal events do not count.
func TestEngineErrorsPersistent(t *testing.T) {
	t0 := time.Unix(100, 0)
	ev := func(ms int, object, msg string) api.Event {
		return api.Event{Time: t0.Add(time.Duration(ms) * time.Millisecond), Type: "Warning", Reason: "Error", Namespace: "demo", Object: object, Message: msg}
	}
	e := engineErrors{sets: []string{"web"}, seen: map[string]int{}, first: map[string]time.Time{}}
	notes := e.fold([]api.Event{ev(0, "pod/web-0", "boom"), ev(100, "pod/web-0", "boom"), ev(200, "pod/db-0", "other set")})
	if len(notes) != 1 || notes[0] != "! pod demo/web-0: boom" || e.persistent() != "" {
		t.Fatalf("after a quick repeat: notes %q, persistent %q", notes, e.persistent())
	}
	e.fold([]api.Event{{Time: t0.Add(time.Second), Type: "Normal", Reason: "Waiting", Object: "statefulset/web"}})
	if e.persistent() != "" {
		t.Fatalf("a Normal event made it persistent")
	}
	e.fold([]api.Event{ev(600, "pod/web-0", "boom")})
	if got := e.persistent(); got != "pod demo/web-0: boom" {
		t.Errorf("persistent = %q", got)
	}
	g := engineErrors{sets: []string{"web"}, seen: map[string]int{}, first: map[string]time.Time{}}
	g.fold([]api.Event{{Time: t0, Type: "Warning", Reason: "Error", Message: "engine down"}, {Time: t0.Add(time.Second), Type: "Warning", Reason: "Error", Message: "engine down"}})
	if got := g.persistent(); got != "engine: engine down" {
		t.Errorf("engine-wide persistent = %q", got)
	}
}

// Pull progress of watched pods becomes a note line, once per message; other sets' pulls and
// other events do not.
func TestPullNotes(t *testing.T) {
	e := engineErrors{sets: []string{"redis"}}
	got := pullNotes([]api.Event{
		{Reason: "ImagePull", Namespace: "demo", Object: "pod/redis-0", Message: "pulling redis:7.2: Downloading 3/10"},
		{Reason: "ImagePull", Namespace: "demo", Object: "pod/db-0", Message: "pulling db: x"},
		{Reason: "PodCreated", Namespace: "demo", Object: "pod/redis-1", Message: "created"},
		{Reason: "ImagePull", Namespace: "demo", Object: "pod/redis-1", Message: "pulling redis:7.2: Downloading 3/10"},
	}, e.watches, map[string]bool{})
	if len(got) != 1 || got[0] != "↓ demo/redis-0: pulling redis:7.2: Downloading 3/10" {
		t.Fatalf("notes = %q", got)
	}
}

// A wait that fails on a repeating error prints the error once: as the "!" line when first
// seen; the final message and the waiting reasons point at it instead of repeating it.
func TestFailedWaitPrintsErrorOnce(t *testing.T) {
	t0 := time.Unix(100, 0)
	e := engineErrors{sets: []string{"ghost"}, seen: map[string]int{}, first: map[string]time.Time{}}
	msg := "create container: No such image: does-not-exist:1.0"
	notes := e.fold([]api.Event{{Time: t0, Type: "Warning", Reason: "Error", Namespace: "demo", Object: "pod/ghost-0", Message: msg}})
	e.fold([]api.Event{{Time: t0.Add(time.Second), Type: "Warning", Reason: "Error", Namespace: "demo", Object: "pod/ghost-0", Message: msg}})
	f := api.WatchFrame{Sets: []api.StatefulSet{{Namespace: "demo", Name: "ghost", Desired: 1, Waiting: "creating ghost-0; retrying after error: " + msg}}}
	all := strings.Join(notes, "\n") + "\n" + waitingReasons(e.withoutShown(f))
	if n := strings.Count(all, "No such image"); n != 1 || e.persistent() == "" {
		t.Errorf("the error appears %d times (persistent %q):\n%s", n, e.persistent(), all)
	}
}

// An offline :latest image is announced once per set, not once per pod, and shortly.
func TestPullFallbackOncePerSet(t *testing.T) {
	e := engineErrors{sets: []string{"redis"}}
	msg := func(port int) string {
		return fmt.Sprintf("pulling redis:latest: pull failed, using the local image: Error response from daemon: Get \"https://registry-1.docker.io/v2/\": dial tcp: lookup registry-1.docker.io on 127.0.0.53:%d: no such host", port)
	}
	got := pullNotes([]api.Event{
		{Reason: "ImagePull", Namespace: "demo", Object: "pod/redis-0", Message: msg(1)},
		{Reason: "ImagePull", Namespace: "demo", Object: "pod/redis-1", Message: msg(2)},
		{Reason: "ImagePull", Namespace: "demo", Object: "pod/redis-2", Message: msg(3)},
	}, e.watches, map[string]bool{})
	if len(got) != 1 || !strings.HasPrefix(got[0], "↓ demo/redis: pulling redis:latest: pull failed, using the local image (offline?), for every pod of the set: Error response") {
		t.Fatalf("notes = %q", got)
	}
}
