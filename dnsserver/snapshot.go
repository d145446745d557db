package dnsserver

import (
	"errors"
	"fmt"
	"github.com/ordset/ordset/orchestrator/identity"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// DefaultTTL is short because pod IPs change on every restart and clients must notice quickly.
const DefaultTTL = 5 * time.Second

// Version is the schema version of the Kubernetes DNS specification these records follow;
// it is served as TXT at dns-version.<zone>, as CoreDNS does.
const Version = "1.1.0"

// Port is a container port of a pod. Only named ports get SRV records.
type Port struct {
	Name     string // e.g. "redis"; empty means no SRV record
	Protocol string // "TCP" (default), "UDP" or "SCTP"; case-insensitive
	Port     int
}

// Endpoint is one pod behind a headless service: the plain input a snapshot is built from,
// so this package needs nothing from the controller but these fields.
type Endpoint struct {
	Namespace string
	Service   string
	Hostname  string     // pod hostname, e.g. "redis-0"
	IPv4      netip.Addr // zero value when the pod has none
	IPv6      netip.Addr // zero value when the pod has none
	Ready     bool
	// PublishNotReady mirrors the service's publishNotReadyAddresses: the pod's records exist
	// whether or not it is Ready (and it counts among the service's addresses).
	PublishNotReady bool
	Ports           []Port
	// PodService, when set, makes this a member of a Service that is not the pod's own (a
	// Service selecting pods by label): the pod's address counts among Service's, and SRV
	// records point at <Hostname>.<PodService>, the pod's own name, whose A/AAAA records go
	// in the additional section. No pod name is made under Service, and no PTR (the pod's
	// own service has them). Ports carry the service port's name and the pod's target port.
	PodService string
}

// node holds every record owned by one name. A node with no records is an empty non-terminal
// (or a known name without data): queries get NODATA instead of NXDOMAIN.
type node struct {
	a, aaaa, srv, ptr, txt, soa, ns []dns.RR
	// extra is the additional section for SRV answers: the targets' A/AAAA records.
	extra []dns.RR
	// reverse marks an in-addr.arpa/ip6.arpa name: it only answers PTR and carries no SOA.
	reverse bool
	// packed holds the wire answers for the UDP fast path, built once per snapshot.
	packed *packedNode
}

func (n *node) records(qtype uint16) []dns.RR {
	switch qtype {
	case dns.TypeA:
		return n.a
	case dns.TypeAAAA:
		return n.aaaa
	case dns.TypeSRV:
		return n.srv
	case dns.TypePTR:
		return n.ptr
	case dns.TypeTXT:
		return n.txt
	case dns.TypeSOA:
		return n.soa
	case dns.TypeNS:
		return n.ns
	}
	return nil
}

// Snapshot is an immutable view of every record the server answers for. It is built once per
// change and swapped atomically into the server, so queries are map lookups without locks.
type Snapshot struct {
	zone   string // lowercase, fully qualified, e.g. "cluster.local."
	ttl    uint32
	serial uint32
	names  map[string]*node // lowercase FQDN -> node
	soa    *dns.SOA
}

// Zone returns the fully qualified zone the snapshot is authoritative for.
func (s *Snapshot) Zone() string { return s.zone }

// Len returns the number of names (including empty non-terminals and reverse names).
func (s *Snapshot) Len() int { return len(s.names) }

// NewSnapshot builds the records for endpoints in zone (identity.DefaultZone when empty) with ttl
// (DefaultTTL when zero). Invalid endpoints are skipped and reported in the error, which joins
// one error per skipped endpoint; the returned snapshot is always usable, because one bad pod
// must not take DNS away from every other pod.
func NewSnapshot(zone string, ttl time.Duration, endpoints []Endpoint) (*Snapshot, error) {
	if zone == "" {
		zone = identity.DefaultZone
	}
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	zone = dns.CanonicalName(zone)
	var errs []error
	if _, ok := dns.IsDomainName(zone); !ok || zone == "." {
		errs = append(errs, fmt.Errorf("zone %q: not a valid domain name", zone))
		zone = dns.CanonicalName(identity.DefaultZone)
	}
	s := &Snapshot{
		zone:   zone,
		ttl:    uint32(ttl / time.Second),
		serial: uint32(time.Now().Unix()),
		names:  make(map[string]*node, 4*len(endpoints)+8),
	}
	s.addApex()

	type svcKey struct{ ns, svc string }
	services := map[svcKey][]*Endpoint{}
	var order []svcKey
	for i := range endpoints {
		ep := &endpoints[i]
		if err := validateEndpoint(ep); err != nil {
			errs = append(errs, err)
			continue
		}
		k := svcKey{strings.ToLower(ep.Namespace), strings.ToLower(ep.Service)}
		if _, ok := services[k]; !ok {
			order = append(order, k)
		}
		services[k] = append(services[k], ep)
	}
	for _, k := range order {
		s.addService(k.ns, k.svc, services[k])
	}
	s.pack()
	return s, errors.Join(errs...)
}

func validateEndpoint(ep *Endpoint) error {
	id := ep.Namespace + "/" + ep.Service + "/" + ep.Hostname
	for _, l := range []struct{ what, v string }{
		{"namespace", ep.Namespace}, {"service", ep.Service}, {"hostname", ep.Hostname},
	} {
		if !isLabel(l.v) {
			return fmt.Errorf("endpoint %s: %s %q is not a DNS label", id, l.what, l.v)
		}
	}
	if ep.PodService != "" && !isLabel(ep.PodService) {
		return fmt.Errorf("endpoint %s: pod service %q is not a DNS label", id, ep.PodService)
	}
	if !ep.IPv4.IsValid() && !ep.IPv6.IsValid() {
		return fmt.Errorf("endpoint %s: no IP address", id)
	}
	if ep.IPv4.IsValid() && !ep.IPv4.Unmap().Is4() {
		return fmt.Errorf("endpoint %s: IPv4 %s is not an IPv4 address", id, ep.IPv4)
	}
	if ep.IPv6.IsValid() && (!ep.IPv6.Is6() || ep.IPv6.Is4In6()) {
		return fmt.Errorf("endpoint %s: IPv6 %s is not an IPv6 address", id, ep.IPv6)
	}
	for _, p := range ep.Ports {
		if p.Name != "" && !isLabel(p.Name) {
			return fmt.Errorf("endpoint %s: port name %q is not a DNS label", id, p.Name)
		}
		if p.Port < 1 || p.Port > 65535 {
			return fmt.Errorf("endpoint %s: port %d out of range", id, p.Port)
		}
		if _, ok := protoLabel(p.Protocol); !ok {
			return fmt.Errorf("endpoint %s: unknown protocol %q", id, p.Protocol)
		}
	}
	return nil
}

// isLabel accepts RFC 1123 labels (what Kubernetes allows for names) plus '_' to be lenient.
func isLabel(s string) bool {
	if s == "" || len(s) > 63 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func protoLabel(p string) (string, bool) {
	switch strings.ToLower(p) {
	case "", "tcp":
		return "_tcp", true
	case "udp":
		return "_udp", true
	case "sctp":
		return "_sctp", true
	}
	return "", false
}

func (s *Snapshot) hdr(name string, t uint16) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: s.ttl}
}

func (s *Snapshot) addApex() {
	ns := "ns.dns." + s.zone
	s.soa = &dns.SOA{
		Hdr: s.hdr(s.zone, dns.TypeSOA), Ns: ns, Mbox: "hostmaster." + s.zone,
		Serial: s.serial, Refresh: 7200, Retry: 1800, Expire: 86400, Minttl: s.ttl,
	}
	apex := s.ensure(s.zone)
	apex.soa = []dns.RR{s.soa}
	apex.ns = []dns.RR{&dns.NS{Hdr: s.hdr(s.zone, dns.TypeNS), Ns: ns}}
	s.ensure(ns)
	s.ensure("svc." + s.zone)
	v := "dns-version." + s.zone
	s.ensure(v).txt = []dns.RR{&dns.TXT{Hdr: s.hdr(v, dns.TypeTXT), Txt: []string{Version}}}
}

// ensure returns the node for name, creating it and every ancestor up to the zone apex so that
// empty non-terminals answer NODATA.
func (s *Snapshot) ensure(name string) *node {
	if n, ok := s.names[name]; ok {
		return n
	}
	n := &node{}
	s.names[name] = n
	if name != s.zone {
		if i := strings.IndexByte(name, '.'); i >= 0 && i+1 < len(name) {
			s.ensure(name[i+1:])
		}
	}
	return n
}

func (s *Snapshot) addService(ns, svc string, eps []*Endpoint) {
	svcName := svc + "." + ns + ".svc." + s.zone
	svcNode := s.ensure(svcName)
	srvs := map[string][]*Endpoint{}
	srvPort := map[string][]int{}
	var srvOrder []string
	for _, ep := range eps {
		if !ep.Ready && !ep.PublishNotReady {
			continue
		}
		if ep.IPv4.IsValid() {
			svcNode.a = append(svcNode.a, s.a(svcName, ep.IPv4.Unmap()))
		}
		if ep.IPv6.IsValid() {
			svcNode.aaaa = append(svcNode.aaaa, s.aaaa(svcName, ep.IPv6))
		}
		if ep.PodService == "" {
			s.addPod(ep, strings.ToLower(ep.Hostname)+"."+svcName)
		}
		for _, p := range ep.Ports {
			if p.Name == "" {
				continue
			}
			proto, _ := protoLabel(p.Protocol)
			name := "_" + strings.ToLower(p.Name) + "." + proto + "." + svcName
			if _, ok := srvs[name]; !ok {
				srvOrder = append(srvOrder, name)
			}
			srvs[name] = append(srvs[name], ep)
			srvPort[name] = append(srvPort[name], p.Port)
		}
	}
	for _, name := range srvOrder {
		n := s.ensure(name)
		members := srvs[name]
		weight := uint16(100 / len(members))
		seen := map[string]bool{}
		for i, ep := range members {
			target := s.podName(ep, svcName)
			n.srv = append(n.srv, &dns.SRV{
				Hdr: s.hdr(name, dns.TypeSRV), Priority: 0, Weight: weight,
				Port: uint16(srvPort[name][i]), Target: target,
			})
			if seen[target] {
				continue
			}
			seen[target] = true
			if ep.IPv4.IsValid() {
				n.extra = append(n.extra, s.a(target, ep.IPv4.Unmap()))
			}
			if ep.IPv6.IsValid() {
				n.extra = append(n.extra, s.aaaa(target, ep.IPv6))
			}
		}
	}
}

// addPod makes the pod's own name (A/AAAA) and its PTR records.
func (s *Snapshot) addPod(ep *Endpoint, podName string) {
	pod := s.ensure(podName)
	if ep.IPv4.IsValid() {
		ip := ep.IPv4.Unmap()
		pod.a = append(pod.a, s.a(podName, ip))
		s.addPTR(ip, podName)
	}
	if ep.IPv6.IsValid() {
		pod.aaaa = append(pod.aaaa, s.aaaa(podName, ep.IPv6))
		s.addPTR(ep.IPv6, podName)
	}
}

// podName is the pod's own FQDN: under svcName, or under its own service for a member of a
// Service that selects it by label.
func (s *Snapshot) podName(ep *Endpoint, svcName string) string {
	if ep.PodService == "" {
		return strings.ToLower(ep.Hostname) + "." + svcName
	}
	return strings.ToLower(ep.Hostname) + "." + strings.ToLower(ep.PodService) + "." + strings.ToLower(ep.Namespace) + ".svc." + s.zone
}

func (s *Snapshot) a(name string, ip netip.Addr) dns.RR {
	b := ip.As4()
	return &dns.A{Hdr: s.hdr(name, dns.TypeA), A: b[:]}
}

func (s *Snapshot) aaaa(name string, ip netip.Addr) dns.RR {
	b := ip.As16()
	return &dns.AAAA{Hdr: s.hdr(name, dns.TypeAAAA), AAAA: b[:]}
}

func (s *Snapshot) addPTR(ip netip.Addr, target string) {
	rev, err := dns.ReverseAddr(ip.String())
	if err != nil {
		return
	}
	rev = strings.ToLower(rev)
	n, ok := s.names[rev]
	if !ok {
		// Reverse names live outside the zone: no ancestors, so the rest of the
		// reverse tree is still forwarded upstream.
		n = &node{reverse: true}
		s.names[rev] = n
	}
	for _, rr := range n.ptr {
		if rr.(*dns.PTR).Ptr == target {
			return
		}
	}
	n.ptr = append(n.ptr, &dns.PTR{Hdr: s.hdr(rev, dns.TypePTR), Ptr: target})
}

// inZone reports whether the lowercase FQDN name is the zone or below it.
func (s *Snapshot) inZone(name string) bool {
	return name == s.zone || (len(name) > len(s.zone) && name[len(name)-len(s.zone)-1] == '.' &&
		name[len(name)-len(s.zone):] == s.zone)
}
