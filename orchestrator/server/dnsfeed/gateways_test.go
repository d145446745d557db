package dnsfeed

import (
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/dnsserver"
	"github.com/ordset/ordset/orchestrator"
)

func TestGatewayListenersFollowNetworks(t *testing.T) {
	srv, err := dnsserver.New(dnsserver.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	g := NewGateways(srv, 0, slog.New(slog.DiscardHandler))
	now := time.Now()
	nets := []orchestrator.Network{
		{Name: "ordset-a", Namespace: "a", Gateway: "127.0.0.1", Subnet: "10.1.0.0/16"},
		{Name: "ordset-b", Namespace: "b", Gateway: "192.0.2.1", Subnet: "10.2.0.0/16"}, // not ours to bind
	}
	g.sync(nets, now)
	if got := srv.ListenAddrs(); len(got) != 1 || !strings.HasPrefix(got[0], "127.0.0.1:") {
		t.Fatalf("listeners %v", got)
	}
	st := g.Status("cluster.local", "-", srv)
	if len(st.Listeners) != 2 || st.Listeners[1].Network != "ordset-b" || st.Listeners[1].Error == "" || st.Listeners[0].Error != "" {
		t.Errorf("status %+v", st.Listeners)
	}
	// A failed bind is retried only after retryBind.
	g.sync(nets, now.Add(time.Second))
	if g.gw["ordset-b"].lastTry != now {
		t.Error("failed bind retried too soon")
	}
	g.sync(nil, now.Add(2*time.Second))
	if got := srv.ListenAddrs(); len(got) != 0 {
		t.Errorf("listeners after the networks went: %v", got)
	}
}

func TestEndpointsFromPods(t *testing.T) {
	pods := []orchestrator.PodStatus{
		{Namespace: "demo", Service: "redis", Name: "redis-0", IP: "10.1.0.2", Ready: true,
			Ports: []compose.Port{{Name: "redis", ContainerPort: 6379, Protocol: "tcp"}}},
		{Namespace: "demo", Service: "redis", Name: "redis-1", Ready: false}, // no IP yet: no records
	}
	eps := Endpoints(pods)
	if len(eps) != 1 {
		t.Fatalf("endpoints %+v", eps)
	}
	e := eps[0]
	if e.Hostname != "redis-0" || e.IPv4 != netip.MustParseAddr("10.1.0.2") || !e.Ready || e.Ports[0] != (dnsserver.Port{Name: "redis", Protocol: "TCP", Port: 6379}) {
		t.Errorf("endpoint %+v", e)
	}
}

// Two networks of one name (duplicates of an interrupted create) must not make the listener
// move between their gateways on every pass.
func TestGatewayListenerStaysOnFirstOfDuplicateNames(t *testing.T) {
	srv, err := dnsserver.New(dnsserver.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	g := NewGateways(srv, 0, slog.New(slog.DiscardHandler))
	nets := []orchestrator.Network{
		{ID: "kept", Name: "ordset-a", Namespace: "a", Gateway: "127.0.0.1", Subnet: "10.1.0.0/16"},
		{ID: "dup", Name: "ordset-a", Namespace: "a", Gateway: "127.0.0.2", Subnet: "10.3.0.0/16"},
	}
	now := time.Now()
	g.sync(nets, now)
	first := srv.ListenAddrs()
	if len(first) != 1 || !strings.HasPrefix(first[0], "127.0.0.1:") {
		t.Fatalf("listeners %v, want one on the first network's gateway", first)
	}
	for i := 1; i <= 3; i++ {
		g.sync(nets, now.Add(time.Duration(i)*time.Minute))
		if got := srv.ListenAddrs(); len(got) != 1 || got[0] != first[0] {
			t.Fatalf("pass %d: listeners %v, want still %v", i, got, first)
		}
	}
	g.sync(nil, now.Add(time.Hour))
}
