package dnsserver

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// upstreams is the forwarder's resolver list: fixed by configuration, or read from a
// resolv.conf and re-read when that file changes (laptops change networks).
type upstreams struct {
	resolvConf string // empty when the list is fixed

	mu      sync.Mutex
	list    []netip.AddrPort
	modTime time.Time
	checked time.Time
}

// SetUpstreams fixes the resolvers ("ip" or "ip:port", port 53 by default) that get every name
// outside the zone, replacing resolv.conf.
func (s *Server) SetUpstreams(addrs []string) error {
	list, err := parseUpstreams(addrs, "53")
	if err != nil {
		return err
	}
	s.ups.mu.Lock()
	s.ups.resolvConf = ""
	s.ups.list = list
	s.ups.mu.Unlock()
	return nil
}

func parseUpstreams(addrs []string, defPort string) ([]netip.AddrPort, error) {
	list := make([]netip.AddrPort, 0, len(addrs))
	for _, a := range addrs {
		if _, _, err := net.SplitHostPort(a); err != nil {
			a = net.JoinHostPort(a, defPort)
		}
		ap, err := netip.ParseAddrPort(a)
		if err != nil {
			return nil, fmt.Errorf("dns upstream %q: %w", a, err)
		}
		list = append(list, netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()))
	}
	return list, nil
}

// current returns the resolvers, re-reading resolv.conf at most once a second when it changed.
func (u *upstreams) current() ([]netip.AddrPort, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.resolvConf == "" || time.Since(u.checked) < time.Second {
		return u.list, nil
	}
	u.checked = time.Now()
	fi, err := os.Stat(u.resolvConf)
	if err != nil {
		return u.list, fmt.Errorf("read upstreams from %s: %w", u.resolvConf, err)
	}
	if fi.ModTime().Equal(u.modTime) && u.list != nil {
		return u.list, nil
	}
	cc, err := dns.ClientConfigFromFile(u.resolvConf)
	if err != nil {
		return u.list, fmt.Errorf("read upstreams from %s: %w", u.resolvConf, err)
	}
	list, err := parseUpstreams(cc.Servers, cc.Port)
	if err != nil {
		return u.list, fmt.Errorf("read upstreams from %s: %w", u.resolvConf, err)
	}
	u.list, u.modTime = list, fi.ModTime()
	return list, nil
}

// isSelf reports whether sending to up would reach one of our own listeners (a loop).
func (s *Server) isSelf(up netip.AddrPort) bool {
	for _, b := range *s.bound.Load() {
		if b.Port() != up.Port() {
			continue
		}
		if b.Addr() == up.Addr() || (b.Addr().IsUnspecified() && (up.Addr().IsLoopback() || isLocalAddr(up.Addr()))) {
			return true
		}
	}
	return false
}

func isLocalAddr(a netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, ia := range addrs {
		if n, ok := ia.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap() == a {
				return true
			}
		}
	}
	return false
}

// forward asks the upstreams in order, failing over on errors, timeouts and SERVFAIL, retrying
// over TCP when a UDP answer is truncated. It answers SERVFAIL when every upstream failed.
func (s *Server) forward(r *dns.Msg, udp bool) *dns.Msg {
	list, err := s.ups.current()
	if err != nil {
		s.log.Warn("dns upstreams", "err", err)
	}
	q := r.Copy()
	q.Id = dns.Id() // a fresh ID per upstream query: the client's one is predictable
	var resp *dns.Msg
	for _, up := range list {
		if s.isSelf(up) {
			continue
		}
		m, err := s.exchange(q, up)
		if err != nil {
			s.log.Debug("upstream failed", "upstream", up.String(), "name", q.Question[0].Name, "err", err)
			continue
		}
		if m.Rcode == dns.RcodeServerFailure {
			continue
		}
		resp = m
		break
	}
	if resp == nil {
		resp = new(dns.Msg)
		resp.SetRcode(r, dns.RcodeServerFailure)
		resp.RecursionAvailable = true
		finish(resp, r, udp)
		return resp
	}
	resp.Id = r.Id
	resp.Compress = true
	if udp {
		size := dns.MinMsgSize
		if opt := r.IsEdns0(); opt != nil {
			size = max(size, int(opt.UDPSize()))
		}
		if resp.Len() > size {
			resp.Truncate(size)
		}
	}
	return resp
}

func (s *Server) exchange(q *dns.Msg, up netip.AddrPort) (*dns.Msg, error) {
	ctx, cancel := context.WithTimeout(s.ctx, s.timeout)
	defer cancel()
	addr := up.String()
	c := &dns.Client{Net: "udp", Timeout: s.timeout}
	m, _, err := c.ExchangeContext(ctx, q, addr)
	if err == nil && m.Truncated {
		c.Net = "tcp"
		m, _, err = c.ExchangeContext(ctx, q, addr)
	}
	if err != nil {
		return nil, fmt.Errorf("forward to %s: %w", addr, err)
	}
	return m, nil
}
