package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
)

// The scale benchmark runs many small pods (the tiniest local image, `sleep`) on a private
// daemon, as a user would with `ordset up`:
//
//   - scale-parallel: a Parallel set of cfg.scalePods pods with a claim volume each, from
//     nothing to Running, against `docker-compose up -d --scale` of the same image without
//     volumes; with the pods up it reads the daemon's VmRSS and times `ordset ps` (and
//     `docker ps` of the same containers, for scale);
//   - scale-ordered: an OrderedReady set scaled from 0 to cfg.scaleOrdered pods, timing the
//     controller's own part of each step from the daemon's debug log (see scaleOrdered).
//
// Every object carries the test label and this run's name prefix; each round removes what it
// made (deferred, so a failed round too), and the run's sweep removes anything left.

// scaleResults holds every round of the scale benchmark.
type scaleResults struct {
	ordsetUp, composeUp []time.Duration // to Running (compose on a user-defined network)
	composeBridge       []time.Duration // compose on the default bridge, to Running
	rssKB, hwmKB        []int64         // daemon VmRSS / VmHWM with the pods up
	ps, dockerPs        []time.Duration // median of cfg.psRuns runs, per round
	ordered             []orderedRound
}

// scaleSet is the ordset file of the scale benchmark's sets: `sleep` ignores SIGTERM as PID 1,
// so a 1 s grace keeps the tear-down short.
func (e *env) scaleSet(ns, policy string, n int) string {
	return fmt.Sprintf(`namespace: %s
statefulsets:
  kv:
    replicas: %d
    podManagementPolicy: %s
    image: %s
    imagePullPolicy: Never
    command: [sleep, "3600"]
    terminationGracePeriodSeconds: 1
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
`, ns, n, policy, e.cfg.scaleImage)
}

// scaleParallel runs cfg.runs rounds of compose then ordset, each bringing up cfg.scalePods.
func (e *env) scaleParallel(ctx context.Context, res *scaleResults) error {
	d, err := newCLIStarter(ctx, e, e.cfg.bin)
	if err != nil {
		return err
	}
	defer d.close()
	return e.withScaleNetwork(ctx, func(userNetwork string) error {
		for r := range e.cfg.runs {
			if err := e.scaleRound(ctx, d, r, userNetwork, res); err != nil {
				return err
			}
		}
		return nil
	})
}

// scaleRound is one round: compose on a user network, ordset, compose on the default bridge.
func (e *env) scaleRound(ctx context.Context, d *cliStarter, r int, userNetwork string, res *scaleResults) error {
	n := e.cfg.scalePods
	c, err := e.composeScale(ctx, n, userNet, userNetwork)
	if err != nil {
		return fmt.Errorf("compose --scale kv=%d (%s) round %d: %w", n, userNet, r+1, err)
	}
	res.composeUp = append(res.composeUp, c)
	fmt.Fprintf(os.Stderr, "scale compose  N=%d round %d (%s): %s\n", n, r+1, userNet, ms(c))
	if err := e.ordsetScale(ctx, d, n, res); err != nil {
		return fmt.Errorf("ordset Parallel N=%d round %d: %w", n, r+1, err)
	}
	i := len(res.ordsetUp) - 1
	fmt.Fprintf(os.Stderr, "scale ordset   N=%d round %d: %s, RSS %d kB, ps %s, docker ps %s\n",
		n, r+1, ms(res.ordsetUp[i]), res.rssKB[i], ms(res.ps[i]), ms(res.dockerPs[i]))
	b, err := e.composeScale(ctx, n, defaultBridge, "")
	if err != nil {
		return fmt.Errorf("compose --scale kv=%d (%s) round %d: %w", n, defaultBridge, r+1, err)
	}
	res.composeBridge = append(res.composeBridge, b)
	fmt.Fprintf(os.Stderr, "scale compose  N=%d round %d (%s): %s\n", n, r+1, defaultBridge, ms(b))
	return nil
}

// ordsetScale times `ordset up` of a Parallel set of n pods, then, with the pods up, reads
// the daemon's memory and times `ordset ps`; the set and its volumes are removed at the end.
func (e *env) ordsetScale(ctx context.Context, d *cliStarter, n int, res *scaleResults) (err error) {
	ns := e.name("s", n)
	file := filepath.Join(d.state, ns+".yaml")
	if err := os.WriteFile(file, []byte(e.scaleSet(ns, "Parallel", n)), 0o644); err != nil {
		return err
	}
	defer func() {
		if derr := d.ordset(context.WithoutCancel(ctx), "down", "-f", file, "--volumes"); derr != nil && err == nil {
			err = fmt.Errorf("clean up: %w", derr)
		}
	}()
	uctx, cancel := context.WithTimeout(ctx, e.cfg.scaleTimeout)
	defer cancel()
	t0 := time.Now()
	if err := d.ordset(uctx, "up", "-f", file, "--timeout", e.cfg.scaleTimeout.String()); err != nil {
		return err
	}
	res.ordsetUp = append(res.ordsetUp, time.Since(t0))
	ps, err := e.timeRuns(ctx, n, d.vars, d.bin, "ps", "-n", ns)
	if err != nil {
		return err
	}
	dps, err := e.timeRuns(ctx, n, nil, "docker", "ps", "--filter", "label=io.ordset.namespace="+ns)
	if err != nil {
		return err
	}
	rss, hwm, err := procMemory(d.daemon.Process.Pid)
	if err != nil {
		return err
	}
	res.ps, res.dockerPs = append(res.ps, ps), append(res.dockerPs, dps)
	res.rssKB, res.hwmKB = append(res.rssKB, rss), append(res.hwmKB, hwm)
	return nil
}

// timeRuns runs a listing command cfg.psRuns times and returns the median wall time. Each run
// must succeed and print a header and n rows, so a fast failure cannot pass for a fast list.
func (e *env) timeRuns(ctx context.Context, n int, vars []string, name string, args ...string) (time.Duration, error) {
	var ds []time.Duration
	for range e.cfg.psRuns {
		c := exec.CommandContext(ctx, name, args...)
		c.Env = vars
		t0 := time.Now()
		out, err := c.Output()
		d := time.Since(t0)
		if err != nil {
			return 0, fmt.Errorf("%s %v: %w", name, args, err)
		}
		if rows := strings.Count(string(out), "\n"); rows != n+1 {
			return 0, fmt.Errorf("%s %v printed %d lines, want %d", name, args, rows, n+1)
		}
		ds = append(ds, d)
	}
	return median(ds), nil
}

// procMemory reads VmRSS and VmHWM (peak) of a process, in kB.
func procMemory(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("daemon memory: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		var v int64
		if _, err := fmt.Sscanf(line, "VmRSS: %d kB", &v); err == nil {
			rss = v
		}
		if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &v); err == nil {
			hwm = v
		}
	}
	if rss == 0 {
		return 0, 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return rss, hwm, nil
}

// composeNet is where compose's replicas are attached.
type composeNet int

const (
	// userNet is a user-defined network, as compose's default project network and ordset's
	// namespace network are. On such a network Docker 20.10 sets up its embedded DNS resolver
	// in every container (iptables rules in the container's namespace, at each start). The
	// benchmark creates it once for every round and tells compose it is external: a network
	// that 200 containers left at once can keep stale endpoints on Docker 20.10 and then never
	// be removed, so a network per round would leave one behind each time.
	userNet composeNet = iota
	// defaultBridge is Docker's default bridge, which has no embedded resolver: less engine work
	// per container than either compose's default or ordset.
	defaultBridge
)

func (n composeNet) String() string {
	if n == defaultBridge {
		return "default bridge"
	}
	return "user network"
}

// composeFile is the compose file of one variant: the same image without volumes, on the
// default bridge or on the existing network userNetwork.
func (e *env) composeFile(net composeNet, userNetwork string) string {
	doc := fmt.Sprintf(`services:
  kv:
    image: %s
    command: [sleep, "3600"]
    stop_grace_period: 1s
    labels: {%s: "1"}
`, e.cfg.scaleImage, testLabel)
	if net == defaultBridge {
		return doc + "    network_mode: bridge\n"
	}
	return doc + fmt.Sprintf("networks:\n  default: {name: %s, external: true}\n", userNetwork)
}

// withScaleNetwork creates the user network compose's replicas share over the rounds, runs
// f with its name, and removes it (a network Docker keeps with stale endpoints is only
// reported: it carries the test label, and removing it does not decide any figure).
func (e *env) withScaleNetwork(ctx context.Context, f func(name string) error) error {
	name := e.name("cn", e.cfg.scalePods)
	if _, err := e.cli.NetworkCreate(ctx, name, network.CreateOptions{Driver: "bridge", Labels: map[string]string{testLabel: "1"}}); err != nil {
		return fmt.Errorf("create network %s: %w", name, err)
	}
	defer func() {
		if err := e.removeNetwork(context.WithoutCancel(ctx), name); err != nil {
			e.log.Warn("network left behind", "network", name, "err", err)
		}
	}()
	return f(name)
}

// composeScale times `docker-compose up -d --scale kv=n` of the same image without volumes,
// until the engine lists n running containers of the project; the project is removed after.
func (e *env) composeScale(ctx context.Context, n int, net composeNet, userNetwork string) (d time.Duration, err error) {
	id := e.name("c", n)
	dir, err := os.MkdirTemp("", id)
	if err != nil {
		return 0, fmt.Errorf("compose dir: %w", err)
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "docker-compose.yml")
	if err := os.WriteFile(file, []byte(e.composeFile(net, userNetwork)), 0o644); err != nil {
		return 0, fmt.Errorf("write %s: %w", file, err)
	}
	compose := func(ctx context.Context, args ...string) error {
		return tail(command(ctx, "docker-compose", append([]string{"-f", file, "-p", id}, args...)...), 20)
	}
	defer func() {
		if derr := compose(context.WithoutCancel(ctx), "down", "-t", "1"); derr != nil && err == nil {
			err = fmt.Errorf("clean up: %w", derr)
		}
	}()
	uctx, cancel := context.WithTimeout(ctx, e.cfg.scaleTimeout)
	defer cancel()
	t0 := time.Now()
	if err := compose(uctx, "up", "-d", "--scale", fmt.Sprintf("kv=%d", n)); err != nil {
		return 0, err
	}
	f := filters.NewArgs(filters.Arg("label", "com.docker.compose.project="+id), filters.Arg("status", "running"))
	for {
		cs, err := e.cli.ContainerList(uctx, container.ListOptions{Filters: f})
		if err != nil {
			return 0, fmt.Errorf("list compose containers: %w", err)
		}
		if len(cs) >= n {
			return time.Since(t0), nil
		}
		select {
		case <-uctx.Done():
			return 0, fmt.Errorf("%d of %d compose containers running: %w", len(cs), n, uctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// removeNetwork removes a network, retrying for a while: when many containers leave a network
// at once, Docker 20.10 under load can keep stale endpoints on it for some time (or for good).
func (e *env) removeNetwork(ctx context.Context, name string) error {
	var last error
	for attempt := range 6 {
		if last = e.cli.NetworkRemove(ctx, name); last == nil || cerrdefs.IsNotFound(last) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second << attempt):
		}
	}
	return last
}

// tail keeps the last n lines of an error's text (compose prints a line per container).
func tail(err error, n int) error {
	if err == nil {
		return nil
	}
	lines := strings.Split(strings.TrimRight(err.Error(), "\n"), "\n")
	if len(lines) <= n {
		return err
	}
	return fmt.Errorf("%s\n... %d lines ...\n%s", lines[0], len(lines)-n-1, strings.Join(lines[len(lines)-n:], "\n"))
}
