package dnsserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/miekg/dns"
)

// listener is one UDP socket served by our own read loops (the fast path needs the raw packet)
// and one TCP socket on the same port served by miekg/dns.
type listener struct {
	requested string
	udp       *net.UDPConn
	tcp       *dns.Server
	bound     netip.AddrPort
	loops     sync.WaitGroup
	readTurn  sync.Mutex  // one read loop reads (and gathers) at a time, see readBatch
	noGSO     atomic.Bool // set once a grouped send was refused
}

// Listen starts serving UDP and TCP on addr ("ip:port"; port 0 picks a free port, the same for
// both). Bind specific addresses (loopback, a gateway IP): replies from a wildcard socket may leave
// with another source address than the client asked. It fails with a clear error when the address cannot be bound, e.g. port 53 of a gateway
// already taken, so the caller can fall back to another way of naming pods.
func (s *Server) Listen(addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.listeners {
		if l.requested == addr && !strings.HasSuffix(addr, ":0") {
			return fmt.Errorf("dns listen %s: already listening", addr)
		}
	}
	ua, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return fmt.Errorf("dns listen %s: %w", addr, err)
	}
	var (
		uc *net.UDPConn
		tl net.Listener
	)
	// With port 0 the TCP port may already be taken by someone else: try a few UDP ports.
	for attempt := 0; ; attempt++ {
		uc, err = net.ListenUDP("udp", ua)
		if err != nil {
			return fmt.Errorf("dns listen udp %s: %w", addr, err)
		}
		ta := &net.TCPAddr{IP: ua.IP, Port: uc.LocalAddr().(*net.UDPAddr).Port, Zone: ua.Zone}
		tl, err = net.ListenTCP("tcp", ta)
		if err == nil {
			break
		}
		uc.Close()
		if ua.Port != 0 || attempt == 9 {
			return fmt.Errorf("dns listen tcp %s: %w", ta, err)
		}
	}
	_ = uc.SetReadBuffer(4 << 20) // absorb bursts; the kernel caps it at rmem_max
	l := &listener{requested: addr, udp: uc, bound: uc.LocalAddr().(*net.UDPAddr).AddrPort()}
	l.bound = netip.AddrPortFrom(l.bound.Addr().Unmap(), l.bound.Port())
	// Wait until miekg/dns has started the TCP server: Shutdown of a server that has not
	// started yet fails and would leave the socket served forever.
	started := make(chan struct{})
	// No cap on queries per connection (RFC 7766 asks servers to keep connections open for
	// reuse): the library's default of 128 closed busy connections with queries in flight,
	// which the client lost. The idle timeout still closes connections nobody uses.
	l.tcp = &dns.Server{Listener: tl, Net: "tcp", Handler: s, MaxTCPQueries: -1, NotifyStartedFunc: func() { close(started) }}
	stopped := make(chan error, 1)
	go func() { stopped <- l.tcp.ActivateAndServe() }()
	select {
	case <-started:
	case err := <-stopped:
		uc.Close()
		tl.Close()
		return fmt.Errorf("dns listen tcp %s: %w", l.bound, err)
	}
	go func() {
		if err := <-stopped; err != nil && !errors.Is(err, net.ErrClosed) {
			s.log.Error("dns tcp listener stopped", "addr", l.bound.String(), "err", err)
		}
	}()
	readers := runtime.GOMAXPROCS(0)
	l.loops.Add(readers)
	for range readers {
		go s.serveUDP(l)
	}
	s.listeners[l.bound.String()] = l
	s.publishBound()
	s.log.Info("dns listening", "addr", l.bound.String())
	return nil
}

// Close stops the listener started by Listen(addr); addr may also be its bound address.
func (s *Server) Close(addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.listeners[addr]
	if !ok {
		for _, c := range s.listeners {
			if c.requested == addr {
				l = c
			}
		}
	}
	if l == nil {
		return fmt.Errorf("dns close %s: not listening", addr)
	}
	delete(s.listeners, l.bound.String())
	s.publishBound()
	return l.close()
}

func (l *listener) close() error {
	uerr := l.udp.Close()
	l.loops.Wait()
	terr := l.tcp.Shutdown()
	if err := errors.Join(uerr, terr); err != nil {
		return fmt.Errorf("dns close %s: %w", l.bound, err)
	}
	return nil
}

// Shutdown closes every listener and aborts forwards in flight; the server is done afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for k, l := range s.listeners {
		delete(s.listeners, k)
		errs = append(errs, l.close())
	}
	s.publishBound()
	return errors.Join(errs...)
}

// ListenAddrs returns the bound addresses ("ip:port") of every listener, sorted.
func (s *Server) ListenAddrs() []string {
	var out []string
	for _, b := range *s.bound.Load() {
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out
}

func (s *Server) publishBound() {
	b := make([]netip.AddrPort, 0, len(s.listeners))
	for _, l := range s.listeners {
		b = append(b, l.bound)
	}
	s.bound.Store(&b)
}

// udpReply returns the reply to the UDP packet pkt from src (nil: nothing to send now) and the
// parsed query when it must be forwarded. out is scratch space the reply may live in.
func (s *Server) udpReply(pkt []byte, src netip.AddrPort, out []byte) (reply []byte, fwd *dns.Msg) {
	allowed := s.allowedSource(src.Addr())
	if allowed {
		if reply = s.fastReply(pkt, out); reply != nil {
			if s.log.Enabled(s.ctx, slog.LevelDebug) {
				s.log.Debug("query", "client", src.String(), "fast", true, "bytes", len(reply))
			}
			return reply, nil
		}
	}
	req := new(dns.Msg)
	if err := req.Unpack(pkt); err != nil {
		if !allowed || len(pkt) < 12 || pkt[2]&0x80 != 0 {
			return nil, nil // junk from strangers, or not a query: drop
		}
		m := &dns.Msg{MsgHdr: dns.MsgHdr{
			Id: uint16(pkt[0])<<8 | uint16(pkt[1]), Response: true,
			Opcode: int(pkt[2]>>3) & 0xf, Rcode: dns.RcodeFormatError,
		}}
		b, _ := m.PackBuffer(out)
		return b, nil
	}
	resp, forward := s.respond(req, src, true)
	if forward {
		return nil, req
	}
	if resp == nil {
		return nil, nil
	}
	if len(req.Question) == 1 && s.log.Enabled(s.ctx, slog.LevelDebug) {
		s.log.Debug("query", "client", src.String(), "name", req.Question[0].Name,
			"type", dns.TypeToString[req.Question[0].Qtype], "rcode", dns.RcodeToString[resp.Rcode])
	}
	b, err := resp.PackBuffer(out)
	if err != nil {
		s.log.Debug("pack reply", "client", src.String(), "err", err)
		return nil, nil
	}
	return b, nil
}
