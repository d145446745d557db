package dnsfeed

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ordset/ordset/dnsserver"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/server/api"
)

// Gateways keeps one DNS listener on <gateway>:53 of every ordset network, and the
// allowed client networks in step with the networks' subnets.
type Gateways struct {
	srv  *dnsserver.Server
	port int
	log  *slog.Logger
	kick chan struct{}

	mu      sync.Mutex
	hostErr string
	gw      map[string]*gwListener // by network name
}

type gwListener struct {
	addr     string
	err      string
	lastTry  time.Time
	listened bool
}

// retryBind is how long a gateway listener that failed to bind waits before the next try.
const retryBind = 30 * time.Second

// NewGateways creates the listener set; nothing listens before Run.
func NewGateways(srv *dnsserver.Server, port int, log *slog.Logger) *Gateways {
	return &Gateways{srv: srv, port: port, log: log, kick: make(chan struct{}, 1), gw: map[string]*gwListener{}}
}

// Poke asks Run for a pass soon (called when pods change: a new namespace's network
// appears just before its first pod).
func (g *Gateways) Poke() {
	select {
	case g.kick <- struct{}{}:
	default:
	}
}

// Networks lists the engine's ordset networks (orchestrator.Runtime does).
type Networks interface {
	ListNetworks(ctx context.Context) ([]orchestrator.Network, error)
}

// Run keeps the listeners in step with the networks of the namespaces this daemon manages
// (ours(namespace)) until ctx ends; other daemons on the same engine (tests) serve their own.
func (g *Gateways) Run(ctx context.Context, rt Networks, ours func(namespace string) bool) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		nets, err := rt.ListNetworks(lctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				g.log.Warn("list networks for DNS listeners", "err", err)
			}
		} else {
			mine := nets[:0]
			for _, n := range nets {
				if ours(n.Namespace) {
					mine = append(mine, n)
				}
			}
			g.sync(mine, time.Now())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-g.kick:
		}
	}
}

func (g *Gateways) sync(nets []orchestrator.Network, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	seen := map[string]bool{}
	var allowed []netip.Prefix
	for _, n := range nets {
		if p, err := netip.ParsePrefix(n.Subnet); err == nil {
			allowed = append(allowed, p.Masked())
		}
		// One listener per name: the runtime lists one network per name, and should two
		// of a name still arrive (duplicates left by an interrupted create) the first one
		// keeps its listener instead of the listener moving between them every pass.
		if n.Gateway == "" || seen[n.Name] {
			continue
		}
		seen[n.Name] = true
		addr := net.JoinHostPort(n.Gateway, strconv.Itoa(g.port))
		l := g.gw[n.Name]
		if l != nil && l.addr != addr && l.listened {
			_ = g.srv.Close(l.addr)
			l = nil
		}
		if l == nil {
			l = &gwListener{addr: addr}
			g.gw[n.Name] = l
		}
		if l.listened || (!l.lastTry.IsZero() && now.Sub(l.lastTry) < retryBind) {
			continue
		}
		l.lastTry = now
		if err := g.srv.Listen(addr); err != nil {
			if l.err != err.Error() {
				g.log.Warn("cannot serve DNS on network gateway; pods still resolve peers through Docker network aliases, but readiness gating and SRV records are lost",
					"network", n.Name, "addr", addr, "err", err)
			}
			l.err = err.Error()
			continue
		}
		l.err, l.listened = "", true
	}
	g.srv.SetAllowedNets(allowed)
	for name, l := range g.gw {
		if seen[name] {
			continue
		}
		if l.listened {
			if err := g.srv.Close(l.addr); err != nil {
				g.log.Warn("close DNS listener", "addr", l.addr, "err", err)
			}
		}
		delete(g.gw, name)
	}
}

// SetHostError records why the host listener could not bind, for Status.
func (g *Gateways) SetHostError(err string) {
	g.mu.Lock()
	g.hostErr = err
	g.mu.Unlock()
}

// Status describes the zone and every listener, the host one included unless hostReq is "-".
func (g *Gateways) Status(zone, hostReq string, srv *dnsserver.Server) api.DNSStatus {
	g.mu.Lock()
	defer g.mu.Unlock()
	st := api.DNSStatus{Zone: zone}
	bound := srv.ListenAddrs()
	gwAddrs := map[string]bool{}
	for name, l := range g.gw {
		gwAddrs[l.addr] = true
		st.Listeners = append(st.Listeners, api.DNSListener{Addr: l.addr, Network: name, Error: l.err})
	}
	for _, b := range bound {
		if !gwAddrs[b] && st.HostAddr == "" {
			st.HostAddr = b
		}
	}
	if hostReq != "-" {
		host := api.DNSListener{Addr: st.HostAddr, Network: "host", Error: g.hostErr}
		if host.Addr == "" {
			host.Addr = hostReq
		}
		st.Listeners = append(st.Listeners, host)
	}
	sort.Slice(st.Listeners, func(i, j int) bool { return st.Listeners[i].Addr < st.Listeners[j].Addr })
	return st
}

// Endpoints converts pod status into DNS endpoints: one per pod with an IP.
func Endpoints(pods []orchestrator.PodStatus) []dnsserver.Endpoint {
	out := make([]dnsserver.Endpoint, 0, len(pods))
	for _, p := range pods {
		e := dnsserver.Endpoint{
			Namespace:       p.Namespace,
			Service:         p.Service,
			Hostname:        p.Name,
			Ready:           p.Ready,
			PublishNotReady: p.PublishNotReady,
		}
		if a, err := netip.ParseAddr(p.IP); err == nil {
			e.IPv4 = a.Unmap()
		}
		if a, err := netip.ParseAddr(p.IPv6); err == nil {
			e.IPv6 = a
		}
		if !e.IPv4.IsValid() && !e.IPv6.IsValid() {
			continue
		}
		e.Ports = ownPorts(p)
		out = append(out, e)
	}
	return out
}

// ownPorts are the ports of a pod's own service: the Service's ports, named as the manifest's
// Service names them (as Kubernetes names SRV records), or, for a set without them, the
// containers' ports by their own names.
func ownPorts(p orchestrator.PodStatus) []dnsserver.Port {
	if len(p.ServicePorts) > 0 {
		return resolvePorts(p.ServicePorts, p)
	}
	var out []dnsserver.Port
	for _, port := range p.Ports {
		out = append(out, dnsserver.Port{Name: port.Name, Protocol: strings.ToUpper(port.Protocol), Port: port.ContainerPort})
	}
	return out
}
