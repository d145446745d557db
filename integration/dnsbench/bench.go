package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/miekg/dns"

	"github.com/ordset/ordset/dnsserver"
	"github.com/ordset/ordset/integration/procstat"
)

// benchConfig is the side-by-side run: every workload against dnsmasq and ordset, rounds
// interleaved so a noisy moment of the shared machine hurts both servers alike.
type benchConfig struct {
	rounds     int
	duration   time.Duration
	serverCPU  string
	clientCPU  string
	port       int
	inflight   int // queries in flight per run, split between the clients (dnsperf -q)
	dnsmasqBin string
	summary    string // file to append the summary table's rows to
	only       string // label filters separated by ";"; empty runs every row
}

// selected reports whether the row of workload w and load kind k is to be run: its label
// ("3 names, UDP dnsperf, 4 clients") contains one of the -only filters, or there are none.
func (c benchConfig) selected(w workload, k loadKind) bool {
	if c.only == "" {
		return true
	}
	label := w.label + ", " + k.String()
	for _, f := range strings.Split(c.only, ";") {
		if f = strings.TrimSpace(f); f != "" && strings.Contains(label, f) {
			return true
		}
	}
	return false
}

// workload is one name set both servers serve and the load asks for.
type workload struct {
	label    string
	sh       shape
	services bool // query the service names too
}

var workloads = []workload{
	{label: "3 names", sh: shape{namespaces: 1, sets: 1, pods: 3}},
	{label: "90 names", sh: shape{namespaces: 3, sets: 5, pods: 5}, services: true},
}

// loadKind is one way of sending queries: a load tool, a transport and a client count.
type loadKind struct {
	tool    string // "dnsperf" or "batch" (loadUDP)
	tcp     bool
	clients int
}

func (k loadKind) String() string {
	proto := "UDP"
	if k.tcp {
		proto = "TCP"
	}
	return fmt.Sprintf("%s %s, %d client%s", proto, k.tool, k.clients, map[bool]string{true: "s"}[k.clients > 1])
}

var loadKinds = []loadKind{
	{tool: "dnsperf", clients: 1}, {tool: "dnsperf", clients: 4},
	{tool: "batch", clients: 1}, {tool: "batch", clients: 4},
	{tool: "dnsperf", tcp: true, clients: 4},
}

// sample is one measured run.
type sample struct {
	qps, cpu float64 // answers per second; server CPU in cores (1 = one core busy)
	lost     int
}

type sampleKey struct {
	workload, server string
	kind             loadKind
}

func bench(ctx context.Context, cfg benchConfig, stdout io.Writer) error {
	work, err := os.MkdirTemp("", "dnsbench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if err := os.Chmod(work, 0o755); err != nil { // dnsmasq reads the hosts file after dropping privileges
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	for i, w := range workloads {
		dir := filepath.Join(work, strconv.Itoa(i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			return err
		}
		if err := gen(w.sh, filepath.Join(dir, "hosts"), filepath.Join(dir, "queries"), w.services); err != nil {
			return err
		}
	}
	results := map[sampleKey][]sample{}
	servers := []string{"dnsmasq", "ordset"}
	for round := range cfg.rounds {
		for i, w := range workloads {
			if !slices.ContainsFunc(loadKinds, func(k loadKind) bool { return cfg.selected(w, k) }) {
				continue
			}
			dir := filepath.Join(work, strconv.Itoa(i))
			for _, name := range servers {
				if err := benchServer(ctx, cfg, self, name, w, dir, round, results); err != nil {
					return fmt.Errorf("%s, %s, round %d: %w", name, w.label, round+1, err)
				}
			}
			servers[0], servers[1] = servers[1], servers[0] // alternate who goes first
		}
	}
	return writeDNSReport(stdout, cfg, results)
}

// benchServer starts one server on the server core, runs every load kind against it, stops it.
func benchServer(ctx context.Context, cfg benchConfig, self, name string, w workload, dir string, round int, results map[sampleKey][]sample) error {
	port := cfg.port
	var cmd *exec.Cmd
	switch name {
	case "dnsmasq":
		cmd = exec.CommandContext(ctx, "taskset", "-c", cfg.serverCPU, cfg.dnsmasqBin, "--keep-in-foreground",
			"--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--addn-hosts="+filepath.Join(dir, "hosts"),
			"--listen-address=127.0.0.1", "--bind-interfaces", fmt.Sprintf("--port=%d", port), "--pid-file=",
			"--local-ttl=5", "--log-facility="+filepath.Join(dir, "dnsmasq.log"))
	default:
		cmd = exec.CommandContext(ctx, "taskset", "-c", cfg.serverCPU, self, "serve", "-addr", fmt.Sprintf("127.0.0.1:%d", port),
			"-namespaces", strconv.Itoa(w.sh.namespaces), "-sets", strconv.Itoa(w.sh.sets), "-pods", strconv.Itoa(w.sh.pods))
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // dnsmasq uses SIGINT for something else
		_ = cmd.Wait()
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if err := waitAnswer(ctx, addr, firstQuery(filepath.Join(dir, "queries"))); err != nil {
		return err
	}
	for _, k := range loadKinds {
		if !cfg.selected(w, k) {
			continue
		}
		before, err := procstat.CPUSeconds(cmd.Process.Pid)
		if err != nil {
			return err
		}
		s, err := runLoad(ctx, cfg, self, addr, filepath.Join(dir, "queries"), k)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			// A load tool that dies mid-run (dnsperf over TCP when a server drops connections)
			// costs this sample, not the whole benchmark; the report pairs complete rounds only.
			fmt.Fprintf(os.Stderr, "dns round %d %-8s %-8s %-26s failed: %v\n", round+1, w.label, name, k, err)
			s = sample{qps: math.NaN()}
		}
		after, err := procstat.CPUSeconds(cmd.Process.Pid)
		if err != nil {
			return err
		}
		s.cpu = (after - before) / cfg.duration.Seconds()
		key := sampleKey{w.label, name, k}
		results[key] = append(results[key], s)
		fmt.Fprintf(os.Stderr, "dns round %d %-8s %-8s %-26s %9.0f q/s  server CPU %3.0f%%  lost %d\n",
			round+1, w.label, name, k, s.qps, s.cpu*100, s.lost)
	}
	return nil
}

var (
	dnsperfQPS  = regexp.MustCompile(`Queries per second:\s+([0-9.]+)`)
	dnsperfLost = regexp.MustCompile(`Queries lost:\s+([0-9]+)`)
	batchLine   = regexp.MustCompile(`qps ([0-9.]+) .* lost ([0-9]+)`)
)

// runLoad runs one load kind on the client core and parses its answer rate.
func runLoad(ctx context.Context, cfg benchConfig, self, addr, queries string, k loadKind) (sample, error) {
	host, port, _ := strings.Cut(addr, ":")
	var args []string
	re := dnsperfQPS
	switch k.tool {
	case "dnsperf":
		args = []string{"dnsperf", "-s", host, "-p", port, "-d", queries, "-l", strconv.Itoa(int(cfg.duration.Seconds())),
			"-c", strconv.Itoa(k.clients), "-q", strconv.Itoa(cfg.inflight)}
		if k.tcp {
			args = append(args, "-m", "tcp")
		}
	default:
		args = []string{self, "load", "-addr", addr, "-queries", queries, "-clients", strconv.Itoa(k.clients),
			"-window", strconv.Itoa(cfg.inflight / k.clients), "-duration", cfg.duration.String()}
		re = batchLine
	}
	out, err := exec.CommandContext(ctx, "taskset", append([]string{"-c", cfg.clientCPU}, args...)...).CombinedOutput()
	m := re.FindSubmatch(out)
	if err != nil || m == nil {
		return sample{}, fmt.Errorf("%s: %v: %s", args[0], err, lastLines(out, 3))
	}
	var s sample
	s.qps, _ = strconv.ParseFloat(string(m[1]), 64)
	if k.tool == "batch" {
		s.lost, _ = strconv.Atoi(string(m[2]))
	} else if l := dnsperfLost.FindSubmatch(out); l != nil {
		s.lost, _ = strconv.Atoi(string(l[1]))
	}
	return s, nil
}

// lastLines keeps an error message short: a tool's final words say why it stopped.
func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}

func firstQuery(path string) string {
	b, _ := os.ReadFile(path)
	name, _, _ := strings.Cut(string(b), " ")
	return name
}

// waitAnswer polls until the server answers name (no fixed sleep), for at most 10 s.
func waitAnswer(ctx context.Context, addr, name string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		qctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		m, err := dnsserver.Query(qctx, addr, name, dns.TypeA)
		cancel()
		if err == nil && len(m.Answer) > 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.Join(fmt.Errorf("no answer for %s from %s within 10s", name, addr), err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
