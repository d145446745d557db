package daemon

import (
	"context"
	"encoding/json"
	"github.com/ordset/ordset/orchestrator/server/dnsfeed"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// watchTick bounds how stale a progress frame can be when no event arrives.
const watchTick = 200 * time.Millisecond

// watchHeartbeat re-sends an unchanged frame so clients notice a dead daemon.
const watchHeartbeat = 2 * time.Second

// Watch implements api.Backend: a frame whenever the watched sets change (checked on every
// Manager event and every watchTick), with the events recorded since the previous frame
// for the namespace or for the whole engine.
func (d *Daemon) Watch(ctx context.Context, namespace string, sets []string, send func(api.WatchFrame) error) error {
	if namespace == "" {
		return api.Invalidf("watch needs a namespace")
	}
	evs, unsub := d.events.subscribe()
	defer unsub()
	mgrEvents, unsubMgr := d.mgr.Subscribe()
	defer unsubMgr()
	want := map[string]bool{}
	for _, s := range sets {
		want[s] = true
	}
	t := time.NewTicker(watchTick)
	defer t.Stop()
	var last []byte
	var lastSent time.Time
	var pending []store.Event
	for {
		f, err := d.watchFrame(ctx, namespace, sets, want, pending)
		if err != nil {
			return err
		}
		pending = nil
		key, _ := json.Marshal(api.WatchFrame{Sets: f.Sets, Gone: f.Gone})
		if string(key) != string(last) || len(f.Events) > 0 || time.Since(lastSent) >= watchHeartbeat {
			if err := send(f); err != nil {
				return err
			}
			last, lastSent = key, time.Now()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case e := <-evs:
			pending = drainInto(append(pending, e), evs) // every queued event goes in the next frame
		case <-mgrEvents:
		}
	}
}

// watchFrame is the watched sets' state now, with the pending events that concern the
// namespace (or the whole engine: Docker unreachable concerns every watch).
func (d *Daemon) watchFrame(ctx context.Context, namespace string, sets []string, want map[string]bool,
	pending []store.Event) (api.WatchFrame, error) {
	all, err := d.statefulSets(ctx, namespace, 0)
	if err != nil {
		return api.WatchFrame{}, err
	}
	f := api.WatchFrame{Time: d.now()}
	present := map[string]bool{}
	for _, s := range all {
		if len(want) == 0 || want[s.Name] {
			f.Sets = append(f.Sets, s)
			present[s.Name] = true
		}
	}
	for _, s := range sets {
		if !present[s] {
			f.Gone = append(f.Gone, namespace+"/"+s)
		}
	}
	for _, e := range pending {
		if e.Namespace == namespace || e.Namespace == "" {
			f.Events = append(f.Events, apiEvent(e))
		}
	}
	return f, nil
}

// drainInto appends every value already queued on ch without waiting.
func drainInto[T any](out []T, ch <-chan T) []T {
	for {
		select {
		case v := <-ch:
			out = append(out, v)
		default:
			return out
		}
	}
}

// onPods is the Manager's callback whenever pods change: publish a new DNS snapshot.
func (d *Daemon) onPods(pods []orchestrator.PodStatus) {
	d.dnsMu.Lock()
	d.dnsPods = pods
	d.dnsMu.Unlock()
	d.republishDNS()
	d.dnsNets.Poke()
}

// republishDNS builds the DNS snapshot from the last pods and the namespaces' Services
// (the pods' own services, then those selecting them by label): after pods change, and
// after an apply changed Services. Queries read the result without locks.
func (d *Daemon) republishDNS() {
	d.dnsMu.Lock()
	defer d.dnsMu.Unlock()
	services := map[string]map[string]*compose.Service{}
	for _, p := range d.dnsPods {
		if _, ok := services[p.Namespace]; !ok {
			services[p.Namespace] = d.objects.services(p.Namespace)
		}
	}
	eps := append(dnsfeed.Endpoints(d.dnsPods), dnsfeed.ServiceEndpoints(d.dnsPods, services)...)
	if err := d.dns.Publish(eps); err != nil {
		d.log.Warn("dns snapshot skipped invalid pods", "err", err)
	}
}
