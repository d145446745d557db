package dnsserver

import (
	"io"
	"log/slog"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
)

var redisPort = []Port{{Name: "redis", Protocol: "TCP", Port: 6379}, {Name: "bus", Protocol: "tcp", Port: 16379}}

// testEndpoints: demo/redis with two Ready pods and one not Ready, demo/web (publishNotReady)
// with one pod not Ready, other/db dual stack.
func testEndpoints() []Endpoint {
	return []Endpoint{
		{Namespace: "demo", Service: "redis", Hostname: "redis-0", IPv4: netip.MustParseAddr("10.1.0.2"), Ready: true, Ports: redisPort},
		{Namespace: "demo", Service: "redis", Hostname: "redis-1", IPv4: netip.MustParseAddr("10.1.0.3"), Ready: true, Ports: redisPort},
		{Namespace: "demo", Service: "redis", Hostname: "redis-2", IPv4: netip.MustParseAddr("10.1.0.4"), Ready: false, Ports: redisPort},
		{Namespace: "demo", Service: "web", Hostname: "web-0", IPv4: netip.MustParseAddr("10.1.0.9"), PublishNotReady: true},
		{Namespace: "other", Service: "db", Hostname: "db-0", IPv4: netip.MustParseAddr("10.2.0.2"),
			IPv6: netip.MustParseAddr("fd00::2"), Ready: true, Ports: []Port{{Name: "sql", Protocol: "UDP", Port: 5432}}},
	}
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// startServer runs a server on a free loopback port and returns it with its address.
func startServer(t testing.TB, cfg Config, eps []Endpoint) (*Server, string) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger()
	}
	if cfg.Upstreams == nil {
		cfg.Upstreams = []string{}
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(eps); err != nil {
		t.Fatal(err)
	}
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Shutdown(t.Context()); err != nil {
			t.Error(err)
		}
	})
	return s, s.ListenAddrs()[0]
}

// ask sends one query; ednsSize 0 means no OPT record.
func ask(t testing.TB, addr, network, name string, qtype uint16, ednsSize uint16) *dns.Msg {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	if ednsSize > 0 {
		q.SetEdns0(ednsSize, false)
	}
	c := &dns.Client{Net: network, Timeout: 2 * time.Second, UDPSize: 65535}
	m, _, err := c.Exchange(q, addr)
	if err != nil {
		t.Fatalf("%s %s %s: %v", network, name, dns.TypeToString[qtype], err)
	}
	if m.Id != q.Id {
		t.Fatalf("reply id %d, query id %d", m.Id, q.Id)
	}
	return m
}

// rdata lists the answer section's data without owner/TTL, for compact comparisons.
func rdata(rrs []dns.RR) []string {
	var out []string
	for _, rr := range rrs {
		if rr.Header().Rrtype == dns.TypeOPT {
			continue
		}
		out = append(out, rr.String()[len(rr.Header().String()):])
	}
	return out
}

// fakeWriter is a dns.ResponseWriter for calling the handler directly with any client address.
type fakeWriter struct {
	remote net.Addr
	msgs   []*dns.Msg
}

func (w *fakeWriter) LocalAddr() net.Addr         { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53} }
func (w *fakeWriter) RemoteAddr() net.Addr        { return w.remote }
func (w *fakeWriter) WriteMsg(m *dns.Msg) error   { w.msgs = append(w.msgs, m); return nil }
func (w *fakeWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *fakeWriter) Close() error                { return nil }
func (w *fakeWriter) TsigStatus() error           { return nil }
func (w *fakeWriter) TsigTimersOnly(bool)         {}
func (w *fakeWriter) Hijack()                     {}
