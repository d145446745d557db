package dnsserver

import (
	"net/netip"
	"slices"
	"strconv"
	"testing"

	"github.com/miekg/dns"
)

// A Service selecting pods by label answers the members' addresses and SRV records whose
// targets are the pods' own names (with their addresses as additional records), over a real
// UDP exchange; it makes no pod names of its own.
func TestServiceSelectingPods(t *testing.T) {
	eps := []Endpoint{
		{Namespace: "shop", Service: "web", Hostname: "web-0", IPv4: netip.MustParseAddr("10.3.0.2"), Ready: true,
			Ports: []Port{{Name: "http", Port: 8080}}},
		{Namespace: "shop", Service: "web", Hostname: "web-1", IPv4: netip.MustParseAddr("10.3.0.3"), Ready: true,
			Ports: []Port{{Name: "http", Port: 8080}}},
		// the Service "front": port http 80 -> target 8080, members web-0 and web-1
		{Namespace: "shop", Service: "front", Hostname: "web-0", PodService: "web", IPv4: netip.MustParseAddr("10.3.0.2"), Ready: true,
			Ports: []Port{{Name: "http", Port: 8080}}},
		{Namespace: "shop", Service: "front", Hostname: "web-1", PodService: "web", IPv4: netip.MustParseAddr("10.3.0.3"), Ready: true,
			Ports: []Port{{Name: "http", Port: 8080}}},
	}
	_, addr := startServer(t, Config{}, eps)
	ask := func(name string, qtype uint16) *dns.Msg {
		t.Helper()
		q := new(dns.Msg)
		q.SetQuestion(name, qtype)
		r, err := dns.Exchange(q, addr)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return r
	}
	rdata := func(rrs []dns.RR) []string {
		var out []string
		for _, rr := range rrs {
			switch v := rr.(type) {
			case *dns.A:
				out = append(out, v.A.String())
			case *dns.SRV:
				out = append(out, v.Target+":"+strconv.Itoa(int(v.Port)))
			}
		}
		slices.Sort(out)
		return out
	}
	if got := rdata(ask("front.shop.svc.cluster.local.", dns.TypeA).Answer); !slices.Equal(got, []string{"10.3.0.2", "10.3.0.3"}) {
		t.Errorf("front A = %v", got)
	}
	srv := ask("_http._tcp.front.shop.svc.cluster.local.", dns.TypeSRV)
	if got := rdata(srv.Answer); !slices.Equal(got, []string{"web-0.web.shop.svc.cluster.local.:8080", "web-1.web.shop.svc.cluster.local.:8080"}) {
		t.Errorf("front SRV = %v", got)
	}
	if got := rdata(srv.Extra); !slices.Equal(got, []string{"10.3.0.2", "10.3.0.3"}) {
		t.Errorf("front SRV additional = %v", got)
	}
	if r := ask("web-0.front.shop.svc.cluster.local.", dns.TypeA); r.Rcode != dns.RcodeNameError {
		t.Errorf("web-0.front: rcode %s, want NXDOMAIN (no pod names under a selecting Service)", dns.RcodeToString[r.Rcode])
	}
	r := ask("2.0.3.10.in-addr.arpa.", dns.TypePTR)
	if got := r.Answer; len(got) != 1 || got[0].(*dns.PTR).Ptr != "web-0.web.shop.svc.cluster.local." {
		t.Errorf("PTR = %v, want only the pod's own name", got)
	}
}
