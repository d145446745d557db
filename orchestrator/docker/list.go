package docker

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// On API 1.41 a container list carries state, labels, the network endpoints and a human status
// ("Exited (1) 3 seconds ago", "Up 2 minutes (healthy)") from which exit code and health are
// parsed, but not the exact StartedAt/FinishedAt, OOMKilled or Error. Those come from one
// inspect per container, cached until the container's state, exit code or network endpoint
// changes (every start makes a new endpoint, so a restart behind ordset's back shows), ordset
// starts/stops it, the status text contradicts the cached times, or the entry is older than
// detailMaxAge. A steady pass is then a single list call.
const (
	detailMaxAge    = 30 * time.Second
	inspectParallel = 4
	statusRounding  = 1500 * time.Millisecond // status ages are truncated to whole seconds
)

type detail struct {
	namespace  string
	state      string
	exitCode   int
	endpoint   string // network endpoint ID; new on every start
	createdAt  time.Time
	startedAt  time.Time
	finishedAt time.Time
	oomKilled  bool
	errText    string
	fetched    time.Time
}

type detailCache struct {
	mu sync.Mutex
	m  map[string]detail
}

func (c *detailCache) get(id string) (detail, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.m[id]
	return d, ok
}

func (c *detailCache) put(id string, d detail) {
	c.mu.Lock()
	c.m[id] = d
	c.mu.Unlock()
}

func (c *detailCache) forget(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}

// prune drops entries of namespace ("" = all) that a full list no longer shows.
func (c *detailCache) prune(namespace string, seen map[string]bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, d := range c.m {
		if (namespace == "" || d.namespace == namespace) && !seen[id] {
			delete(c.m, id)
		}
	}
}

// ListContainers returns every ordset container of a namespace ("" means all namespaces):
// from the observation cache when it is synced (cache.go), else from the engine.
func (r *Runtime) ListContainers(ctx context.Context, namespace string) ([]orchestrator.Container, error) {
	if cs, ok := r.cache.containersOf(namespace, time.Now()); ok {
		return cs, nil
	}
	epoch, begun := r.cache.begin()
	cs, err := r.listContainers(ctx, namespace)
	if err == nil && namespace == "" {
		r.cache.fillContainers(cs, epoch, begun)
	}
	return cs, err
}

// listContainers lists the engine's ordset containers of a namespace ("" means all).
func (r *Runtime) listContainers(ctx context.Context, namespace string) ([]orchestrator.Container, error) {
	list, err := r.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: ownedFilter(namespace)})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	now := time.Now()
	out := make([]orchestrator.Container, 0, len(list))
	seen := make(map[string]bool, len(list))
	var stale []int
	for _, s := range list {
		if !r.mine(s.Labels) {
			continue
		}
		r.owned.Store(s.ID, struct{}{})
		seen[s.ID] = true
		c := fromSummary(s)
		if d, ok := r.details.get(s.ID); ok && d.fresh(listed{c, endpointOf(s.NetworkSettings)}, s.Status, now) {
			d.apply(&c)
		} else if !r.beingStarted(c) {
			stale = append(stale, len(out))
		}
		out = append(out, c)
	}
	r.details.prune(namespace, seen)
	if len(stale) == 0 {
		return out, nil
	}

	gone := make([]bool, len(out))
	var wg sync.WaitGroup
	sem := make(chan struct{}, inspectParallel)
	var firstErr error
	var errMu sync.Mutex
	for _, i := range stale {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			ci, err := r.cli.ContainerInspect(ctx, out[i].ID)
			if err != nil {
				if cerrdefs.IsNotFound(err) {
					gone[i] = true // removed since the list: it is not observed any more
					return
				}
				errMu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("inspect container %s: %w", out[i].Name, err)
				}
				errMu.Unlock()
				return
			}
			full := fromInspect(ci)
			r.details.put(ci.ID, detailOf(ci, full, now))
			out[i] = full
		}(i)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	kept := out[:0]
	for i, c := range out {
		if !gone[i] {
			kept = append(kept, c)
		}
	}
	return kept, nil
}

// detailOf is what the detail cache keeps of an inspect (full is its conversion).
func detailOf(ci container.InspectResponse, full orchestrator.Container, fetched time.Time) detail {
	var ep string
	if ci.NetworkSettings != nil {
		ep = endpointOf(&container.NetworkSettingsSummary{Networks: ci.NetworkSettings.Networks})
	}
	return detail{
		namespace: full.Labels[identity.LabelNamespace], state: string(full.State), exitCode: full.ExitCode, endpoint: ep,
		createdAt: full.CreatedAt, startedAt: full.StartedAt, finishedAt: full.FinishedAt,
		oomKilled: full.OOMKilled, errText: full.Error, fetched: fetched,
	}
}

// beingStarted reports whether a listed container is one this runtime is starting right now
// (see Runtime.starting): still "created", with no times, exit code or error to inspect yet.
// It is inspected by the first list after its start returns.
func (r *Runtime) beingStarted(c orchestrator.Container) bool {
	if c.State != orchestrator.StateCreated {
		return false
	}
	_, ok := r.starting.Load(c.ID)
	return ok
}

// ListForeignNames returns the names of every container this runtime may not manage: without
// ordset's labels, or another daemon's (identity.OwnedBy).
func (r *Runtime) ListForeignNames(ctx context.Context) ([]string, error) {
	list, err := r.cli.ContainerList(ctx, container.ListOptions{All: true})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var out []string
	for _, s := range list {
		if r.mine(s.Labels) {
			continue
		}
		for _, n := range s.Names {
			out = append(out, strings.TrimPrefix(n, "/"))
		}
	}
	return out, nil
}

// fresh reports whether the cached inspect still describes the listed container.
func (d detail) fresh(c listed, status string, now time.Time) bool {
	if d.state != string(c.State) || d.exitCode != c.ExitCode || d.endpoint != c.endpoint ||
		now.Sub(d.fetched) > detailMaxAge {
		return false
	}
	// "Up 4 seconds" / "Exited (0) 4 seconds ago" are computed from StartedAt / FinishedAt:
	// a recent time in the text with an old cached time means the container was restarted.
	if age, ok := recentAge(status); ok {
		ref := d.startedAt
		if c.State != orchestrator.StateRunning {
			ref = d.finishedAt
		}
		if now.Sub(ref) > age+statusRounding {
			return false
		}
	}
	return true
}

// listed is a list entry with what freshness is judged on.
type listed struct {
	orchestrator.Container
	endpoint string
}

// endpointOf joins the container's endpoint IDs (sorted by network name for stability).
func endpointOf(ns *container.NetworkSettingsSummary) string {
	if ns == nil {
		return ""
	}
	names := slices.Sorted(maps.Keys(ns.Networks))
	var b strings.Builder
	for _, n := range names {
		if ep := ns.Networks[n]; ep != nil {
			b.WriteString(ep.EndpointID)
			b.WriteByte(',')
		}
	}
	return b.String()
}

func (d detail) apply(c *orchestrator.Container) {
	c.CreatedAt, c.StartedAt, c.FinishedAt = d.createdAt, d.startedAt, d.finishedAt
	c.OOMKilled, c.Error = d.oomKilled, d.errText
}

// fromSummary converts a list entry; timestamps are left for the detail cache.
func fromSummary(s container.Summary) orchestrator.Container {
	c := orchestrator.Container{
		ID:        s.ID,
		Labels:    s.Labels,
		Image:     s.Image,
		State:     orchestrator.ContainerState(s.State),
		CreatedAt: time.Unix(s.Created, 0),
	}
	if len(s.Names) > 0 {
		c.Name = strings.TrimPrefix(s.Names[0], "/")
	}
	c.ExitCode, c.Health = parseStatus(s.Status)
	if s.NetworkSettings != nil {
		c.IP, c.IPv6 = pickIP(s.NetworkSettings.Networks, s.Labels)
		c.Detached = detached(s.NetworkSettings.Networks, s.Labels)
		c.NetworkID = networkIDOf(s.NetworkSettings.Networks, s.Labels)
	}
	var nets map[string]*network.EndpointSettings
	if s.NetworkSettings != nil {
		nets = s.NetworkSettings.Networks
	}
	c.NetworkMode, c.VolumeNames = networkModeName(s.HostConfig.NetworkMode, nets, s.Labels), volumeNames(s.Mounts)
	return c
}

var (
	exitRe   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?:Exited|Restarting) \((-?\d+)\)`) })
	recentRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:Up|(?:Exited|Restarting) \(-?\d+\)) (Less than a second|(\d+) seconds?)`)
	})
)

// parseStatus extracts the exit code and health from the list's human status text.
func parseStatus(status string) (exitCode int, health string) {
	if m := exitRe().FindStringSubmatch(status); m != nil {
		exitCode, _ = strconv.Atoi(m[1])
	}
	switch {
	case strings.HasSuffix(status, "(healthy)"):
		health = "healthy"
	case strings.HasSuffix(status, "(unhealthy)"):
		health = "unhealthy"
	case strings.HasSuffix(status, "(health: starting)"):
		health = "starting"
	}
	return exitCode, health
}

// recentAge parses "Up 4 seconds" style ages below a minute.
func recentAge(status string) (time.Duration, bool) {
	m := recentRe().FindStringSubmatch(status)
	if m == nil {
		return 0, false
	}
	if m[2] == "" {
		return time.Second, true
	}
	n, _ := strconv.Atoi(m[2])
	return time.Duration(n) * time.Second, true
}
