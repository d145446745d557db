package dnsserver

import (
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeUpstream is another miekg/dns server on loopback: example.org A 192.0.2.1, and big.example.
// with 60 A records, which is truncated over UDP so the forwarder must retry over TCP.
func fakeUpstream(t *testing.T) string {
	t.Helper()
	mux := dns.NewServeMux()
	mux.HandleFunc(".", func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		m.RecursionAvailable = true
		q := r.Question[0]
		switch strings.ToLower(q.Name) {
		case "example.org.":
			m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, 1)})
		case "big.example.":
			for i := range 60 {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(192, 0, 2, byte(i))})
			}
		default:
			m.Rcode = dns.RcodeNameError
		}
		if _, udp := w.RemoteAddr().(*net.UDPAddr); udp {
			size := dns.MinMsgSize
			if opt := r.IsEdns0(); opt != nil {
				size = int(opt.UDPSize())
			}
			m.Truncate(size)
		}
		_ = w.WriteMsg(m)
	})
	pc, ln := udpAndTCP(t)
	u := &dns.Server{PacketConn: pc, Handler: mux}
	tc := &dns.Server{Listener: ln, Handler: mux}
	go func() { _ = u.ActivateAndServe() }()
	go func() { _ = tc.ActivateAndServe() }()
	t.Cleanup(func() { _ = u.Shutdown(); _ = tc.Shutdown() })
	return pc.LocalAddr().String()
}

// udpAndTCP binds a UDP and a TCP socket on the same free loopback port. The kernel picks the
// UDP port; that number may be taken for TCP (another test's connection, on a shared machine),
// so it tries a few.
func udpAndTCP(t *testing.T) (net.PacketConn, net.Listener) {
	t.Helper()
	for attempt := 0; ; attempt++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln
		}
		pc.Close()
		if attempt == 20 {
			t.Fatalf("no loopback port free for both UDP and TCP: %v", err)
		}
	}
}

// deadUpstream is a bound UDP port that never answers (and no TCP listener).
func deadUpstream(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	return pc.LocalAddr().String()
}

func TestForward(t *testing.T) {
	up := fakeUpstream(t)
	_, addr := startServer(t, Config{Upstreams: []string{up}}, testEndpoints())
	for _, network := range []string{"udp", "tcp"} {
		m := ask(t, addr, network, "Example.ORG.", dns.TypeA, 0)
		if m.Rcode != dns.RcodeSuccess || len(m.Answer) != 1 || m.Answer[0].(*dns.A).A.String() != "192.0.2.1" {
			t.Fatalf("%s: forwarded answer %v", network, m)
		}
		if m.Question[0].Name != "Example.ORG." {
			t.Errorf("question %q", m.Question[0].Name)
		}
		if m := ask(t, addr, network, "nowhere.example.", dns.TypeA, 0); m.Rcode != dns.RcodeNameError {
			t.Errorf("%s: upstream NXDOMAIN became %s", network, dns.RcodeToString[m.Rcode])
		}
	}
	// Truncated over UDP upstream: the forwarder retries over TCP, then fits the client's size.
	if m := ask(t, addr, "tcp", "big.example.", dns.TypeA, 0); len(m.Answer) != 60 || m.Truncated {
		t.Fatalf("big answer over TCP: %d records, TC=%v", len(m.Answer), m.Truncated)
	}
	if m := ask(t, addr, "udp", "big.example.", dns.TypeA, 4096); len(m.Answer) != 60 || m.Truncated {
		t.Fatalf("big answer with EDNS 4096: %d records, TC=%v", len(m.Answer), m.Truncated)
	}
	if m := ask(t, addr, "udp", "big.example.", dns.TypeA, 0); !m.Truncated {
		t.Fatalf("big answer to a 512-byte client not truncated: %d records", len(m.Answer))
	}
}

func TestForwardFailover(t *testing.T) {
	up := fakeUpstream(t)
	_, addr := startServer(t, Config{Upstreams: []string{deadUpstream(t), up}, ForwardTimeout: 200 * time.Millisecond}, nil)
	start := time.Now()
	m := ask(t, addr, "udp", "example.org.", dns.TypeA, 0)
	if m.Rcode != dns.RcodeSuccess || len(m.Answer) != 1 {
		t.Fatalf("failover answer %v", m)
	}
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("answered in %v: the dead upstream was not tried first", took)
	}
}

func TestForwardAllFail(t *testing.T) {
	_, addr := startServer(t, Config{Upstreams: []string{deadUpstream(t), deadUpstream(t)}, ForwardTimeout: 100 * time.Millisecond}, nil)
	for _, network := range []string{"udp", "tcp"} {
		if m := ask(t, addr, network, "example.org.", dns.TypeA, 1232); m.Rcode != dns.RcodeServerFailure || m.IsEdns0() == nil {
			t.Fatalf("%s: %v, want SERVFAIL with OPT", network, m)
		}
	}
}

// An upstream that is ourselves is skipped rather than looped through: the answer is an
// immediate SERVFAIL, not one after the forward timeout.
func TestForwardSkipsSelf(t *testing.T) {
	s, addr := startServer(t, Config{ForwardTimeout: 2 * time.Second}, nil)
	if err := s.SetUpstreams([]string{addr}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if m := ask(t, addr, "udp", "example.org.", dns.TypeA, 0); m.Rcode != dns.RcodeServerFailure {
		t.Fatalf("self as upstream: %v", m)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("self as upstream took %v: it was queried", took)
	}
}

func TestUpstreamsFromResolvConf(t *testing.T) {
	up := fakeUpstream(t)
	host, _, _ := net.SplitHostPort(up)
	rc := filepath.Join(t.TempDir(), "resolv.conf")
	if err := os.WriteFile(rc, []byte("search example\nnameserver "+host+"\noptions ndots:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{ResolvConf: rc, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.ups.current()
	if err != nil || len(list) != 1 || list[0] != netip.MustParseAddrPort(host+":53") {
		t.Fatalf("upstreams %v, %v", list, err)
	}
}

func TestRefusesForeignClients(t *testing.T) {
	up := fakeUpstream(t)
	s, err := New(Config{Upstreams: []string{up}, Logger: quietLogger(),
		AllowedNets: []netip.Prefix{netip.MustParsePrefix("172.30.0.0/16")}})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Publish(testEndpoints())
	tests := []struct {
		client string
		name   string
		rcode  int
	}{
		{"203.0.113.5", "redis-0.redis.demo" + zs, dns.RcodeRefused},
		{"203.0.113.5", "example.org.", dns.RcodeRefused},
		{"172.30.0.5", "redis-0.redis.demo" + zs, dns.RcodeSuccess},
		{"172.30.0.5", "example.org.", dns.RcodeSuccess}, // forwarded
		{"172.31.0.5", "example.org.", dns.RcodeRefused},
		{"::1", "example.org.", dns.RcodeSuccess},
		{"::ffff:127.0.0.1", "example.org.", dns.RcodeSuccess},
		{"::ffff:203.0.113.5", "redis-0.redis.demo" + zs, dns.RcodeRefused},
	}
	for _, tt := range tests {
		t.Run(tt.client+"/"+tt.name, func(t *testing.T) {
			ip := net.ParseIP(tt.client)
			// Through the handler with a fake writer ...
			w := &fakeWriter{remote: &net.UDPAddr{IP: ip, Port: 5353}}
			q := new(dns.Msg).SetQuestion(tt.name, dns.TypeA)
			s.ServeDNS(w, q)
			if len(w.msgs) != 1 || w.msgs[0].Rcode != tt.rcode {
				t.Fatalf("handler: %v, want %s", w.msgs, dns.RcodeToString[tt.rcode])
			}
			// ... and through the UDP packet path (fast path included), without sending anything.
			pkt, _ := q.Pack()
			src := netip.AddrPortFrom(netip.MustParseAddr(tt.client), 5353)
			reply, fwd := s.udpReply(pkt, src, nil)
			if fwd != nil {
				if tt.rcode == dns.RcodeRefused {
					t.Fatal("packet path forwards for a foreign client")
				}
				return
			}
			m := new(dns.Msg)
			if err := m.Unpack(reply); err != nil || m.Rcode != tt.rcode {
				t.Fatalf("packet path: %v %v, want %s", m, err, dns.RcodeToString[tt.rcode])
			}
		})
	}
	// Networks come and go.
	s.SetAllowedNets(nil)
	w := &fakeWriter{remote: &net.UDPAddr{IP: net.ParseIP("172.30.0.5"), Port: 5353}}
	s.ServeDNS(w, new(dns.Msg).SetQuestion("redis-0.redis.demo"+zs, dns.TypeA))
	if w.msgs[0].Rcode != dns.RcodeRefused {
		t.Fatalf("after removing the network: %s", dns.RcodeToString[w.msgs[0].Rcode])
	}
}

func TestQueryAndFormatShort(t *testing.T) {
	_, addr := startServer(t, Config{}, append(testEndpoints(), bigService(100)...))
	tests := []struct {
		name, qtype, want string
	}{
		{"redis-0.redis.demo.svc.cluster.local", "", "10.1.0.2\n"},
		{"_redis._tcp.redis.demo.svc.cluster.local", "srv",
			"0 50 6379 redis-0.redis.demo.svc.cluster.local.\n0 50 6379 redis-1.redis.demo.svc.cluster.local.\n"},
		{"dns-version.cluster.local", "TXT", "\"1.1.0\"\n"},
		{"nope.cluster.local", "A", "NXDOMAIN\n"},
		{"demo.svc.cluster.local", "A", "NOERROR (no records)\n"},
	}
	for _, tt := range tests {
		qt, err := ParseType(tt.qtype)
		if err != nil {
			t.Fatal(err)
		}
		m, err := Query(t.Context(), addr, tt.name, qt)
		if err != nil {
			t.Fatal(err)
		}
		if got := FormatShort(m); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.name, tt.qtype, got, tt.want)
		}
	}
	// Truncated over UDP: Query retries over TCP and gets every record.
	m, err := Query(t.Context(), addr, "many.big.svc.cluster.local", dns.TypeA)
	if err != nil || len(m.Answer) != 100 {
		t.Fatalf("big service: %v records, %v", len(m.Answer), err)
	}
	if _, err := ParseType("BOGUS"); err == nil {
		t.Error("ParseType accepted BOGUS")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := Query(ctx, deadUpstream(t), "x", dns.TypeA); err == nil || !strings.Contains(err.Error(), "query x. A at") {
		t.Errorf("error %v", err)
	}
}
