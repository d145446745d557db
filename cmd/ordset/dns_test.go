package main

import (
	"reflect"
	"strings"
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
	set61 := strings.Repeat("s", 61)
	pod63 := set61 + "-0"
	tests := []struct {
		name, ns string
		want     []string
	}{
		{"web-0.web", "demo", []string{"web-0.web.demo.svc.cluster.local", "web-0.web.svc.cluster.local", "web-0.web.cluster.local", "web-0.web"}},
		{"web-0.web.demo.svc.cluster.local", "default", []string{"web-0.web.demo.svc.cluster.local"}},
		{"web.", "demo", []string{"web."}},
		{"web-0.web", long, []string{"web-0.web." + long + ".svc.cluster.local", "web-0.web.svc.cluster.local", "web-0.web.cluster.local", "web-0.web"}},
		// 63 + 61 + 63 characters: with "<ns>.svc.cluster.local" it would pass 253, so that
		// candidate is skipped and the shorter ones still asked.
		{pod63 + "." + set61 + "." + long, long, []string{pod63 + "." + set61 + "." + long + ".svc.cluster.local",
			pod63 + "." + set61 + "." + long + ".cluster.local", pod63 + "." + set61 + "." + long}},
	}
	for _, tt := range tests {
		if got := searchCandidates(tt.name, tt.ns, "cluster.local"); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("searchCandidates(%q, %q) = %q, want %q", tt.name, tt.ns, got, tt.want)
		}
	}
}

// What no DNS message can carry is refused before any query, naming the problem (the DNS
// library alone said "bad rdata" for a long label).
func TestCheckDNSName(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"web-0.web", ""},
		{"web-0.web.", ""},
		{strings.Repeat("a", 63) + ".web", ""},
		{strings.Repeat("a", 64) + ".web", "is longer than 63 characters"},
		{strings.Repeat("abcdefg.", 31) + "abcd", ""}, // 252
		{strings.Repeat("abcdefg.", 31) + "abcdef", "longer than 253 characters (254)"},
		{"web..x", "empty label"},
		{".web", "empty label"},
	} {
		err := checkDNSName(tt.name)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("checkDNSName(%q) = %v, want %q", tt.name, err, tt.want)
		}
	}
}
