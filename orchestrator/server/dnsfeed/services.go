package dnsfeed

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/dnsserver"
	"github.com/ordset/ordset/orchestrator"
)

// ServiceEndpoints are the members of the Services that select pods by label: for each
// Service of a pod's namespace whose selector matches it and that answers it (Ready, or
// publishNotReadyAddresses), one endpoint carrying the service's ports with the pod's target
// port (a named targetPort resolved against the pod's containers; a port it does not resolve
// on has no SRV record for that pod). It runs when pods or Services change, never per query:
// the DNS server precomputes the answers from what it returns.
func ServiceEndpoints(pods []orchestrator.PodStatus, services map[string]map[string]*compose.Service) []dnsserver.Endpoint {
	var out []dnsserver.Endpoint
	for _, p := range pods {
		byName := services[p.Namespace]
		if len(byName) == 0 {
			continue
		}
		v4, v6 := addrs(p)
		if !v4.IsValid() && !v6.IsValid() {
			continue
		}
		for _, name := range sortedNames(byName) {
			sv := byName[name]
			if !compose.SelectsPod(sv.Selector, p.Labels, p.Name, p.Ordinal) {
				continue
			}
			out = append(out, dnsserver.Endpoint{Namespace: p.Namespace, Service: name, Hostname: p.Name, PodService: p.Service,
				IPv4: v4, IPv6: v6, Ready: p.Ready, PublishNotReady: sv.PublishNotReadyAddresses, Ports: targetPorts(sv, p)})
		}
	}
	return out
}

func targetPorts(sv *compose.Service, p orchestrator.PodStatus) []dnsserver.Port {
	return resolvePorts(sv.Ports, p)
}

// resolvePorts gives each service port the pod's target port; a port whose target the pod
// does not declare is left out (no SRV record for that pod).
func resolvePorts(ports []compose.ServicePort, p orchestrator.PodStatus) []dnsserver.Port {
	var out []dnsserver.Port
	for _, sp := range ports {
		if n, ok := compose.TargetPortOf(sp, p.PodPorts); ok {
			out = append(out, dnsserver.Port{Name: sp.Name, Protocol: strings.ToUpper(sp.Protocol), Port: n})
		}
	}
	return out
}

func addrs(p orchestrator.PodStatus) (v4, v6 netip.Addr) {
	if a, err := netip.ParseAddr(p.IP); err == nil {
		v4 = a.Unmap()
	}
	if a, err := netip.ParseAddr(p.IPv6); err == nil {
		v6 = a
	}
	return v4, v6
}

func sortedNames(m map[string]*compose.Service) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
