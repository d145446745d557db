package daemon

import (
	"context"
	"slices"
	"testing"

	"github.com/miekg/dns"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/dnsserver"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/server/api"
)

// A Service selecting pods by label is answered over real DNS once applied, survives a daemon
// restart (it is stored before it is served), stays when an apply names none, goes with
// up --prune, and goes with down of the namespace.
func TestServicesFollowApplyRestartAndDown(t *testing.T) {
	dir, rt := shortDir(t), fakeruntime.New(nil)
	set := testSet(2)
	set.Template.Metadata.Labels = map[string]string{"app": "web"}
	front := map[string]*compose.Service{"front": {Selector: map[string]string{"app": "web"},
		Ports: []compose.ServicePort{{Name: "http", Protocol: "TCP", Port: 80, TargetPort: compose.PortRef{Name: "http"}}}}}
	apply := func(h *harness, svcs map[string]*compose.Service, prune bool) {
		t.Helper()
		req := api.ApplyRequest{Namespace: "t9", Sets: map[string]*compose.StatefulSet{"web": set}, Services: svcs, Prune: prune}
		if _, err := h.c.Apply(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	answers := func(h *harness, name string, qtype uint16) []string {
		t.Helper()
		m, err := dnsserver.Query(context.Background(), h.d.dns.ListenAddrs()[0], name, qtype)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, rr := range m.Answer {
			switch v := rr.(type) {
			case *dns.A:
				out = append(out, v.A.String())
			case *dns.SRV:
				out = append(out, v.Target)
			}
		}
		slices.Sort(out)
		return out
	}
	const name = "front.t9.svc.cluster.local."

	h := start(t, dir, rt)
	apply(h, front, false)
	pods := h.readyPods("t9", 2)
	ips := []string{pods[0].IP, pods[1].IP}
	slices.Sort(ips)
	waitFor(t, "front answers both pods", func() bool { return slices.Equal(answers(h, name, dns.TypeA), ips) })
	if got := answers(h, "_http._tcp."+name, dns.TypeSRV); !slices.Equal(got, []string{"web-0.web.t9.svc.cluster.local.", "web-1.web.t9.svc.cluster.local."}) {
		t.Errorf("SRV targets %v", got)
	}
	h.stop()

	h = start(t, dir, rt)
	h.readyPods("t9", 2)
	waitFor(t, "front answers after a restart", func() bool { return len(answers(h, name, dns.TypeA)) == 2 })
	apply(h, nil, false)
	if got := answers(h, name, dns.TypeA); len(got) != 2 {
		t.Errorf("an apply naming no Services removed front: %v", got)
	}
	apply(h, nil, true)
	waitFor(t, "front gone after --prune", func() bool { return len(answers(h, name, dns.TypeA)) == 0 })

	apply(h, front, false)
	waitFor(t, "front back", func() bool { return len(answers(h, name, dns.TypeA)) == 2 })
	if _, err := h.c.Delete(context.Background(), api.DeleteRequest{Namespace: "t9"}); err != nil {
		t.Fatal(err)
	}
	if svcs := h.d.objects.services("t9"); len(svcs) != 0 {
		t.Errorf("down of the namespace kept Services %v", svcs)
	}
}
