package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/compose"
)

func portCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "port",
		Usage:     "print the host address a pod's port is published on (docker compose port)",
		ArgsUsage: "POD [PORT[/PROTOCOL]|NAME]",
		Description: `A port with hostPort is published per ordinal: hostPort + ordinal. With PORT (a number
or the port's name), prints HOST:PORT; without, every port as PORT/PROTO -> HOST:PORT.
Exits 1 when the port is not published.

Examples:
   ordset port redis-1 6379
   ordset port web-0 http
   ordset port web-0`,
		Action: action(s, runPort),
	}
}

func runPort(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) < 1 || len(in.args) > 2 {
		return usageErrorf("port needs POD [PORT]")
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	pods, err := cl.Pods(ctx, ns)
	if err != nil {
		return err
	}
	for _, p := range pods {
		if p.Name != in.arg(0) {
			continue
		}
		if in.arg(1) == "" {
			for _, pt := range p.Ports {
				if pt.HostPort > 0 {
					fmt.Fprintf(s.Out, "%d/%s -> %s\n", pt.ContainerPort, strings.ToLower(pt.Protocol), hostAddr(pt))
				}
			}
			return nil
		}
		pt, err := findPort(p.Ports, in.arg(1))
		if err != nil {
			return fmt.Errorf("pod %s/%s: %w", ns, p.Name, err)
		}
		fmt.Fprintln(s.Out, hostAddr(pt))
		return nil
	}
	return fmt.Errorf("no pod %q in namespace %s (\"ordset ps -n %s\" lists them)", in.arg(0), ns, ns)
}

// findPort picks a published port by number (optionally /protocol) or name.
func findPort(ports []compose.Port, want string) (compose.Port, error) {
	num, proto, _ := strings.Cut(want, "/")
	for _, pt := range ports {
		match := pt.Name == want
		if n, err := strconv.Atoi(num); err == nil {
			match = n == pt.ContainerPort && (proto == "" || strings.EqualFold(proto, pt.Protocol))
		}
		if !match {
			continue
		}
		if pt.HostPort == 0 {
			return pt, fmt.Errorf("port %s is not published (no hostPort in the set's ports)", want)
		}
		return pt, nil
	}
	return compose.Port{}, fmt.Errorf("no port %s", want)
}

func hostAddr(pt compose.Port) string {
	return net.JoinHostPort(orDefault(pt.HostIP, "0.0.0.0"), strconv.Itoa(pt.HostPort))
}
