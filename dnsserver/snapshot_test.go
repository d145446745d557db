package dnsserver

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// lookup runs the snapshot's answer logic for one question, without any server.
func lookup(s *Snapshot, name string, qtype uint16) (m *dns.Msg, authoritative bool) {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	m = new(dns.Msg)
	m.SetReply(q)
	return m, s.answer(m, q.Question[0], strings.ToLower(name))
}

func TestSnapshotAnswers(t *testing.T) {
	snap, err := NewSnapshot("", 0, testEndpoints())
	if err != nil {
		t.Fatal(err)
	}
	const z = ".cluster.local."
	tests := []struct {
		name   string
		qtype  uint16
		rcode  int
		answer []string // rdata, in order
		extra  []string
		soa    bool // SOA in authority
	}{
		{"redis-0.redis.demo.svc" + z, dns.TypeA, dns.RcodeSuccess, []string{"10.1.0.2"}, nil, false},
		{"redis-1.redis.demo.svc" + z, dns.TypeA, dns.RcodeSuccess, []string{"10.1.0.3"}, nil, false},
		{"redis-2.redis.demo.svc" + z, dns.TypeA, dns.RcodeNameError, nil, nil, true},  // not Ready
		{"redis-0.redis.demo.svc" + z, dns.TypeAAAA, dns.RcodeSuccess, nil, nil, true}, // NODATA
		{"redis.demo.svc" + z, dns.TypeA, dns.RcodeSuccess, []string{"10.1.0.2", "10.1.0.3"}, nil, false},
		{"web-0.web.demo.svc" + z, dns.TypeA, dns.RcodeSuccess, []string{"10.1.0.9"}, nil, false}, // publishNotReady
		{"web.demo.svc" + z, dns.TypeA, dns.RcodeSuccess, []string{"10.1.0.9"}, nil, false},
		{"db-0.db.other.svc" + z, dns.TypeAAAA, dns.RcodeSuccess, []string{"fd00::2"}, nil, false},
		{"db.other.svc" + z, dns.TypeAAAA, dns.RcodeSuccess, []string{"fd00::2"}, nil, false},
		{"_redis._tcp.redis.demo.svc" + z, dns.TypeSRV, dns.RcodeSuccess,
			[]string{"0 50 6379 redis-0.redis.demo.svc" + z, "0 50 6379 redis-1.redis.demo.svc" + z},
			[]string{"10.1.0.2", "10.1.0.3"}, false},
		{"_bus._tcp.redis.demo.svc" + z, dns.TypeSRV, dns.RcodeSuccess,
			[]string{"0 50 16379 redis-0.redis.demo.svc" + z, "0 50 16379 redis-1.redis.demo.svc" + z},
			[]string{"10.1.0.2", "10.1.0.3"}, false},
		{"_sql._udp.db.other.svc" + z, dns.TypeSRV, dns.RcodeSuccess,
			[]string{"0 100 5432 db-0.db.other.svc" + z}, []string{"10.2.0.2", "fd00::2"}, false},
		{"_sql._tcp.db.other.svc" + z, dns.TypeSRV, dns.RcodeNameError, nil, nil, true},
		{"_redis._tcp.redis.demo.svc" + z, dns.TypeA, dns.RcodeSuccess, nil, nil, true},
		{"_tcp.redis.demo.svc" + z, dns.TypeSRV, dns.RcodeSuccess, nil, nil, true}, // empty non-terminal
		{"2.0.1.10.in-addr.arpa.", dns.TypePTR, dns.RcodeSuccess, []string{"redis-0.redis.demo.svc" + z}, nil, false},
		{"4.0.1.10.in-addr.arpa.", dns.TypePTR, -1, nil, nil, false}, // not Ready: forwarded
		{"2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.", dns.TypePTR, dns.RcodeSuccess,
			[]string{"db-0.db.other.svc" + z}, nil, false},
		{"2.0.1.10.in-addr.arpa.", dns.TypeA, dns.RcodeSuccess, nil, nil, false}, // NODATA, no SOA outside the zone
		{"demo.svc" + z, dns.TypeA, dns.RcodeSuccess, nil, nil, true},
		{"svc" + z, dns.TypeA, dns.RcodeSuccess, nil, nil, true},
		{"nope.demo.svc" + z, dns.TypeA, dns.RcodeNameError, nil, nil, true},
		{"redis.demo.pod" + z, dns.TypeA, dns.RcodeNameError, nil, nil, true},
		{"dns-version" + z, dns.TypeTXT, dns.RcodeSuccess, []string{`"1.1.0"`}, nil, false},
		{"cluster.local.", dns.TypeNS, dns.RcodeSuccess, []string{"ns.dns" + z}, nil, false},
		{"cluster.local.", dns.TypeSOA, dns.RcodeSuccess, nil, nil, false}, // checked below
		{"example.org.", dns.TypeA, -1, nil, nil, false},
		{"local.", dns.TypeSOA, -1, nil, nil, false},
		{"xcluster.local.", dns.TypeA, -1, nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+dns.TypeToString[tt.qtype], func(t *testing.T) {
			m, auth := lookup(snap, tt.name, tt.qtype)
			if tt.rcode == -1 {
				if auth {
					t.Fatalf("answered %v, want forward", m)
				}
				return
			}
			if !auth {
				t.Fatal("not authoritative, want an answer")
			}
			if m.Rcode != tt.rcode {
				t.Errorf("rcode %s, want %s", dns.RcodeToString[m.Rcode], dns.RcodeToString[tt.rcode])
			}
			if tt.qtype == dns.TypeSOA {
				if len(m.Answer) != 1 || !strings.HasPrefix(rdata(m.Answer)[0], "ns.dns.cluster.local. hostmaster.cluster.local. ") {
					t.Errorf("SOA answer %v", m.Answer)
				}
				return
			}
			if got := rdata(m.Answer); !slices.Equal(got, tt.answer) {
				t.Errorf("answer %q, want %q", got, tt.answer)
			}
			if got := rdata(m.Extra); !slices.Equal(got, tt.extra) {
				t.Errorf("extra %q, want %q", got, tt.extra)
			}
			hasSOA := len(m.Ns) == 1 && m.Ns[0].Header().Rrtype == dns.TypeSOA
			if hasSOA != tt.soa || (!tt.soa && len(m.Ns) > 0) {
				t.Errorf("authority %v, want SOA=%v", m.Ns, tt.soa)
			}
			for _, rr := range m.Answer {
				if rr.Header().Ttl != 5 {
					t.Errorf("ttl %d, want 5", rr.Header().Ttl)
				}
			}
		})
	}
}

func TestSnapshotSRVWeightSplit(t *testing.T) {
	var eps []Endpoint
	for i := range 3 {
		eps = append(eps, Endpoint{Namespace: "n", Service: "s", Hostname: "s-" + string(rune('0'+i)),
			IPv4: netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}), Ready: true, Ports: []Port{{Name: "p", Port: 80}}})
	}
	snap, err := NewSnapshot("", 0, eps)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := lookup(snap, "_p._tcp.s.n.svc.cluster.local.", dns.TypeSRV)
	if len(m.Answer) != 3 {
		t.Fatalf("answers %v", m.Answer)
	}
	for _, rr := range m.Answer {
		if w := rr.(*dns.SRV).Weight; w != 33 {
			t.Errorf("weight %d, want 33", w)
		}
	}
}

func TestSnapshotZoneAndTTL(t *testing.T) {
	snap, err := NewSnapshot("Example.TEST", 30*time.Second, testEndpoints()[:1])
	if err != nil {
		t.Fatal(err)
	}
	if snap.Zone() != "example.test." {
		t.Fatalf("zone %q", snap.Zone())
	}
	m, auth := lookup(snap, "redis-0.redis.demo.svc.example.test.", dns.TypeA)
	if !auth || len(m.Answer) != 1 || m.Answer[0].Header().Ttl != 30 {
		t.Fatalf("answer %v", m)
	}
	if _, auth := lookup(snap, "redis-0.redis.demo.svc.cluster.local.", dns.TypeA); auth {
		t.Fatal("answered for the default zone")
	}
}

func TestSnapshotSkipsInvalidEndpoints(t *testing.T) {
	good := testEndpoints()[0]
	tests := []struct {
		name string
		ep   Endpoint
		want string
	}{
		{"bad hostname", Endpoint{Namespace: "demo", Service: "x", Hostname: "a.b", IPv4: good.IPv4}, `hostname "a.b" is not a DNS label`},
		{"empty service", Endpoint{Namespace: "demo", Hostname: "x-0", IPv4: good.IPv4}, `service "" is not a DNS label`},
		{"no ip", Endpoint{Namespace: "demo", Service: "x", Hostname: "x-0"}, "no IP address"},
		{"v6 as v4", Endpoint{Namespace: "demo", Service: "x", Hostname: "x-0", IPv4: netip.MustParseAddr("fd00::1")}, "is not an IPv4 address"},
		{"bad port", Endpoint{Namespace: "demo", Service: "x", Hostname: "x-0", IPv4: good.IPv4, Ports: []Port{{Name: "p", Port: 0}}}, "port 0 out of range"},
		{"bad proto", Endpoint{Namespace: "demo", Service: "x", Hostname: "x-0", IPv4: good.IPv4, Ports: []Port{{Name: "p", Protocol: "icmp", Port: 1}}}, `unknown protocol "icmp"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, err := NewSnapshot("", 0, []Endpoint{good, tt.ep})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
			if m, _ := lookup(snap, "redis-0.redis.demo.svc.cluster.local.", dns.TypeA); len(m.Answer) != 1 {
				t.Fatalf("the valid endpoint was dropped: %v", m)
			}
		})
	}
}

func TestSnapshotPacksEveryName(t *testing.T) {
	snap, _ := NewSnapshot("", 0, testEndpoints())
	for name, n := range snap.names {
		if n.packed == nil {
			t.Errorf("%s has no packed replies", name)
		}
	}
}
