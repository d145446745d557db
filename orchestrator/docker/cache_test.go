package docker

import (
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

func ctr(id, ns string) orchestrator.Container {
	return orchestrator.Container{ID: id, Labels: map[string]string{identity.LabelNamespace: ns}}
}

func ids(cs []orchestrator.Container) map[string]bool {
	out := map[string]bool{}
	for _, c := range cs {
		out[c.ID] = true
	}
	return out
}

// A cache answers only while a subscription feeds it, after a fill of the same epoch, and for
// cacheMaxAge after that fill.
func TestObjectCacheSynced(t *testing.T) {
	c := newObjectCache()
	epoch, begun := c.begin()
	c.fillContainers([]orchestrator.Container{ctr("a", "x")}, epoch, begun)
	if _, ok := c.containersOf("", begun); ok {
		t.Fatal("answered without a subscription")
	}
	c.subscribe(+1)
	c.fillContainers([]orchestrator.Container{ctr("a", "x")}, epoch, begun)
	if _, ok := c.containersOf("", begun); ok {
		t.Fatal("a list begun before the subscription filled the cache")
	}
	epoch, begun = c.begin()
	c.fillContainers([]orchestrator.Container{ctr("a", "x"), ctr("b", "y")}, epoch, begun)
	cs, ok := c.containersOf("x", begun)
	if !ok || len(cs) != 1 || cs[0].ID != "a" {
		t.Fatalf("namespace x: %v %v", cs, ok)
	}
	if _, ok := c.containersOf("", begun.Add(cacheMaxAge+time.Second)); ok {
		t.Fatal("answered after cacheMaxAge")
	}
	c.invalidate()
	if _, ok := c.containersOf("", begun); ok {
		t.Fatal("answered after invalidate")
	}
	c.subscribe(+1)
	epoch, begun = c.begin()
	c.fillContainers(nil, epoch, begun)
	c.subscribe(-1)
	if _, ok := c.containersOf("", begun); ok {
		t.Fatal("answered after a subscription ended")
	}
}

// An observation made after a list began wins over the list, and an older one never replaces
// a newer one (a removal included).
func TestObjectCacheNewestWins(t *testing.T) {
	c := newObjectCache()
	c.subscribe(+1)
	epoch, begun := c.begin()
	after := begun.Add(time.Millisecond)
	c.putContainer("new", cachedContainer{obj: ctr("new", "x"), stamp: after}) // created during the list
	c.putContainer("gone", cachedContainer{gone: true, stamp: after})          // removed during the list
	c.putContainer("old", cachedContainer{obj: ctr("old", "x"), stamp: begun.Add(-time.Second)})
	c.fillContainers([]orchestrator.Container{ctr("gone", "x"), ctr("kept", "x")}, epoch, begun)
	cs, ok := c.containersOf("", after)
	if got := ids(cs); !ok || len(got) != 2 || !got["new"] || !got["kept"] {
		t.Fatalf("after fill: %v %v", got, ok)
	}
	c.putContainer("kept", cachedContainer{gone: true, stamp: after.Add(time.Millisecond)})
	c.putContainer("kept", cachedContainer{obj: ctr("kept", "x"), stamp: after}) // an older inspect
	if cs, _ := c.containersOf("", after); ids(cs)["kept"] {
		t.Fatal("an older observation resurrected a removed container")
	}
}

func TestObjectCacheVolumes(t *testing.T) {
	c := newObjectCache()
	c.subscribe(+1)
	epoch, begun := c.begin()
	v := func(n, ns string) orchestrator.Volume {
		return orchestrator.Volume{Name: n, Labels: map[string]string{identity.LabelNamespace: ns}}
	}
	c.fillVolumes([]orchestrator.Volume{v("b", "x"), v("a", "y")}, epoch, begun)
	c.putVolume("c", cachedVolume{obj: v("c", "x"), stamp: begun.Add(time.Millisecond)})
	c.putVolume("b", cachedVolume{gone: true, stamp: begun.Add(time.Millisecond)})
	vs, ok := c.volumesOf("", begun)
	if !ok || len(vs) != 2 || vs[0].Name != "a" || vs[1].Name != "c" {
		t.Fatalf("volumes: %v %v", vs, ok)
	}
}

func TestReplaySince(t *testing.T) {
	now := time.Unix(100, 5)
	if got := replaySince(now); got != "98.000000005" {
		t.Fatalf("replaySince = %q", got)
	}
}
