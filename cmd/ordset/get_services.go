package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/server/api"
)

func getServicesCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "services",
		Aliases:   []string{"service", "svc"},
		Usage:     "list the DNS names ordset answers over pods, like kubectl get services",
		ArgsUsage: "[SERVICE...]",
		Description: `Columns: NAME, TYPE (Headless: a set's own Service or clusterIP: None; ClusterIP: a
Service that selects pods by label, served without a virtual IP, so the name answers the pods'
own addresses), SELECTOR, PORTS (port/protocol, ->target when it differs), ENDPOINTS (the
addresses the name answers now, IP:target of the first port) and AGE (the set's, for its own
Service). -A adds NAMESPACE. -o json (or yaml) has every endpoint and port.
"ordset describe service NAME" shows one in detail.

Examples:
   ordset get services
   ordset get svc -A
   ordset get svc web -o json`,
		Flags:  []cli.Flag{allNamespacesFlag},
		Action: action(s, runGetServices),
	}
}

func runGetServices(ctx context.Context, in invocation, s *streams) error {
	out, err := in.outputFormat("table", dataFormats("table")...)
	if err != nil {
		return err
	}
	ns, cl, err := connectScoped(ctx, in, s)
	if err != nil {
		return err
	}
	svcs, err := cl.Services(ctx, ns)
	if err != nil {
		return err
	}
	if svcs, err = namedServices(svcs, in.args, ns); err != nil {
		return err
	}
	if isData(out) {
		if svcs == nil {
			svcs = []api.Service{}
		}
		return writeData(s.Out, out, svcs)
	}
	if len(svcs) == 0 {
		fmt.Fprintf(s.Err, "No resources found in %s.\n", orDefault(ns, "any namespace"))
		return nil
	}
	header, rows := serviceTable(svcs, ns == "", time.Now())
	return table(s.Out, header, rows)
}

// namedServices keeps the Services named by args, in their order (all when none); a name
// that matches none is an error, as kubectl's `services "x" not found`.
func namedServices(svcs []api.Service, args []string, ns string) ([]api.Service, error) {
	if len(args) == 0 {
		return svcs, nil
	}
	var out []api.Service
	for _, a := range args {
		i := slices.IndexFunc(svcs, func(sv api.Service) bool { return sv.Name == a })
		if i < 0 {
			return nil, fmt.Errorf("service %q not found in %s", a, orDefault(ns, "any namespace"))
		}
		out = append(out, svcs[i])
	}
	return out, nil
}

// serviceTable is get services' table: NAME TYPE SELECTOR PORTS ENDPOINTS AGE, the namespace
// first with -A.
func serviceTable(svcs []api.Service, allNS bool, now time.Time) ([]string, [][]string) {
	header := []string{"NAME", "TYPE", "SELECTOR", "PORTS", "ENDPOINTS", "AGE"}
	if allNS {
		header = append([]string{"NAMESPACE"}, header...)
	}
	rows := make([][]string, 0, len(svcs))
	for _, sv := range svcs {
		row := []string{sv.Name, sv.Type, orNone(selectorString(sv.Selector)), orNone(portsString(sv.Ports)),
			orNone(endpointsString(sv, 3)), age(sv.CreatedAt, now)}
		if allNS {
			row = append([]string{sv.Namespace}, row...)
		}
		rows = append(rows, row)
	}
	return header, rows
}

func selectorString(sel map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(sel)) {
		parts = append(parts, k+"="+sel[k])
	}
	return strings.Join(parts, ",")
}

// portsString is kubectl's PORT(S) cell, with the target after -> where it differs (a client
// must connect to the target: there is no virtual IP to map the port).
func portsString(ports []compose.ServicePort) string {
	var parts []string
	for _, sp := range ports {
		p := fmt.Sprintf("%d/%s", sp.Port, orDefault(sp.Protocol, "TCP"))
		switch {
		case sp.TargetPort.Name != "":
			p += "->" + sp.TargetPort.Name
		case sp.TargetPort.Number != 0 && sp.TargetPort.Number != sp.Port:
			p += "->" + strconv.Itoa(sp.TargetPort.Number)
		}
		if sp.Name != "" {
			p = sp.Name + ":" + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, ",")
}

// endpointsString is kubectl's ENDPOINTS cell: IP:target of the first port per pod (the IP
// alone without ports), at most limit, then "+ N more...".
func endpointsString(sv api.Service, limit int) string {
	var parts []string
	for _, ep := range sv.Endpoints {
		s := ep.IP
		if len(sv.Ports) > 0 {
			if n, ok := ep.Ports[sv.Ports[0].Name]; ok {
				s += ":" + strconv.Itoa(n)
			}
		}
		parts = append(parts, s)
	}
	if len(parts) > limit {
		return strings.Join(parts[:limit], ",") + fmt.Sprintf(" + %d more...", len(parts)-limit)
	}
	return strings.Join(parts, ",")
}

// runDescribeService is "describe service NAME".
func runDescribeService(ctx context.Context, in invocation, s *streams, name, out string) error {
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	svcs, err := cl.Services(ctx, ns)
	if err != nil {
		return err
	}
	found, err := namedServices(svcs, []string{name}, ns)
	if err != nil {
		return err
	}
	if isData(out) {
		return writeData(s.Out, out, found[0])
	}
	printService(s.Out, found[0], time.Now())
	return nil
}

func printService(w io.Writer, sv api.Service, now time.Time) {
	kv := func(k, v string) { fmt.Fprintf(w, "%-26s %s\n", k+":", v) }
	kv("Name", sv.Name)
	kv("Namespace", sv.Namespace)
	kv("Type", sv.Type)
	if sv.StatefulSet != "" {
		kv("StatefulSet", sv.StatefulSet+" (the set's own Service)")
	}
	kv("Selector", orNone(selectorString(sv.Selector)))
	kv("Publish Not Ready", strconv.FormatBool(sv.PublishNotReadyAddresses))
	kv("DNS", sv.Name+"."+sv.Namespace+".svc."+identity.DefaultZone)
	kv("Age", age(sv.CreatedAt, now))
	for _, sp := range sv.Ports {
		srv := "no SRV record (the port has no name)"
		if sp.Name != "" {
			srv = fmt.Sprintf("SRV _%s._%s.%s.%s.svc.%s", strings.ToLower(sp.Name), strings.ToLower(orDefault(sp.Protocol, "TCP")), sv.Name, sv.Namespace, identity.DefaultZone)
		}
		kv("Port", fmt.Sprintf("%s  %s", portsString([]compose.ServicePort{sp}), srv))
	}
	if len(sv.Endpoints) == 0 {
		kv("Endpoints", "<none>")
	}
	for _, ep := range sv.Endpoints {
		var ports []string
		for _, name := range slices.Sorted(maps.Keys(ep.Ports)) {
			ports = append(ports, fmt.Sprintf("%s=%d", orDefault(name, "<unnamed>"), ep.Ports[name]))
		}
		kv("Endpoint", fmt.Sprintf("%s %s ready=%t %s", ep.Pod, ep.IP, ep.Ready, strings.Join(ports, " ")))
	}
}
