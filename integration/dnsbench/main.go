// Command dnsbench is the ordset side of the DNS benchmark run by run.sh: it serves a synthetic
// snapshot (namespaces x sets x pods) with ordset's embedded DNS server, writes the same names as
// a hosts file for dnsmasq plus a dnsperf query file, and can republish the snapshot on a timer
// to measure the cost of swaps under load.
//
//	dnsbench gen   -hosts FILE -queries FILE
//	dnsbench serve -addr 127.0.0.1:23530 [-republish 10ms] [-stats FILE] [-cpuprofile FILE]
//	dnsbench query -addr 127.0.0.1:23530 NAME
//	dnsbench bench [-rounds 3] [-duration 5s]   (the side-by-side table, markdown on stdout)
//	dnsbench load  -addr 127.0.0.1:23530 -queries FILE [-clients 1] [-window 100] [-duration 5s]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/ordset/ordset/dnsserver"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "dnsbench:", err)
		os.Exit(1)
	}
}

type shape struct{ namespaces, sets, pods int }

func (s *shape) flags(fs *flag.FlagSet) {
	fs.IntVar(&s.namespaces, "namespaces", 3, "namespaces")
	fs.IntVar(&s.sets, "sets", 5, "sets per namespace")
	fs.IntVar(&s.pods, "pods", 5, "pods per set")
}

// endpoints builds the synthetic cluster; gen shifts every pod IP so that consecutive
// republished snapshots really differ while every queried name keeps resolving.
func (s shape) endpoints(gen int) []dnsserver.Endpoint {
	var eps []dnsserver.Endpoint
	for n := range s.namespaces {
		for set := range s.sets {
			for p := range s.pods {
				eps = append(eps, dnsserver.Endpoint{
					Namespace: fmt.Sprintf("ns%d", n), Service: fmt.Sprintf("set%d", set),
					Hostname: fmt.Sprintf("set%d-%d", set, p),
					IPv4:     netip.AddrFrom4([4]byte{10, byte(n), byte(set), byte(2 + p + (gen%2)*100)}),
					Ready:    true, Ports: []dnsserver.Port{{Name: "app", Protocol: "TCP", Port: 8080}},
				})
			}
		}
	}
	return eps
}

func fqdn(names ...string) string { return strings.Join(names, ".") + ".svc.cluster.local" }

func run(ctx context.Context, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: dnsbench gen|serve|query|load|bench [flags]")
	}
	if args[0] == "bench" {
		return benchMain(ctx, args[1:], stdout)
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	var sh shape
	sh.flags(fs)
	addr := fs.String("addr", "127.0.0.1:23530", "listen (serve) or server (query) address")
	hosts := fs.String("hosts", "", "gen: hosts file to write (dnsmasq --addn-hosts)")
	queries := fs.String("queries", "", "gen: dnsperf query file to write; load: query file to send")
	republish := fs.Duration("republish", 0, "serve: publish a new snapshot this often (0: never)")
	stats := fs.String("stats", "", "serve: file to write the number of publishes to on exit")
	cpuprofile := fs.String("cpuprofile", "", "serve: write a CPU profile (go tool pprof) to this file")
	clients := fs.Int("clients", 1, "load: client sockets")
	window := fs.Int("window", 100, "load: queries in flight per client")
	duration := fs.Duration("duration", 5*time.Second, "load: how long to send")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "gen":
		return gen(sh, *hosts, *queries, true)
	case "serve":
		if *cpuprofile != "" {
			f, err := os.Create(*cpuprofile)
			if err != nil {
				return fmt.Errorf("cpu profile: %w", err)
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return fmt.Errorf("cpu profile: %w", err)
			}
			defer pprof.StopCPUProfile()
		}
		return serve(ctx, sh, *addr, *republish, *stats)
	case "load":
		qs, err := readQueries(*queries)
		if err != nil {
			return err
		}
		r, err := loadUDP(ctx, *addr, qs, *clients, *window, *duration)
		fmt.Fprintf(stdout, "qps %.0f sent %d answered %d lost %d bad %d\n", r.qps(), r.sent, r.answered, r.lost, r.bad)
		return err
	case "query":
		if fs.NArg() != 1 {
			return errors.New("query: want one NAME")
		}
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		m, err := dnsserver.Query(ctx, *addr, fs.Arg(0), dns.TypeA)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, dnsserver.FormatShort(m))
		if len(m.Answer) == 0 {
			return fmt.Errorf("no answer for %s", fs.Arg(0))
		}
		return nil
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// gen writes the same names for dnsmasq (hosts file) and dnsperf (query file): every pod FQDN
// and every service name (which has one line per pod, so dnsmasq returns all of them); without
// services the query file holds only the pod names.
func gen(sh shape, hostsPath, queriesPath string, services bool) error {
	var h, q strings.Builder
	seen := map[string]bool{}
	for _, ep := range sh.endpoints(0) {
		pod := fqdn(ep.Hostname, ep.Service, ep.Namespace)
		svc := fqdn(ep.Service, ep.Namespace)
		fmt.Fprintf(&h, "%s %s\n%s %s\n", ep.IPv4, pod, ep.IPv4, svc)
		fmt.Fprintf(&q, "%s A\n", pod)
		if services && !seen[svc] {
			seen[svc] = true
			fmt.Fprintf(&q, "%s A\n", svc)
		}
	}
	if err := os.WriteFile(hostsPath, []byte(h.String()), 0o644); err != nil {
		return fmt.Errorf("write hosts file: %w", err)
	}
	if err := os.WriteFile(queriesPath, []byte(q.String()), 0o644); err != nil {
		return fmt.Errorf("write query file: %w", err)
	}
	return nil
}

func serve(ctx context.Context, sh shape, addr string, every time.Duration, statsPath string) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := dnsserver.New(dnsserver.Config{Upstreams: []string{}, Logger: log})
	if err != nil {
		return err
	}
	if err := srv.Publish(sh.endpoints(0)); err != nil {
		return err
	}
	if err := srv.Listen(addr); err != nil {
		return err
	}
	publishes := 1
	var tick <-chan time.Time
	if every > 0 {
		t := time.NewTicker(every)
		defer t.Stop()
		tick = t.C
	}
	var worst time.Duration
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick:
			start := time.Now()
			if err := srv.Publish(sh.endpoints(publishes)); err != nil {
				return err
			}
			worst = max(worst, time.Since(start))
			publishes++
		}
	}
	if statsPath != "" {
		line := fmt.Sprintf("%d %s\n", publishes, worst)
		if err := os.WriteFile(statsPath, []byte(line), 0o644); err != nil {
			return fmt.Errorf("write stats: %w", err)
		}
	}
	return srv.Shutdown(context.Background())
}
