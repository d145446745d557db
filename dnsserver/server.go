package dnsserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// ednsSize is the UDP payload size we advertise: the DNS flag day 2020 value that avoids
// IP fragmentation.
const ednsSize = 1232

// maxForwards bounds the UDP queries waiting on upstreams at once.
const maxForwards = 512

// DefaultHostAddr is where the host's listener binds unless configured otherwise.
const DefaultHostAddr = "127.0.0.1:15353"

// Config configures a Server. The zero value is usable: cluster.local, 5 s TTL, upstreams from
// /etc/resolv.conf, only loopback clients.
type Config struct {
	Zone string        // default identity.DefaultZone
	TTL  time.Duration // default DefaultTTL
	// Upstreams are the resolvers ("ip" or "ip:port") that get every name outside the zone.
	// When nil they are read from ResolvConf, and re-read whenever that file changes; an empty
	// non-nil list disables forwarding (outside names get SERVFAIL).
	Upstreams []string
	// ResolvConf is the resolver configuration to read upstreams from (default /etc/resolv.conf).
	ResolvConf string
	// ForwardTimeout bounds one upstream attempt before failing over to the next (default 2 s).
	ForwardTimeout time.Duration
	// AllowedNets are the client networks (besides loopback) that may query; everybody else is
	// REFUSED so the server is never an open resolver. Change them later with SetAllowedNets.
	AllowedNets []netip.Prefix
	Logger      *slog.Logger // default slog.Default(); gets component=dns
}

// Server answers the zone from the current Snapshot and forwards the rest. Create it with New,
// feed it with Publish or Swap, add listeners with Listen.
type Server struct {
	zone    string
	ttl     time.Duration
	log     *slog.Logger
	timeout time.Duration

	snap    atomic.Pointer[Snapshot]
	allowed atomic.Pointer[[]netip.Prefix]
	ups     upstreams

	ctx    context.Context // cancelled by Shutdown: aborts in-flight forwards
	cancel context.CancelFunc

	forwards chan struct{} // semaphore: UDP forwards in flight

	mu        sync.Mutex
	listeners map[string]*listener // by bound address
	bound     atomic.Pointer[[]netip.AddrPort]
}

// New returns a server with an empty snapshot (only the zone apex) and no listener.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ForwardTimeout <= 0 {
		cfg.ForwardTimeout = 2 * time.Second
	}
	if cfg.ResolvConf == "" {
		cfg.ResolvConf = "/etc/resolv.conf"
	}
	snap, err := NewSnapshot(cfg.Zone, cfg.TTL, nil)
	if err != nil {
		return nil, fmt.Errorf("dns server: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		zone:      cfg.Zone,
		ttl:       cfg.TTL,
		log:       cfg.Logger.With("component", "dns"),
		timeout:   cfg.ForwardTimeout,
		ctx:       ctx,
		cancel:    cancel,
		listeners: map[string]*listener{},
		forwards:  make(chan struct{}, maxForwards),
	}
	s.snap.Store(snap)
	s.SetAllowedNets(cfg.AllowedNets)
	s.bound.Store(&[]netip.AddrPort{})
	if cfg.Upstreams != nil {
		if err := s.SetUpstreams(cfg.Upstreams); err != nil {
			cancel()
			return nil, err
		}
	} else {
		s.ups.resolvConf = cfg.ResolvConf
	}
	return s, nil
}

// Publish builds a snapshot from endpoints with the server's zone and TTL and makes it live for
// the next query. Invalid endpoints are skipped and reported in the error; the rest is published.
func (s *Server) Publish(endpoints []Endpoint) error {
	snap, err := NewSnapshot(s.zone, s.ttl, endpoints)
	s.snap.Store(snap)
	if err != nil {
		return fmt.Errorf("publish dns snapshot: %w", err)
	}
	return nil
}

// Swap makes snap live for the next query and returns the previous snapshot.
func (s *Server) Swap(snap *Snapshot) *Snapshot { return s.snap.Swap(snap) }

// Snapshot returns the live snapshot.
func (s *Server) Snapshot() *Snapshot { return s.snap.Load() }

// SetAllowedNets replaces the client networks (besides loopback) allowed to query, e.g. when an
// ordset network appears or goes away.
func (s *Server) SetAllowedNets(nets []netip.Prefix) {
	cp := make([]netip.Prefix, 0, len(nets))
	for _, p := range nets {
		cp = append(cp, p.Masked())
	}
	s.allowed.Store(&cp)
}

// allowedSource is the open-resolver guard: loopback and the configured networks only.
func (s *Server) allowedSource(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsLoopback() {
		return true
	}
	for _, p := range *s.allowed.Load() {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ServeDNS implements dns.Handler; the TCP listeners use it and so can callers embedding the
// server in their own miekg/dns server.
func (s *Server) ServeDNS(w dns.ResponseWriter, r *dns.Msg) {
	_, udp := w.RemoteAddr().(*net.UDPAddr)
	resp := s.handle(r, addrPortOf(w.RemoteAddr()), udp)
	if resp == nil {
		return
	}
	if err := w.WriteMsg(resp); err != nil {
		s.log.Debug("write reply", "client", w.RemoteAddr().String(), "err", err)
	}
}

// handle returns the reply to r from src (nil to drop it), forwarding when needed.
func (s *Server) handle(r *dns.Msg, src netip.AddrPort, udp bool) *dns.Msg {
	resp, fwd := s.respond(r, src, udp)
	if fwd {
		resp = s.forward(r, udp)
	}
	if resp != nil && len(r.Question) == 1 && s.log.Enabled(s.ctx, slog.LevelDebug) {
		s.log.Debug("query", "client", src.String(), "name", r.Question[0].Name,
			"type", dns.TypeToString[r.Question[0].Qtype], "rcode", dns.RcodeToString[resp.Rcode],
			"answers", len(resp.Answer), "forwarded", fwd)
	}
	return resp
}

// respond answers everything that needs no upstream. forward is true when r must go upstream.
func (s *Server) respond(r *dns.Msg, src netip.AddrPort, udp bool) (resp *dns.Msg, forward bool) {
	if r.Response {
		return nil, false // never answer answers: that is how reflection loops start
	}
	m := new(dns.Msg)
	switch {
	case r.Opcode != dns.OpcodeQuery:
		m.SetRcode(r, dns.RcodeNotImplemented)
	case len(r.Question) != 1:
		m.SetRcode(r, dns.RcodeFormatError)
	case !s.allowedSource(src.Addr()):
		m.SetRcode(r, dns.RcodeRefused)
	default:
		m.SetReply(r)
		q := r.Question[0]
		if !s.snap.Load().answer(m, q, strings.ToLower(q.Name)) {
			return nil, true
		}
	}
	finish(m, r, udp)
	return m, false
}

// finish echoes EDNS0 and truncates UDP replies to what the client can take.
func finish(m, r *dns.Msg, udp bool) {
	size := dns.MinMsgSize
	if opt := r.IsEdns0(); opt != nil {
		if opt.Version() != 0 {
			m.Answer, m.Ns, m.Extra = nil, nil, nil
			m.Authoritative = false
			m.Rcode = dns.RcodeBadVers
		}
		o := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
		o.SetUDPSize(ednsSize)
		o.SetDo(opt.Do())
		m.Extra = append(m.Extra, o)
		size = max(size, int(opt.UDPSize()))
	}
	m.Compress = true
	if udp && m.Len() > size {
		m.Truncate(size)
	}
}

func addrPortOf(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.UDPAddr:
		return a.AddrPort()
	case *net.TCPAddr:
		return a.AddrPort()
	case nil:
		return netip.AddrPort{}
	}
	ap, _ := netip.ParseAddrPort(a.String())
	return ap
}
