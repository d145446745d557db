package main

import (
	"reflect"
	"testing"

	"github.com/miekg/dns"
)

func reply(name string, rcode int, answers ...dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeAAAA)
	m.Rcode = rcode
	m.Answer = answers
	return m
}

// NOERROR with no answer is NODATA (the name exists), even when a later search candidate
// answers NXDOMAIN; it was once reported as NXDOMAIN.
func TestPickAnswer(t *testing.T) {
	a, _ := dns.NewRR("web-0.web.demo.svc.cluster.local. 5 IN A 10.0.0.5")
	tests := []struct {
		name    string
		replies []*dns.Msg
		rcode   string
		nodata  bool
		records int
	}{
		{"nodata then nxdomain", []*dns.Msg{reply("web-0.web.demo.svc.cluster.local.", dns.RcodeSuccess), reply("web-0.web.svc.cluster.local.", dns.RcodeNameError), reply("web-0.web.", dns.RcodeNameError)}, "NOERROR", true, 0},
		{"nxdomain everywhere", []*dns.Msg{reply("x.demo.svc.cluster.local.", dns.RcodeNameError), reply("x.", dns.RcodeNameError)}, "NXDOMAIN", false, 0},
		{"answer", []*dns.Msg{reply("web-0.web.demo.svc.cluster.local.", dns.RcodeSuccess, a)}, "NOERROR", false, 1},
	}
	for _, tt := range tests {
		got := pickAnswer("q", dns.TypeAAAA, tt.replies)
		if got.Rcode != tt.rcode || got.NoData != tt.nodata || len(got.Records) != tt.records {
			t.Errorf("%s: %+v", tt.name, got)
		}
	}
}

func TestSearchCandidates(t *testing.T) {
	long := "n123456789012345678901234567890123456789012345678901234567890ab"
	tests := []struct {
		name, ns string
		want     []string
	}{
		{"web-0.web", "demo", []string{"web-0.web.demo.svc.cluster.local", "web-0.web.svc.cluster.local", "web-0.web.cluster.local", "web-0.web"}},
		{"web-0.web.demo.svc.cluster.local", "default", []string{"web-0.web.demo.svc.cluster.local"}},
		{"web.", "demo", []string{"web."}},
		{"web-0.web", long, []string{"web-0.web." + long + ".svc.cluster.local", "web-0.web.svc.cluster.local", "web-0.web.cluster.local", "web-0.web"}},
	}
	for _, tt := range tests {
		if got := searchCandidates(tt.name, tt.ns, "cluster.local"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("searchCandidates(%q, %q) = %q, want %q", tt.name, tt.ns, got, tt.want)
		}
	}
}
