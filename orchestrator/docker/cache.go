package docker

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/volume"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// Docker 20.10 answers a container or volume list in time proportional to every object it
// holds, so a pass that lists the engine costs more with each pod: an OrderedReady scale
// 0 -> 50 spent twice as long per step at the end as at the start. The observation cache
// answers ListContainers("") and ListVolumes("") without an engine call while it is synced:
//   - one full list fills it, and only while an event subscription (Events) is live, begun
//     before the list; a subscription asks the engine to replay the events since just before it,
//     so none between the list and the subscription's registration is missed;
//   - the runtime's own mutations update it with one inspect of that object (O(1) in dockerd);
//   - every container, volume and container network event updates it by one inspect BEFORE the
//     event is forwarded, so the pass an event wakes sees the change;
//   - it is dropped (the next list is full) when a subscription starts or ends, when an update
//     fails, and cacheMaxAge after its fill, so a missed event never hides a change for long.
//
// An update carries the time its inspect began, and a newer observation is never replaced by
// an older one (a removal is kept as a tombstone until the next fill).
const cacheMaxAge = detailMaxAge

// cached is one observation of an object: the object, or a tombstone (gone).
type cached[T any] struct {
	obj   T
	gone  bool
	stamp time.Time // when the observation began
}

type (
	cachedContainer = cached[orchestrator.Container]
	cachedVolume    = cached[orchestrator.Volume]
)

// table is the cache of one kind of object (containers by ID, volumes by name). Its methods
// run under objectCache.mu.
type table[T any] struct {
	at      time.Time // start of the full list that filled it; zero: not synced
	entries map[string]cached[T]
}

type objectCache struct {
	mu   sync.Mutex
	subs int // live event subscriptions feeding the cache
	// epoch changes whenever the cache is dropped: a list begun in an older epoch does not fill it.
	epoch      uint64
	containers table[orchestrator.Container]
	volumes    table[orchestrator.Volume]
}

func newObjectCache() *objectCache {
	return &objectCache{
		containers: table[orchestrator.Container]{entries: map[string]cachedContainer{}},
		volumes:    table[orchestrator.Volume]{entries: map[string]cachedVolume{}},
	}
}

// drop marks the cache unsynced: the next list of each kind is a full one. c.mu is held.
func (c *objectCache) drop() {
	c.epoch++
	c.containers.at, c.volumes.at = time.Time{}, time.Time{}
}

// invalidate drops the cache after an update could not be made.
func (c *objectCache) invalidate() {
	c.mu.Lock()
	c.drop()
	c.mu.Unlock()
}

// subscribe counts a live event subscription (delta +1) or its end (-1).
func (c *objectCache) subscribe(delta int) {
	c.mu.Lock()
	c.subs += delta
	c.drop()
	c.mu.Unlock()
}

// begin returns the epoch and time a full list starts in.
func (c *objectCache) begin() (uint64, time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch, time.Now()
}

// usable reports whether a fill at `at` may answer now. c.mu is held.
func (c *objectCache) usable(at, now time.Time) bool {
	return c.subs > 0 && !at.IsZero() && now.Sub(at) <= cacheMaxAge
}

// live returns the table's objects that keep accepts, sorted by cmpObj. c.mu is held.
func (t *table[T]) live(keep func(T) bool, cmpObj func(a, b T) int) []T {
	out := make([]T, 0, len(t.entries))
	for _, e := range t.entries {
		if !e.gone && keep(e.obj) {
			out = append(out, e.obj)
		}
	}
	slices.SortFunc(out, cmpObj)
	return out
}

// fill replaces the table with a full list begun at `begun`, keeping the entries observed
// after that (they are newer than the list). c.mu is held.
func (t *table[T]) fill(objs []T, key func(T) string, begun time.Time) {
	next := make(map[string]cached[T], len(objs))
	for _, o := range objs {
		next[key(o)] = cached[T]{obj: o, stamp: begun}
	}
	for k, e := range t.entries {
		if e.stamp.After(begun) {
			next[k] = e
		}
	}
	t.entries, t.at = next, begun
}

// put records one observation unless a newer one is cached. c.mu is held.
func (t *table[T]) put(key string, e cached[T]) {
	if old, ok := t.entries[key]; ok && old.stamp.After(e.stamp) {
		return
	}
	t.entries[key] = e
}

// inNamespace accepts the objects of namespace ns ("" = all) by their labels.
func inNamespace(ns string, labels map[string]string) bool {
	return ns == "" || labels[identity.LabelNamespace] == ns
}

// containersOf answers a list of namespace ns ("" = all) from the cache, newest first as the
// engine lists; ok is false when it is not synced.
func (c *objectCache) containersOf(ns string, now time.Time) ([]orchestrator.Container, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.usable(c.containers.at, now) {
		return nil, false
	}
	return c.containers.live(
		func(ct orchestrator.Container) bool { return inNamespace(ns, ct.Labels) },
		func(a, b orchestrator.Container) int {
			return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
		}), true
}

// volumesOf is containersOf for volumes (sorted by name).
func (c *objectCache) volumesOf(ns string, now time.Time) ([]orchestrator.Volume, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.usable(c.volumes.at, now) {
		return nil, false
	}
	return c.volumes.live(
		func(v orchestrator.Volume) bool { return inNamespace(ns, v.Labels) },
		func(a, b orchestrator.Volume) int { return cmp.Compare(a.Name, b.Name) }), true
}

// fillable reports whether a full list begun in epoch may fill the cache. c.mu is held.
func (c *objectCache) fillable(epoch uint64) bool {
	return epoch == c.epoch && c.subs > 0
}

// fillContainers fills the containers from a full list begun at `begun` in epoch.
func (c *objectCache) fillContainers(cs []orchestrator.Container, epoch uint64, begun time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fillable(epoch) {
		c.containers.fill(cs, func(ct orchestrator.Container) string { return ct.ID }, begun)
	}
}

// fillVolumes is fillContainers for volumes.
func (c *objectCache) fillVolumes(vs []orchestrator.Volume, epoch uint64, begun time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fillable(epoch) {
		c.volumes.fill(vs, func(v orchestrator.Volume) string { return v.Name }, begun)
	}
}

// putContainer records one observation of a container unless a newer one is cached.
func (c *objectCache) putContainer(id string, e cachedContainer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.containers.put(id, e)
}

// putVolume records one observation of a volume unless a newer one is cached.
func (c *objectCache) putVolume(name string, e cachedVolume) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.volumes.put(name, e)
}

// has reports whether a live entry of the container is cached.
func (c *objectCache) has(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.containers.entries[id]
	return ok && !e.gone
}

// observeContainer updates the cache from one inspect of a container: its state when it is
// this runtime's (and its details, see list.go), a tombstone when it is gone or not ours (a list would not show it).
func (r *Runtime) observeContainer(ctx context.Context, id string) {
	begun := time.Now()
	ci, err := r.cli.ContainerInspect(ctx, id)
	switch {
	case cerrdefs.IsNotFound(err):
		r.cache.putContainer(id, cachedContainer{gone: true, stamp: begun})
	case err != nil:
		r.cache.invalidate()
	case ci.Config == nil || !r.mine(ci.Config.Labels):
		r.cache.putContainer(ci.ID, cachedContainer{gone: true, stamp: begun})
	default:
		r.owned.Store(ci.ID, struct{}{})
		c := fromInspect(ci)
		r.details.put(ci.ID, detailOf(ci, c, begun)) // a full list need not inspect it again
		r.cache.putContainer(ci.ID, cachedContainer{obj: c, stamp: begun})
	}
}

// forgetContainer records a container this runtime removed.
func (r *Runtime) forgetContainer(id string) {
	r.cache.putContainer(id, cachedContainer{gone: true, stamp: time.Now()})
}

// observeVolume updates the cache from one inspect of a volume (ListVolumes' ownership rule).
func (r *Runtime) observeVolume(ctx context.Context, name string) {
	begun := time.Now()
	v, err := r.cli.VolumeInspect(ctx, name)
	switch {
	case cerrdefs.IsNotFound(err):
		r.cache.putVolume(name, cachedVolume{gone: true, stamp: begun})
	case err != nil:
		r.cache.invalidate()
	case !identity.ProvablyOwnedBy(v.Labels, r.owner):
		r.cache.putVolume(name, cachedVolume{gone: true, stamp: begun})
	default:
		r.cache.putVolume(name, cachedVolume{obj: toVolume(v), stamp: begun})
	}
}

// forgetVolume records a volume this runtime removed.
func (r *Runtime) forgetVolume(name string) {
	r.cache.putVolume(name, cachedVolume{gone: true, stamp: time.Now()})
}

// noteVolume records a volume this runtime created (the create call returned it).
func (r *Runtime) noteVolume(v volume.Volume, begun time.Time) {
	if !identity.ProvablyOwnedBy(v.Labels, r.owner) {
		return // ListVolumes leaves it out too
	}
	r.cache.putVolume(v.Name, cachedVolume{obj: toVolume(v), stamp: begun})
}

// toVolume converts the engine's volume.
func toVolume(v volume.Volume) orchestrator.Volume {
	created, _ := time.Parse(time.RFC3339Nano, v.CreatedAt)
	return orchestrator.Volume{Name: v.Name, Driver: v.Driver, Labels: v.Labels, CreatedAt: created}
}
