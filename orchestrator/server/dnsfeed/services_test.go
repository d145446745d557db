package dnsfeed

import (
	"fmt"
	"testing"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
)

func TestServiceEndpoints(t *testing.T) {
	webLabels := map[string]string{"app": "web", "tier": "front"}
	webPorts := []compose.Port{{Name: "http", ContainerPort: 8080, Protocol: "TCP"}}
	apiPorts := []compose.Port{{Name: "http", ContainerPort: 9090, Protocol: "TCP"}}
	pods := []orchestrator.PodStatus{
		{Namespace: "shop", Service: "web", Name: "web-0", Ordinal: 0, IP: "10.0.0.2", Ready: true, Labels: webLabels, PodPorts: webPorts},
		{Namespace: "shop", Service: "web", Name: "web-1", Ordinal: 1, IP: "10.0.0.3", Ready: false, Labels: webLabels, PodPorts: webPorts},
		{Namespace: "shop", Service: "api", Name: "api-0", Ordinal: 0, IP: "10.0.0.4", Ready: true, Labels: map[string]string{"tier": "front"}, PodPorts: apiPorts},
		{Namespace: "shop", Service: "db", Name: "db-0", Ordinal: 0, Ready: true, Labels: map[string]string{"tier": "front"}}, // no IP yet
		{Namespace: "other", Service: "web", Name: "web-0", Ordinal: 0, IP: "10.1.0.2", Ready: true, Labels: webLabels, PodPorts: webPorts},
	}
	services := map[string]map[string]*compose.Service{"shop": {
		"front": {Selector: map[string]string{"tier": "front"}, Ports: []compose.ServicePort{
			{Name: "http", Protocol: "TCP", Port: 80, TargetPort: compose.PortRef{Name: "http"}},
			{Name: "admin", Protocol: "TCP", Port: 9000, TargetPort: compose.PortRef{Name: "admin"}}, // no pod has it
		}},
		"first": {Selector: map[string]string{compose.LabelPodName: "web-1"}, PublishNotReadyAddresses: true,
			Ports: []compose.ServicePort{{Protocol: "TCP", Port: 8080, TargetPort: compose.PortRef{Number: 8080}}}},
	}}
	var got []string
	for _, e := range ServiceEndpoints(pods, services) {
		got = append(got, fmt.Sprintf("%s/%s %s.%s %s ready=%v pnr=%v %v", e.Namespace, e.Service, e.Hostname, e.PodService, e.IPv4, e.Ready, e.PublishNotReady, e.Ports))
	}
	want := []string{
		"shop/front web-0.web 10.0.0.2 ready=true pnr=false [{http TCP 8080}]",
		"shop/first web-1.web 10.0.0.3 ready=false pnr=true [{ TCP 8080}]",
		"shop/front web-1.web 10.0.0.3 ready=false pnr=false [{http TCP 8080}]",
		"shop/front api-0.api 10.0.0.4 ready=true pnr=false [{http TCP 9090}]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ServiceEndpoints:\n%s\nwant\n%s", join(got), join(want))
	}
}

func join(xs []string) string {
	s := ""
	for _, x := range xs {
		s += "  " + x + "\n"
	}
	return s
}
