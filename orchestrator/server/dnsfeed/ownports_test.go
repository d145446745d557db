package dnsfeed

import (
	"io"
	"log/slog"
	"slices"
	"strconv"
	"testing"

	"github.com/miekg/dns"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/dnsserver"
	"github.com/ordset/ordset/orchestrator"
)

// A set whose own Service names its ports (a chart's `tcp-kv` targeting the container port
// `kv`) answers SRV by the Service's port name, as Kubernetes does, over a real UDP exchange;
// a set without them (an ordset file) keeps the containers' port names.
func TestOwnServiceSRVNames(t *testing.T) {
	podPorts := []compose.Port{{Name: "kv", ContainerPort: 6379, Protocol: "TCP"}, {ContainerPort: 9121, Protocol: "TCP"}}
	chart := []compose.ServicePort{
		{Name: "tcp-kv", Protocol: "TCP", Port: 6379, TargetPort: compose.PortRef{Name: "kv"}},
		{Name: "http-metrics", Protocol: "TCP", Port: 80, TargetPort: compose.PortRef{Number: 9121}},
		{Name: "missing", Protocol: "TCP", Port: 7000, TargetPort: compose.PortRef{Name: "nope"}},
	}
	pods := []orchestrator.PodStatus{
		{Namespace: "demo", Service: "kv-headless", Name: "kv-0", IP: "10.4.0.2", Ready: true, Ports: podPorts, PodPorts: podPorts, ServicePorts: chart},
		{Namespace: "demo", Service: "plain", Name: "plain-0", IP: "10.4.0.3", Ready: true, Ports: podPorts, PodPorts: podPorts},
	}
	addr := serve(t, Endpoints(pods))
	for _, c := range []struct {
		name string
		want []string // target:port, nil for no answer
	}{
		{"_tcp-kv._tcp.kv-headless.demo.svc.cluster.local.", []string{"kv-0.kv-headless.demo.svc.cluster.local.:6379"}},
		{"_http-metrics._tcp.kv-headless.demo.svc.cluster.local.", []string{"kv-0.kv-headless.demo.svc.cluster.local.:9121"}},
		{"_kv._tcp.kv-headless.demo.svc.cluster.local.", nil},      // the container's name is not the Service's
		{"_missing._tcp.kv-headless.demo.svc.cluster.local.", nil}, // target port no container declares
		{"_kv._tcp.plain.demo.svc.cluster.local.", []string{"plain-0.plain.demo.svc.cluster.local.:6379"}},
	} {
		q := new(dns.Msg)
		q.SetQuestion(c.name, dns.TypeSRV)
		r, err := dns.Exchange(q, addr)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, rr := range r.Answer {
			if v, ok := rr.(*dns.SRV); ok {
				got = append(got, v.Target+":"+strconv.Itoa(int(v.Port)))
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("SRV %s = %v (rcode %s), want %v", c.name, got, dns.RcodeToString[r.Rcode], c.want)
		}
	}
}

// serve runs a real DNS server on a free loopback port with endpoints published.
func serve(t *testing.T, eps []dnsserver.Endpoint) string {
	t.Helper()
	s, err := dnsserver.New(dnsserver.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Upstreams: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(eps); err != nil {
		t.Fatal(err)
	}
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Shutdown(t.Context()) })
	return s.ListenAddrs()[0]
}
