package dnsserver

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

const zs = ".svc.cluster.local."

func TestServerRecordKinds(t *testing.T) {
	_, addr := startServer(t, Config{}, testEndpoints())
	tests := []struct {
		name   string
		qtype  uint16
		rcode  int
		answer []string
		soa    bool
	}{
		{"redis-0.redis.demo" + zs, dns.TypeA, dns.RcodeSuccess, []string{"10.1.0.2"}, false},
		{"redis.demo" + zs, dns.TypeA, dns.RcodeSuccess, []string{"10.1.0.2", "10.1.0.3"}, false},
		{"db-0.db.other" + zs, dns.TypeAAAA, dns.RcodeSuccess, []string{"fd00::2"}, false},
		{"_redis._tcp.redis.demo" + zs, dns.TypeSRV, dns.RcodeSuccess,
			[]string{"0 50 6379 redis-0.redis.demo" + zs, "0 50 6379 redis-1.redis.demo" + zs}, false},
		{"3.0.1.10.in-addr.arpa.", dns.TypePTR, dns.RcodeSuccess, []string{"redis-1.redis.demo" + zs}, false},
		{"dns-version.cluster.local.", dns.TypeTXT, dns.RcodeSuccess, []string{`"1.1.0"`}, false},
		{"cluster.local.", dns.TypeNS, dns.RcodeSuccess, []string{"ns.dns.cluster.local."}, false},
		{"redis-2.redis.demo" + zs, dns.TypeA, dns.RcodeNameError, nil, true}, // not Ready
		{"web-0.web.demo" + zs, dns.TypeA, dns.RcodeSuccess, []string{"10.1.0.9"}, false},
		{"missing.demo" + zs, dns.TypeA, dns.RcodeNameError, nil, true},
		{"redis-0.redis.demo" + zs, dns.TypeMX, dns.RcodeSuccess, nil, true}, // NODATA
		{"demo" + zs, dns.TypeA, dns.RcodeSuccess, nil, true},                // empty non-terminal
		{"svc.cluster.local.", dns.TypeA, dns.RcodeSuccess, nil, true},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, edns := range []uint16{0, 1232} {
			for _, tt := range tests {
				t.Run(fmt.Sprintf("%s/edns%d/%s/%s", network, edns, tt.name, dns.TypeToString[tt.qtype]), func(t *testing.T) {
					m := ask(t, addr, network, tt.name, tt.qtype, edns)
					if m.Rcode != tt.rcode || !m.Authoritative || !m.RecursionAvailable {
						t.Fatalf("rcode %s aa=%v, want %s aa", dns.RcodeToString[m.Rcode], m.Authoritative, dns.RcodeToString[tt.rcode])
					}
					if got := rdata(m.Answer); !slices.Equal(got, tt.answer) {
						t.Errorf("answer %q, want %q", got, tt.answer)
					}
					hasSOA := len(m.Ns) == 1 && m.Ns[0].Header().Rrtype == dns.TypeSOA
					if hasSOA != tt.soa {
						t.Errorf("authority %v, want SOA=%v", m.Ns, tt.soa)
					}
					if opt := m.IsEdns0(); (opt != nil) != (edns > 0) {
						t.Errorf("OPT in reply %v, want %v", opt, edns > 0)
					}
					if tt.qtype == dns.TypeSRV && len(rdata(m.Extra)) != 2 {
						t.Errorf("SRV additional section %v, want the targets' A records", m.Extra)
					}
				})
			}
		}
	}
}

func TestServerCaseInsensitive(t *testing.T) {
	_, addr := startServer(t, Config{}, testEndpoints())
	for _, network := range []string{"udp", "tcp"} {
		for _, name := range []string{"ReDiS-0.Redis.DEMO.svc.Cluster.Local.", "_REDIS._Tcp.redis.demo.SVC.cluster.local."} {
			qtype := dns.TypeA
			if strings.HasPrefix(name, "_") {
				qtype = dns.TypeSRV
			}
			m := ask(t, addr, network, name, qtype, 0)
			if m.Rcode != dns.RcodeSuccess || len(m.Answer) == 0 {
				t.Fatalf("%s %s: %v", network, name, m)
			}
			if m.Question[0].Name != name {
				t.Errorf("question %q, want %q", m.Question[0].Name, name)
			}
			for _, rr := range m.Answer {
				if rr.Header().Name != name {
					t.Errorf("%s: answer owner %q, want the question's case %q", network, rr.Header().Name, name)
				}
			}
		}
	}
}

func bigService(n int) []Endpoint {
	eps := make([]Endpoint, n)
	for i := range eps {
		eps[i] = Endpoint{Namespace: "big", Service: "many", Hostname: fmt.Sprintf("many-%d", i),
			IPv4: netip.AddrFrom4([4]byte{10, 9, byte(i >> 8), byte(i)}), Ready: true,
			Ports: []Port{{Name: "http", Port: 80}}}
	}
	return eps
}

func TestServerTruncation(t *testing.T) {
	_, addr := startServer(t, Config{}, bigService(100))
	name := "many.big" + zs
	tests := []struct {
		network   string
		edns      uint16
		truncated bool
		maxLen    int
	}{
		{"udp", 0, true, 512},
		{"udp", 1232, true, 1232},
		{"udp", 4096, false, 4096}, // 100 A records fit in 4096 bytes
		{"tcp", 0, false, 65535},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d", tt.network, tt.edns), func(t *testing.T) {
			m := ask(t, addr, tt.network, name, dns.TypeA, tt.edns)
			if m.Truncated != tt.truncated {
				t.Fatalf("TC=%v, want %v", m.Truncated, tt.truncated)
			}
			m.Compress = true
			if l := m.Len(); l > tt.maxLen {
				t.Errorf("reply %d bytes > %d", l, tt.maxLen)
			}
			if !tt.truncated && len(m.Answer) != 100 {
				t.Errorf("%d answers, want 100", len(m.Answer))
			}
			if tt.truncated && len(m.Answer) >= 100 {
				t.Errorf("truncated reply kept %d answers", len(m.Answer))
			}
		})
	}
	// SRV with 100 targets: TC over UDP, complete (with additional records) over TCP.
	srv := "_http._tcp.many.big" + zs
	if m := ask(t, addr, "udp", srv, dns.TypeSRV, 1232); !m.Truncated {
		t.Error("SRV over UDP not truncated")
	}
	m := ask(t, addr, "tcp", srv, dns.TypeSRV, 0)
	if len(m.Answer) != 100 || len(m.Extra) != 100 || m.Answer[0].(*dns.SRV).Weight != 1 {
		t.Errorf("SRV over TCP: %d answers, %d extra", len(m.Answer), len(m.Extra))
	}
}

func TestServerEDNSEcho(t *testing.T) {
	_, addr := startServer(t, Config{}, testEndpoints())
	q := new(dns.Msg)
	q.SetQuestion("redis-0.redis.demo"+zs, dns.TypeA)
	q.SetEdns0(4096, true)
	m, _, err := (&dns.Client{}).Exchange(q, addr)
	if err != nil {
		t.Fatal(err)
	}
	opt := m.IsEdns0()
	if opt == nil || opt.UDPSize() != ednsSize || !opt.Do() || opt.Version() != 0 {
		t.Fatalf("OPT %v, want size %d with DO", opt, ednsSize)
	}
	// EDNS version 1 is answered BADVERS.
	q.IsEdns0().SetVersion(1)
	m, _, err = (&dns.Client{}).Exchange(q, addr)
	if err != nil {
		t.Fatal(err)
	}
	if m.Rcode != dns.RcodeBadVers || len(m.Answer) != 0 {
		t.Fatalf("rcode %s, want BADVERS", dns.RcodeToString[m.Rcode])
	}
}

func TestServerReadinessAndPublishLatency(t *testing.T) {
	eps := testEndpoints()
	s, addr := startServer(t, Config{}, eps)
	name := "redis-2.redis.demo" + zs
	if m := ask(t, addr, "udp", name, dns.TypeA, 0); m.Rcode != dns.RcodeNameError {
		t.Fatalf("not-Ready pod answered: %v", m)
	}
	eps[2].Ready = true
	start := time.Now()
	if err := s.Publish(eps); err != nil {
		t.Fatal(err)
	}
	m := ask(t, addr, "udp", name, dns.TypeA, 0)
	took := time.Since(start)
	if m.Rcode != dns.RcodeSuccess || !slices.Equal(rdata(m.Answer), []string{"10.1.0.4"}) {
		t.Fatalf("after Publish: %v", m)
	}
	t.Logf("Publish to answer: %v (the first query after Publish already has the record; speed is benchmarked, not asserted)", took)
	if m := ask(t, addr, "udp", "redis.demo"+zs, dns.TypeA, 0); len(m.Answer) != 3 {
		t.Errorf("service has %d addresses after the pod became Ready, want 3", len(m.Answer))
	}
	// Swap back to the old snapshot: the pod disappears again.
	old, _ := NewSnapshot("", 0, testEndpoints())
	s.Swap(old)
	if m := ask(t, addr, "tcp", name, dns.TypeA, 0); m.Rcode != dns.RcodeNameError {
		t.Fatalf("after Swap: %v", m)
	}
}

func TestServerListeners(t *testing.T) {
	s, addr := startServer(t, Config{}, testEndpoints())
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	addrs := s.ListenAddrs()
	if len(addrs) != 2 {
		t.Fatalf("ListenAddrs %v", addrs)
	}
	second := addrs[0]
	if second == addr {
		second = addrs[1]
	}
	ask(t, second, "tcp", "redis.demo"+zs, dns.TypeA, 0)
	// Binding a taken address fails with an error naming it.
	err := s.Listen(addr)
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Fatalf("Listen on a taken address: %v", err)
	}
	if err := s.Close(second); err != nil {
		t.Fatal(err)
	}
	if got := s.ListenAddrs(); !slices.Equal(got, []string{addr}) {
		t.Fatalf("after Close: %v", got)
	}
	c := &dns.Client{Timeout: 200 * time.Millisecond}
	q := new(dns.Msg).SetQuestion("redis.demo"+zs, dns.TypeA)
	if _, _, err := c.Exchange(q, second); err == nil {
		t.Fatal("closed listener still answers")
	}
	if err := s.Close(second); err == nil {
		t.Fatal("closing twice succeeded")
	}
}

// Publishing while queries are in flight never fails a query (run with -race to check the
// lock-free swap).
func TestPublishDuringQueries(t *testing.T) {
	s, addr := startServer(t, Config{}, testEndpoints())
	done := make(chan struct{})
	published := make(chan int)
	go func() {
		n := 0
		defer func() { published <- n }()
		eps := testEndpoints()
		for {
			select {
			case <-done:
				return
			default:
			}
			eps[2].Ready = n%2 == 0
			_ = s.Publish(eps)
			n++
		}
	}()
	c := &dns.Client{Timeout: time.Second}
	for i := range 300 {
		network := "udp"
		if i%10 == 0 {
			network = "tcp"
		}
		c.Net = network
		m, _, err := c.Exchange(new(dns.Msg).SetQuestion("redis-0.redis.demo"+zs, dns.TypeA), addr)
		if err != nil || m.Rcode != dns.RcodeSuccess || len(m.Answer) != 1 {
			t.Fatalf("query %d during publishes: %v %v", i, m, err)
		}
	}
	close(done)
	if n := <-published; n < 2 {
		t.Fatalf("only %d publishes happened during the queries", n)
	}
}

func TestServerIPv6Listener(t *testing.T) {
	s, _ := startServer(t, Config{}, testEndpoints())
	if err := s.Listen("[::1]:0"); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	var addr string
	for _, a := range s.ListenAddrs() {
		if strings.HasPrefix(a, "[::1]") {
			addr = a
		}
	}
	for _, network := range []string{"udp", "tcp"} {
		if m := ask(t, addr, network, "db-0.db.other"+zs, dns.TypeAAAA, 0); !slices.Equal(rdata(m.Answer), []string{"fd00::2"}) {
			t.Fatalf("%s over IPv6: %v", network, m)
		}
	}
}

// Malformed datagrams get FORMERR when the header is readable, and nothing at all when it is
// not (or when they claim to be responses).
func TestServerMalformedUDP(t *testing.T) {
	_, addr := startServer(t, Config{}, testEndpoints())
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// ID 0x1234, a query claiming one question but carrying a broken name.
	if _, err := conn.Write([]byte{0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f, 'a'}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 512)
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	m := new(dns.Msg)
	if err := m.Unpack(buf[:n]); err != nil || m.Id != 0x1234 || m.Rcode != dns.RcodeFormatError || !m.Response {
		t.Fatalf("reply %v %v, want FORMERR for id 0x1234", m, err)
	}
	// A 3-byte datagram and a response are dropped; the next real query still works.
	_, _ = conn.Write([]byte{1, 2, 3})
	resp := new(dns.Msg).SetQuestion("redis.demo"+zs, dns.TypeA)
	resp.Response = true
	b, _ := resp.Pack()
	_, _ = conn.Write(b)
	q := new(dns.Msg).SetQuestion("redis.demo"+zs, dns.TypeA)
	b, _ = q.Pack()
	_, _ = conn.Write(b)
	n, err = conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Unpack(buf[:n]); err != nil || m.Id != q.Id || len(m.Answer) != 2 {
		t.Fatalf("first reply after junk: %v %v, want the answer to the real query", m, err)
	}
}
