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

type cachedContainer struct {
	c     orchestrator.Container
	gone  bool
	stamp time.Time // when the observation began
}

type cachedVolume struct {
	v     orchestrator.Volume
	gone  bool
	stamp time.Time
}

type objectCache struct {
	mu   sync.Mutex
	subs int // live event subscriptions feeding the cache
	// epoch changes whenever the cache is dropped: a list begun in an older epoch does not fill it.
	epoch        uint64
	containersAt time.Time // start of the full list that filled containers; zero: not synced
	volumesAt    time.Time
	containers   map[string]cachedContainer
	volumes      map[string]cachedVolume
}

func newObjectCache() *objectCache {
	return &objectCache{containers: map[string]cachedContainer{}, volumes: map[string]cachedVolume{}}
}

// drop marks the cache unsynced: the next list of each kind is a full one. c.mu is held.
func (c *objectCache) drop() {
	c.epoch++
	c.containersAt, c.volumesAt = time.Time{}, time.Time{}
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

// containersOf answers a list of namespace ns ("" = all) from the cache, newest first as the
// engine lists; ok is false when it is not synced.
func (c *objectCache) containersOf(ns string, now time.Time) ([]orchestrator.Container, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.usable(c.containersAt, now) {
		return nil, false
	}
	out := make([]orchestrator.Container, 0, len(c.containers))
	for _, e := range c.containers {
		if !e.gone && (ns == "" || e.c.Labels[identity.LabelNamespace] == ns) {
			out = append(out, e.c)
		}
	}
	slices.SortFunc(out, func(a, b orchestrator.Container) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, true
}

// volumesOf is containersOf for volumes (sorted by name).
func (c *objectCache) volumesOf(ns string, now time.Time) ([]orchestrator.Volume, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.usable(c.volumesAt, now) {
		return nil, false
	}
	out := make([]orchestrator.Volume, 0, len(c.volumes))
	for _, e := range c.volumes {
		if !e.gone && (ns == "" || e.v.Labels[identity.LabelNamespace] == ns) {
			out = append(out, e.v)
		}
	}
	slices.SortFunc(out, func(a, b orchestrator.Volume) int { return cmp.Compare(a.Name, b.Name) })
	return out, true
}

// fillContainers replaces the cached containers with a full list begun at `begun`, keeping the
// entries observed after that (they are newer than the list).
func (c *objectCache) fillContainers(cs []orchestrator.Container, epoch uint64, begun time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch || c.subs == 0 {
		return
	}
	next := make(map[string]cachedContainer, len(cs))
	for _, ct := range cs {
		next[ct.ID] = cachedContainer{c: ct, stamp: begun}
	}
	for id, e := range c.containers {
		if e.stamp.After(begun) {
			next[id] = e
		}
	}
	c.containers, c.containersAt = next, begun
}

// fillVolumes is fillContainers for volumes.
func (c *objectCache) fillVolumes(vs []orchestrator.Volume, epoch uint64, begun time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if epoch != c.epoch || c.subs == 0 {
		return
	}
	next := make(map[string]cachedVolume, len(vs))
	for _, v := range vs {
		next[v.Name] = cachedVolume{v: v, stamp: begun}
	}
	for name, e := range c.volumes {
		if e.stamp.After(begun) {
			next[name] = e
		}
	}
	c.volumes, c.volumesAt = next, begun
}

// putContainer records one observation of a container unless a newer one is cached.
func (c *objectCache) putContainer(id string, e cachedContainer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.containers[id]; ok && old.stamp.After(e.stamp) {
		return
	}
	c.containers[id] = e
}

// putVolume records one observation of a volume unless a newer one is cached.
func (c *objectCache) putVolume(name string, e cachedVolume) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.volumes[name]; ok && old.stamp.After(e.stamp) {
		return
	}
	c.volumes[name] = e
}

// has reports whether a live entry of the container is cached.
func (c *objectCache) has(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.containers[id]
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
		r.cache.putContainer(ci.ID, cachedContainer{c: c, stamp: begun})
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
		r.cache.putVolume(name, cachedVolume{v: toVolume(v), stamp: begun})
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
	r.cache.putVolume(v.Name, cachedVolume{v: toVolume(v), stamp: begun})
}

// toVolume converts the engine's volume.
func toVolume(v volume.Volume) orchestrator.Volume {
	created, _ := time.Parse(time.RFC3339Nano, v.CreatedAt)
	return orchestrator.Volume{Name: v.Name, Driver: v.Driver, Labels: v.Labels, CreatedAt: created}
}
