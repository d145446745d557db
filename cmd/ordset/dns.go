package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/dnsserver"
)

func dnsCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "dns",
		Usage: "query the daemon's embedded DNS server",
		Subcommands: []*cli.Command{{
			Name:      "resolve",
			Usage:     "resolve a name (A by default) and print the answers",
			ArgsUsage: "NAME [TYPE]",
			Description: `Names without a trailing dot go through the pods' search path
(<ns>.svc.<zone>, svc.<zone>, <zone>), so "redis-0.redis" works as inside a pod.
An IP address is looked up as PTR (the pod's name). Exits 1 on NXDOMAIN or no answer.

Examples:
   ordset dns resolve redis-0.redis.demo.svc.cluster.local
   ordset dns resolve redis -n demo
   ordset dns resolve _redis._tcp.redis.demo.svc.cluster.local SRV
   ordset dns resolve 172.18.0.2`,
			Flags:  nil,
			Action: action(s, runDNSResolve),
		}},
	}
}

func runDNSResolve(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) < 1 || len(in.args) > 2 {
		return usageErrorf("dns resolve needs NAME [TYPE]")
	}
	name := in.arg(0)
	qtype := dns.TypeA
	if t := in.arg(1); t != "" {
		var ok bool
		if qtype, ok = dns.StringToType[strings.ToUpper(t)]; !ok {
			return usageErrorf("unknown record type %q", t)
		}
	}
	// An address asks for its pod name, as "dig -x" does.
	if ip := net.ParseIP(name); ip != nil && (in.arg(1) == "" || qtype == dns.TypePTR) {
		rev, err := dns.ReverseAddr(name)
		if err != nil {
			return usageErrorf("reverse name of %s: %v", name, err)
		}
		name, qtype = rev, dns.TypePTR
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	st, err := cl.Status(ctx)
	if err != nil {
		return err
	}
	server := st.DNS.HostAddr
	if server == "" {
		server = os.Getenv("ORDSET_DNS_ADDR")
	}
	if server == "" {
		server = dnsserver.DefaultHostAddr
	}
	zone := st.DNS.Zone
	if zone == "" {
		zone = dnsserver.DefaultZone
	}
	candidates := []string{name}
	if !strings.HasSuffix(name, ".") {
		candidates = nil
		for _, suffix := range []string{ns + ".svc." + zone, "svc." + zone, zone} {
			if !strings.HasSuffix(strings.ToLower(name), "."+suffix) && !strings.HasSuffix(strings.ToLower(name), suffix) {
				candidates = append(candidates, name+"."+suffix)
			}
		}
		candidates = append(candidates, name)
	}
	var last *dns.Msg
	for _, cand := range candidates {
		qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		m, err := dnsserver.Query(qctx, server, cand, qtype)
		cancel()
		if err != nil {
			return fmt.Errorf("query %s at %s: %w", cand, server, err)
		}
		last = m
		if m.Rcode == dns.RcodeSuccess && len(m.Answer) > 0 {
			for _, rr := range m.Answer {
				fmt.Fprintln(s.Out, rr.String())
			}
			for _, rr := range m.Extra {
				if _, opt := rr.(*dns.OPT); !opt {
					fmt.Fprintln(s.Out, rr.String())
				}
			}
			return nil
		}
	}
	return fmt.Errorf("%s: %s (no %s records)", name, dns.RcodeToString[last.Rcode], dns.TypeToString[qtype])
}
