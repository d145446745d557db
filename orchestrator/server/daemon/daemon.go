package daemon

import (
	"context"
	"errors"
	"fmt"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/server/dnsfeed"
	"github.com/ordset/ordset/orchestrator/server/statedir"
	"io"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/dnsserver"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// Options configure a daemon.
type Options struct {
	Paths   statedir.Paths
	Runtime Engine
	Logger  *slog.Logger
	// Version is the build's version string, reported by the API.
	Version string
	// DNSAddr is the host DNS listener ("" for dnsserver.DefaultHostAddr; "-" for none).
	DNSAddr string
	// GatewayDNSPort is the port of the per-network listeners (53; tests use another).
	GatewayDNSPort int
	// Zone is the cluster domain (default cluster.local).
	Zone string
	// Resync is the Manager's periodic full pass (0 for its default).
	Resync time.Duration
	// Owner is the state directory's owner id (LoadOwner): orphans are only objects carrying it.
	// "" (tests) counts every ordset object.
	Owner string
	// Now is the clock (tests inject one).
	Now func() time.Time
}

// Engine is what the daemon needs from the container engine: the controller's Runtime, plus
// the reads only the API serves (container details for exec, logs). The controller's
// interface stays as small as its own needs.
type Engine interface {
	orchestrator.Runtime
	// InspectContainer returns the current state of one container (by ID or name).
	InspectContainer(ctx context.Context, id string) (orchestrator.Container, error)
	// Logs streams a container's stdout/stderr (demultiplexed).
	Logs(ctx context.Context, id string, opts orchestrator.LogOptions) (io.ReadCloser, error)
}

// Daemon is one running ordset daemon.
type Daemon struct {
	opts    Options
	log     *slog.Logger
	rt      Engine
	store   *store.Store
	mgr     *orchestrator.Manager
	objects *objectStore
	dns     *dnsserver.Server
	dnsNets *dnsfeed.Gateways
	// dnsMu orders snapshot builds; dnsPods are the pods of the Manager's last OnPods.
	dnsMu   sync.Mutex
	dnsPods []orchestrator.PodStatus
	events  *eventHub
	now     func() time.Time
	started time.Time

	// mu serialises every change of desired state so the store's order is the Manager's
	// order: of two concurrent scales, the later store write is also the later Apply.
	mu sync.Mutex

	// recovered says how a damaged store was replaced at start (nil when it was sound).
	recovered *store.Recovery

	lock     *statedir.Lock
	shutdown chan struct{}
	stopOnce sync.Once
}

// New acquires the state directory's lock, opens the store and builds the components. It
// starts nothing; Run does.
func New(opts Options) (*Daemon, error) {
	if opts.Runtime == nil {
		return nil, errors.New("daemon: no container runtime")
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DNSAddr == "" {
		opts.DNSAddr = dnsserver.DefaultHostAddr
	}
	if opts.GatewayDNSPort == 0 {
		opts.GatewayDNSPort = 53
	}
	if opts.Zone == "" {
		opts.Zone = identity.DefaultZone
	}
	lock, err := statedir.Acquire(opts.Paths)
	if err != nil {
		return nil, err
	}
	st, recovered, err := store.OpenOrRecover(opts.Paths.DB, opts.Now())
	if err != nil {
		lock.Release()
		return nil, err
	}
	d := &Daemon{
		opts:      opts,
		log:       opts.Logger.With("component", "daemon"),
		rt:        opts.Runtime,
		store:     st,
		now:       opts.Now,
		lock:      lock,
		shutdown:  make(chan struct{}),
		recovered: recovered,
		objects:   newObjectStore(opts.Paths.Dir),
	}
	d.events = newEventHub(st, d.log)
	d.dns, err = dnsserver.New(dnsserver.Config{Zone: opts.Zone, Logger: opts.Logger})
	if err != nil {
		d.close()
		return nil, err
	}
	d.dnsNets = dnsfeed.NewGateways(d.dns, opts.GatewayDNSPort, d.log)
	d.mgr = orchestrator.NewManager(opts.Runtime, orchestrator.Options{
		Logger:    opts.Logger,
		Zone:      opts.Zone,
		OnPods:    d.onPods,
		OnForget:  d.onForget,
		OnRollout: func(ns, set, rev string) { d.onRollout(ns, set, rev) },
		Resync:    opts.Resync,
		Now:       opts.Now,
		Objects:   d.objects.get,
		Restarts:  restartLedger{st},
	})
	return d, nil
}

func (d *Daemon) close() {
	d.events.close() // the queued events go to the store before it closes
	d.store.Close()
	if c, ok := d.rt.(interface{ Close() error }); ok {
		_ = c.Close()
	}
	d.lock.Release()
}

// Run serves until ctx ends or a client asks for shutdown. Pods keep running afterwards:
// stopping the daemon only stops reconciling, as dockerd's live-restore does for containers.
func (d *Daemon) Run(ctx context.Context) error {
	defer d.close()
	d.started = d.now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	if d.opts.DNSAddr != "-" {
		if err := d.dns.Listen(d.opts.DNSAddr); err != nil {
			d.dnsNets.SetHostError(err.Error())
			d.log.Warn("host DNS listener unavailable; `ordset dns resolve` will not work", "addr", d.opts.DNSAddr, "err", err)
		}
	}
	defer d.dns.Shutdown(context.Background())

	l, err := api.Listen(d.opts.Paths.Socket)
	if err != nil {
		return err
	}
	srv := api.NewServer(d, d.opts.Logger)

	if err := d.replay(ctx); err != nil {
		l.Close()
		return err
	}

	var wg sync.WaitGroup
	mgrErr := make(chan error, 1)
	wg.Add(3)
	go func() { defer wg.Done(); mgrErr <- d.mgr.Run(ctx) }()
	go func() { defer wg.Done(); d.recordManagerEvents(ctx) }()
	go func() { defer wg.Done(); d.dnsNets.Run(ctx, d.rt, d.managesNamespace) }()
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ctx, l) }()
	d.log.Info("daemon ready", "pid", os.Getpid(), "socket", d.opts.Paths.Socket, "dns", d.opts.DNSAddr, "version", d.opts.Version)

	var runErr error
	select {
	case <-ctx.Done():
	case <-d.shutdown:
	case err := <-mgrErr:
		if err != nil && ctx.Err() == nil {
			runErr = fmt.Errorf("controller stopped: %w", err)
		}
	case err := <-srvErr:
		runErr = err
	}
	d.log.Info("daemon stopping; pods keep running")
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer scancel()
	_ = srv.Shutdown(sctx)
	wg.Wait()
	_ = os.Remove(d.opts.Paths.Socket)
	return runErr
}

// managesNamespace reports whether a namespace has sets in the store or in the Manager
// (a set being deleted still needs DNS until its pods are gone).
func (d *Daemon) managesNamespace(ns string) bool {
	if sets, err := d.store.List(ns); err == nil && len(sets) > 0 {
		return true
	}
	return len(d.mgr.Status(ns)) > 0
}

// Shutdown implements api.Backend: ask Run to return.
func (d *Daemon) Shutdown() { d.stopOnce.Do(func() { close(d.shutdown) }) }

// replay hands the store into the Manager (the Manager observes Docker labels itself)
// and reports labelled objects whose set the store does not know, without touching them.
func (d *Daemon) replay(ctx context.Context) error {
	sets, err := d.store.List("")
	if err != nil {
		return fmt.Errorf("load desired state: %w", err)
	}
	if d.recovered != nil {
		sets = d.rebuildFromEngine(ctx, sets)
	}
	d.checkpoint()
	deleting := 0
	for _, s := range sets {
		// Specs stored by an older daemon may predate normalisation: give them their defaults;
		// one that fails the checks is still reconciled as before, with a warning.
		obj := d.objects.get(s.Namespace)
		if err := compose.Normalize(&compose.Project{Namespace: s.Namespace, ConfigMaps: obj.ConfigMaps, Secrets: obj.Secrets,
			StatefulSets: map[string]*compose.StatefulSet{s.Name: s.Spec}}); err != nil {
			d.events.record(store.Event{Type: "Warning", Reason: "Invalid", Namespace: s.Namespace,
				Object: "statefulset/" + s.Name, Message: "stored spec does not validate: " + err.Error()})
		}
		d.submit(s)
		if s.Deleting != nil { // a deletion the previous daemon did not finish
			d.mgr.Delete(s.Namespace, s.Name, s.Deleting.RemoveVolumes)
			deleting++
		}
	}
	d.log.Info("desired state loaded", "sets", len(sets), "deleting", deleting)

	orphans, err := d.orphans(ctx)
	if err != nil {
		d.log.Warn("list labelled objects for orphans", "err", err)
		return nil
	}
	for _, o := range orphans {
		d.events.record(store.Event{Type: "Warning", Reason: "Orphan", Namespace: o.Namespace,
			Object:  o.Kind + "/" + o.Name,
			Message: fmt.Sprintf("%s %s belongs to statefulset %s/%s, which is not applied; left untouched", o.Kind, o.Name, o.Namespace, o.Set)})
	}
	return nil
}

// Version implements api.Backend.
func (d *Daemon) Version() api.VersionInfo {
	return api.VersionInfo{Version: d.opts.Version, APIVersion: api.Version, GoVersion: runtime.Version()}
}

// Status implements api.Backend.
func (d *Daemon) Status(ctx context.Context) (api.DaemonStatus, error) {
	ns, err := d.store.Namespaces()
	if err != nil {
		return api.DaemonStatus{}, err
	}
	st := api.DaemonStatus{
		PID:        os.Getpid(),
		Socket:     d.opts.Paths.Socket,
		StateDir:   d.opts.Paths.Dir,
		Version:    d.Version(),
		StartedAt:  d.started,
		Namespaces: ns,
		DNS:        d.dnsNets.Status(d.opts.Zone, d.opts.DNSAddr, d.dns),
	}
	for _, l := range st.DNS.Listeners {
		if l.Error != "" {
			st.Warnings = append(st.Warnings, fmt.Sprintf("DNS listener %s (%s) unavailable: %s; pods still resolve peers through Docker network aliases, but readiness gating and SRV records are lost", l.Addr, l.Network, l.Error))
		}
	}
	if st.Orphans, err = d.orphans(ctx); err != nil {
		st.Warnings = append(st.Warnings, "orphan check failed: "+err.Error())
	}
	if p := d.events.writeProblem(); p != "" {
		st.Warnings = append(st.Warnings, p)
	}
	if d.recovered != nil {
		st.Warnings = append(st.Warnings, "the state store was damaged at start: "+d.recovered.String())
	}
	return st, nil
}
