package dnsserver

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/miekg/dns"
)

func benchServer(b *testing.B) (*Server, [][]byte) {
	s, err := New(Config{Upstreams: []string{}, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	var eps []Endpoint
	for ns := range 3 {
		for set := range 5 {
			for pod := range 5 {
				eps = append(eps, Endpoint{Namespace: fmt.Sprintf("ns%d", ns), Service: fmt.Sprintf("set%d", set),
					Hostname: fmt.Sprintf("set%d-%d", set, pod), IPv4: netip.AddrFrom4([4]byte{10, byte(ns), byte(set), byte(pod + 2)}),
					Ready: true, Ports: []Port{{Name: "p", Port: 80}}})
			}
		}
	}
	if err := s.Publish(eps); err != nil {
		b.Fatal(err)
	}
	var pkts [][]byte
	for _, ep := range eps {
		for _, name := range []string{ep.Hostname + "." + ep.Service + "." + ep.Namespace + zs, ep.Service + "." + ep.Namespace + zs} {
			q := new(dns.Msg).SetQuestion(name, dns.TypeA)
			p, _ := q.Pack()
			pkts = append(pkts, p)
		}
	}
	return s, pkts
}

// BenchmarkUDPFastPath is the per-packet cost of an in-zone A query on the UDP read loop.
func BenchmarkUDPFastPath(b *testing.B) {
	s, pkts := benchServer(b)
	out := make([]byte, 0, dns.MaxMsgSize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if r, _ := s.udpReply(pkts[i%len(pkts)], loopbackClient, out); r == nil {
			b.Fatal("no reply")
		}
	}
}

// BenchmarkGeneralPath is the same query through miekg/dns unpack, answer and pack (TCP, and
// UDP queries the fast path declines).
func BenchmarkGeneralPath(b *testing.B) {
	s, pkts := benchServer(b)
	out := make([]byte, 0, dns.MaxMsgSize)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		req := new(dns.Msg)
		if err := req.Unpack(pkts[i%len(pkts)]); err != nil {
			b.Fatal(err)
		}
		m, _ := s.respond(req, loopbackClient, true)
		if _, err := m.PackBuffer(out); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublish is the cost of building and swapping a snapshot of 75 pods.
func BenchmarkPublish(b *testing.B) {
	s, _ := benchServer(b)
	eps := make([]Endpoint, 0, 75)
	for i := range 75 {
		eps = append(eps, Endpoint{Namespace: "ns", Service: fmt.Sprintf("s%d", i/5), Hostname: fmt.Sprintf("p-%d", i),
			IPv4: netip.AddrFrom4([4]byte{10, 0, byte(i / 250), byte(i%250 + 1)}), Ready: true, Ports: []Port{{Name: "p", Port: 80}}})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Publish(eps); err != nil {
			b.Fatal(err)
		}
	}
}
