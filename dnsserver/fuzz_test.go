package dnsserver

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

var loopbackClient = netip.MustParseAddrPort("127.0.0.1:40000")

func fuzzSeeds() [][]byte {
	var seeds [][]byte
	add := func(name string, qtype uint16, edns uint16, do bool, mutate func(*dns.Msg)) {
		q := new(dns.Msg)
		q.SetQuestion(name, qtype)
		if edns > 0 {
			q.SetEdns0(edns, do)
		}
		if mutate != nil {
			mutate(q)
		}
		b, err := q.Pack()
		if err == nil {
			seeds = append(seeds, b)
		}
	}
	for _, name := range []string{"redis-0.redis.demo" + zs, "REDIS.demo" + zs, "_redis._tcp.redis.demo" + zs,
		"2.0.1.10.in-addr.arpa.", "demo" + zs, "nope.demo" + zs, "cluster.local.", "example.org.", "."} {
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA, dns.TypeSRV, dns.TypePTR, dns.TypeANY, dns.TypeMX} {
			add(name, qt, 0, false, nil)
			add(name, qt, 1232, true, nil)
		}
	}
	add("redis.demo"+zs, dns.TypeA, 4096, false, func(m *dns.Msg) {
		m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0102030405060708"})
	})
	add("redis.demo"+zs, dns.TypeA, 0, false, func(m *dns.Msg) { m.Opcode = dns.OpcodeNotify })
	add("redis.demo"+zs, dns.TypeA, 0, false, func(m *dns.Msg) { m.Question = append(m.Question, m.Question[0]) })
	add("redis.demo"+zs, dns.TypeA, 0, false, func(m *dns.Msg) { m.Response = true })
	add("redis.demo"+zs, dns.TypeA, 0, false, func(m *dns.Msg) { m.Question[0].Qclass = dns.ClassCHAOS })
	return seeds
}

// FuzzHandler feeds arbitrary packets to the UDP entry point: it must never panic, every reply
// must be a well-formed response to the query, and whenever the fast path answers, the general
// path must give the same answer.
func FuzzHandler(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	s, err := New(Config{Upstreams: []string{}, Logger: quietLogger()})
	if err != nil {
		f.Fatal(err)
	}
	if err := s.Publish(append(testEndpoints(), bigService(40)...)); err != nil {
		f.Fatal(err)
	}
	out := make([]byte, 0, dns.MaxMsgSize)
	f.Fuzz(func(t *testing.T, pkt []byte) {
		reply, fwd := s.udpReply(pkt, loopbackClient, out)
		if fwd != nil {
			if len(fwd.Question) != 1 || s.snap.Load().inZone(strings.ToLower(fwd.Question[0].Name)) {
				t.Fatalf("forwarding an in-zone or malformed query: %v", fwd)
			}
			reply, _ = s.handle(fwd, loopbackClient, true).Pack() // no upstreams: SERVFAIL
		}
		if reply == nil {
			return
		}
		m := new(dns.Msg)
		if err := m.Unpack(reply); err != nil {
			t.Fatalf("malformed reply %x: %v", reply, err)
		}
		if !m.Response || m.Id != uint16(pkt[0])<<8|uint16(pkt[1]) {
			t.Fatalf("reply header %+v does not answer the query", m.MsgHdr)
		}
		limit := dns.MinMsgSize
		req := new(dns.Msg)
		if req.Unpack(pkt) == nil {
			if opt := req.IsEdns0(); opt != nil {
				limit = max(limit, int(opt.UDPSize()))
			}
		}
		if len(reply) > limit {
			t.Fatalf("UDP reply of %d bytes exceeds the client's %d", len(reply), limit)
		}
		if fast := s.fastReply(pkt, nil); fast != nil {
			if err := req.Unpack(pkt); err != nil {
				t.Fatalf("fast path answered a packet the general path cannot parse: %v", err)
			}
			slow, fwd := s.respond(req, loopbackClient, true)
			if fwd || slow == nil {
				t.Fatalf("fast path answered, general path forwards or drops")
			}
			if a, b := summary(m), summary(slow); a != b {
				t.Fatalf("fast and general path differ:\nfast:    %s\ngeneral: %s", a, b)
			}
		}
	})
}

// summary is a case-insensitive rendering of a reply for comparing the two paths.
func summary(m *dns.Msg) string {
	var parts []string
	h := m.MsgHdr
	parts = append(parts, dns.RcodeToString[h.Rcode], boolStr(h.Authoritative, "aa"), boolStr(h.Truncated, "tc"),
		boolStr(h.RecursionDesired, "rd"), boolStr(h.CheckingDisabled, "cd"), boolStr(h.RecursionAvailable, "ra"))
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		var rrs []string
		for _, rr := range sec {
			rrs = append(rrs, strings.ToLower(rr.String()))
		}
		slices.Sort(rrs)
		parts = append(parts, strings.Join(rrs, "|"))
	}
	for _, q := range m.Question {
		parts = append(parts, q.String())
	}
	return strings.Join(parts, " ; ")
}

func boolStr(b bool, s string) string {
	if b {
		return s
	}
	return "-"
}

func TestFastPathMatchesGeneralPath(t *testing.T) {
	s, err := New(Config{Upstreams: []string{}, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Publish(testEndpoints())
	fast := 0
	for _, pkt := range fuzzSeeds() {
		if s.fastReply(pkt, nil) != nil {
			fast++
		}
	}
	// In-zone, existing names with plain IN questions must take the fast path.
	if fast < 40 {
		t.Fatalf("fast path answered only %d seed queries", fast)
	}
}
