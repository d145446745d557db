package dnsserver

import (
	"github.com/miekg/dns"
)

// answer fills m, a reply already carrying the question, with the authoritative answer for q
// (lname is q.Name in lowercase). It returns false when the snapshot is not authoritative for
// the name, so the caller forwards the query upstream.
func (s *Snapshot) answer(m *dns.Msg, q dns.Question, lname string) bool {
	n, ok := s.names[lname]
	if !ok && !s.inZone(lname) {
		return false
	}
	// Whoever gets an answer from us may also recurse through us (sources are checked first);
	// saying so keeps stub resolvers and dig from warning.
	m.RecursionAvailable = true
	if !ok {
		m.Authoritative = true
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{s.soa}
		return true
	}
	m.Authoritative = true
	if q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY {
		m.Authoritative = false
		m.Rcode = dns.RcodeRefused
		return true
	}
	var ans []dns.RR
	if q.Qtype == dns.TypeANY {
		for _, rrs := range [][]dns.RR{n.soa, n.ns, n.a, n.aaaa, n.srv, n.ptr, n.txt} {
			ans = append(ans, rrs...)
		}
	} else {
		ans = n.records(q.Qtype)
	}
	if len(ans) == 0 {
		if !n.reverse {
			m.Ns = []dns.RR{s.soa}
		}
		return true
	}
	m.Answer = withOwner(ans, q.Name, lname)
	if q.Qtype == dns.TypeSRV {
		// Full slice expression: appending the OPT record must never write into the snapshot.
		m.Extra = n.extra[:len(n.extra):len(n.extra)]
	}
	return true
}

// withOwner answers with the question's spelling of the name: resolvers that randomise the
// case of their queries (DNS 0x20) compare it. Records are copied only when the case differs.
func withOwner(rrs []dns.RR, qname, lname string) []dns.RR {
	if qname == lname {
		return rrs[:len(rrs):len(rrs)]
	}
	out := make([]dns.RR, len(rrs))
	for i, rr := range rrs {
		if rr.Header().Name != lname {
			out[i] = rr
			continue
		}
		c := dns.Copy(rr)
		c.Header().Name = qname
		out[i] = c
	}
	return out
}
