package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// dnsTarget is the QPS ratio over dnsmasq that UDP must reach.
const dnsTarget = 1.3

func benchMain(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var cfg benchConfig
	fs.IntVar(&cfg.rounds, "rounds", 3, "rounds (the median is reported)")
	fs.DurationVar(&cfg.duration, "duration", 5*time.Second, "length of one load run (whole seconds)")
	fs.StringVar(&cfg.serverCPU, "server-cpu", "0", "core both servers are pinned to")
	fs.StringVar(&cfg.clientCPU, "client-cpu", "1", "core the load tools are pinned to")
	fs.IntVar(&cfg.port, "port", 23530, "port both servers listen on, in turn")
	fs.IntVar(&cfg.inflight, "inflight", 200, "queries in flight per run (dnsperf -q), split between clients")
	fs.StringVar(&cfg.dnsmasqBin, "dnsmasq", "dnsmasq", "dnsmasq binary")
	fs.StringVar(&cfg.summary, "summary", "", "append markdown summary rows (figure, ordset, peer, ratio, target) to this file")
	fs.StringVar(&cfg.only, "only", "", "run only the rows whose \"names, load\" label contains one of these strings, separated by \";\" (e.g. \"dnsperf, 4;batch, 1\")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.duration < time.Second || cfg.rounds < 1 {
		return fmt.Errorf("bench: want -duration of at least 1s and -rounds of at least 1")
	}
	for _, tool := range []string{"dnsperf", cfg.dnsmasqBin, "taskset"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("bench: %s not found (apt-get install -y dnsperf dnsmasq util-linux)", tool)
		}
	}
	return bench(ctx, cfg, stdout)
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// writeDNSReport prints one markdown table: per workload and load kind, the median QPS of each
// server, the median of the per-round ratios, and the server CPU that explains them.
func writeDNSReport(w io.Writer, cfg benchConfig, res map[sampleKey][]sample) error {
	ver, _ := exec.Command(cfg.dnsmasqBin, "--version").Output()
	dv, _, _ := strings.Cut(string(ver), "  Copyright")
	fmt.Fprintf(w, "Loopback, each server pinned to CPU %s, the load tool to CPU %s, %s per run, %d queries in flight, "+
		"median of %d rounds (rounds where a load tool failed are left out); %s; dnsperf %s. `batch` is this benchmark's own UDP load generator (sendmmsg/recvmmsg, "+
		"checks every reply), which one core can drive faster than a server answers; dnsperf on one core is close to "+
		"its own limit here, so its rows partly measure the client (see the server CPU).\n\n",
		cfg.serverCPU, cfg.clientCPU, cfg.duration, cfg.inflight, cfg.rounds, strings.TrimSpace(dv), dnsperfVersion())
	fmt.Fprintln(w, "| names | load | dnsmasq q/s | ordset q/s | ratio | ratio per round, min–max | server CPU dnsmasq / ordset | CPU per answer ordset/dnsmasq | target |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---|")
	var (
		failed []string
		sum    strings.Builder
	)
	for _, wl := range workloads {
		for _, k := range loadKinds {
			d, o := res[sampleKey{wl.label, "dnsmasq", k}], res[sampleKey{wl.label, "ordset", k}]
			if len(d) == 0 || len(d) != len(o) {
				continue
			}
			var ratios, dq, oq, dc, oc, cpr []float64
			for i := range d {
				if math.IsNaN(d[i].qps) || math.IsNaN(o[i].qps) {
					continue // a failed run: compare complete rounds only
				}
				ratios = append(ratios, o[i].qps/d[i].qps)
				dq, oq = append(dq, d[i].qps), append(oq, o[i].qps)
				dc, oc = append(dc, d[i].cpu), append(oc, o[i].cpu)
				cpr = append(cpr, (o[i].cpu/o[i].qps)/(d[i].cpu/d[i].qps))
			}
			if len(ratios) == 0 {
				fmt.Fprintf(w, "| %s | %s | failed | failed | — | — | — | — | no complete round |\n", wl.label, k)
				continue
			}
			r := median(ratios)
			target := "—"
			if !k.tcp {
				target = fmt.Sprintf("≥ %.2f: ", dnsTarget)
				if r >= dnsTarget {
					target += "met"
				} else {
					target += "**missed**"
					failed = append(failed, fmt.Sprintf("%s %s", wl.label, k))
				}
			}
			fmt.Fprintf(w, "| %s | %s | %.0f | %.0f | **%.2f** | %.2f–%.2f | %.0f %% / %.0f %% | %.2f | %s |\n", wl.label, k,
				median(dq), median(oq), r, slices.Min(ratios), slices.Max(ratios), median(dc)*100, median(oc)*100, median(cpr), target)
			fmt.Fprintf(&sum, "| DNS A queries, %s, %s (vs dnsmasq, higher is better) | %.0f q/s | %.0f q/s | **%.2f** | %s |\n",
				wl.label, k, median(oq), median(dq), r, target)
		}
	}
	if cfg.summary != "" {
		f, err := os.OpenFile(cfg.summary, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("summary: %w", err)
		}
		defer f.Close()
		if _, err := f.WriteString(sum.String()); err != nil {
			return fmt.Errorf("summary: %w", err)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "dnsbench: below %.1f× dnsmasq: %s\n", dnsTarget, strings.Join(failed, "; "))
	}
	return nil
}

// dnsperfVersion asks dpkg, since dnsperf has no version flag; empty when unknown.
func dnsperfVersion() string {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", "dnsperf").Output()
	if err != nil {
		return "(version unknown)"
	}
	return string(out)
}
