package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/integration/procstat"
	"github.com/ordset/ordset/orchestrator"
)

// The probe-cost benchmark prices periodic exec probes: the same pods, the same command every
// second, run either by Docker's own HEALTHCHECK or by ordset's exec readiness probe. It counts
// the CPU of everything that takes part on the host: this process (the ordset engine runs in
// it), dockerd, containerd and the runtime shims of the measured containers (their reaped
// children, runc and the probe command, included). dockerd and containerd serve the whole
// engine, so other work on a shared machine adds noise to both variants alike.

// probeResults holds CPU use, in percent of one core, per variant and round.
type probeResults struct {
	docker, ordset []float64
}

// probeCmd is the probe both variants run inside the container.
func (e *env) probeCmd() []string {
	return []string{"/testapp", "probe", fmt.Sprintf("http://127.0.0.1:%d/ready", e.cfg.port)}
}

// probeCost runs cfg.runs interleaved rounds of both variants.
func (e *env) probeCost(ctx context.Context, s *ordsetStarter) (probeResults, error) {
	var res probeResults
	for r := range e.cfg.runs {
		d, err := e.probeDocker(ctx)
		if err != nil {
			return res, fmt.Errorf("probe cost docker round %d: %w", r+1, err)
		}
		res.docker = append(res.docker, d)
		o, err := e.probeOrdset(ctx, s)
		if err != nil {
			return res, fmt.Errorf("probe cost ordset round %d: %w", r+1, err)
		}
		res.ordset = append(res.ordset, o)
		fmt.Fprintf(os.Stderr, "probe cost round %d: docker HEALTHCHECK %.1f %%, ordset exec probe %.1f %%\n", r+1, d, o)
	}
	return res, nil
}

func (e *env) probeDocker(ctx context.Context) (float64, error) {
	labels := map[string]string{testLabel: "1"}
	var ids []string
	defer func() {
		for _, id := range ids {
			_ = e.cli.ContainerRemove(context.WithoutCancel(ctx), id, container.RemoveOptions{Force: true})
		}
	}()
	for range e.cfg.probePods {
		name := e.name("p", e.cfg.probePods)
		c, err := e.cli.ContainerCreate(ctx, &container.Config{Image: e.cfg.image, Labels: labels,
			Healthcheck: &container.HealthConfig{Test: append([]string{"CMD"}, e.probeCmd()...), Interval: time.Second, Timeout: time.Second}},
			&container.HostConfig{}, nil, nil, name)
		if err != nil {
			return 0, fmt.Errorf("create container %s: %w", name, err)
		}
		ids = append(ids, c.ID)
		if err := e.cli.ContainerStart(ctx, c.ID, container.StartOptions{}); err != nil {
			return 0, fmt.Errorf("start container %s: %w", name, err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, e.cfg.timeout)
	defer cancel()
	for _, id := range ids {
		for {
			c, err := e.cli.ContainerInspect(wctx, id)
			if err != nil {
				return 0, fmt.Errorf("inspect %s: %w", id, err)
			}
			if c.State != nil && c.State.Health != nil && c.State.Health.Status == "healthy" {
				break
			}
			if err := e.pause(wctx, 100*time.Millisecond); err != nil {
				return 0, fmt.Errorf("wait for %s to be healthy: %w", id, err)
			}
		}
	}
	return e.measureCPU(ctx, ids)
}

func (e *env) probeOrdset(ctx context.Context, s *ordsetStarter) (float64, error) {
	ns := e.name("q", e.cfg.probePods)
	doc := fmt.Sprintf(`namespace: %s
statefulsets:
  app:
    replicas: %d
    podManagementPolicy: Parallel
    image: %s
    imagePullPolicy: Never
    readinessProbe: {exec: {command: [%s]}, periodSeconds: 1}
`, ns, e.cfg.probePods, e.cfg.image, strings.Join(e.probeCmd(), ", "))
	p, err := compose.LoadBytes("probe.yaml", []byte(doc), compose.LoadOptions{})
	if err != nil {
		return 0, fmt.Errorf("load probe set: %w", err)
	}
	s.m.Apply(ns, p.StatefulSets["app"], e.cfg.probePods)
	defer func() {
		if err := s.down(context.WithoutCancel(ctx), ns, 0); err != nil {
			e.log.Warn("clean up", "err", err)
		}
	}()
	wctx, cancel := context.WithTimeout(ctx, e.cfg.timeout)
	defer cancel()
	if err := s.waitStatus(wctx, ns, func(st orchestrator.SetStatus) bool { return st.Ready == e.cfg.probePods }); err != nil {
		return 0, err
	}
	var ids []string
	for _, st := range s.m.Status(ns) {
		for _, pod := range st.Pods {
			ids = append(ids, pod.ContainerID)
		}
	}
	return e.measureCPU(ctx, ids)
}

// measureCPU lets start-up settle, then returns the CPU (percent of one core) this process,
// dockerd, containerd and the shims of the containers ids used over cfg.probeWindow. The share
// of each part goes to stderr, to say where the time goes.
func (e *env) measureCPU(ctx context.Context, ids []string) (float64, error) {
	if err := e.pause(ctx, 3*time.Second); err != nil { // start-up probing and health transitions
		return 0, err
	}
	parts, err := probePids(ids)
	if err != nil {
		return 0, err
	}
	// Count the probes that ran in the window, to show both variants probe at the same rate.
	f := filters.NewArgs(filters.Arg("type", "container"), filters.Arg("event", "exec_die"))
	for _, id := range ids {
		f.Add("container", id)
	}
	wctx, stop := context.WithCancel(ctx)
	evs, errs := e.cli.Events(wctx, events.ListOptions{Filters: f})
	execs := make(chan int, 1)
	go func() {
		// The client never closes evs: the stream ends with an error (ctx cancelled) instead.
		n := 0
		for {
			select {
			case <-evs:
				n++
			case <-errs:
				execs <- n
				return
			}
		}
	}()
	before := map[string]float64{}
	for k, pids := range parts {
		before[k] = cpuSeconds(pids)
	}
	t0 := time.Now()
	if err := e.pause(ctx, e.cfg.probeWindow); err != nil {
		stop()
		return 0, err
	}
	secs := time.Since(t0).Seconds()
	stop()
	var total float64
	var line []string
	for _, k := range []string{"bench", "dockerd", "containerd", "shims"} {
		pct := (cpuSeconds(parts[k]) - before[k]) / secs * 100
		total += pct
		line = append(line, fmt.Sprintf("%s %.1f%%", k, pct))
	}
	fmt.Fprintf(os.Stderr, "  cpu: %s; %.1f probes/s\n", strings.Join(line, ", "), float64(<-execs)/secs)
	return total, nil
}

// probePids finds this process ("bench"), dockerd, containerd and the shims serving the
// containers ids.
func probePids(ids []string) (map[string][]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	pids := map[string][]int{"bench": {os.Getpid()}}
	shims := 0
	for _, ent := range entries {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", ent.Name(), "comm"))
		switch name := strings.TrimSpace(string(comm)); {
		case name == "dockerd", name == "containerd":
			pids[name] = append(pids[name], pid)
		case strings.HasPrefix(name, "containerd-shim"):
			cmdline, _ := os.ReadFile(filepath.Join("/proc", ent.Name(), "cmdline"))
			args := strings.Split(string(cmdline), "\x00")
			for i, a := range args {
				if a == "-id" && i+1 < len(args) && containsID(ids, args[i+1]) {
					pids["shims"] = append(pids["shims"], pid)
					shims++
				}
			}
		}
	}
	if shims != len(ids) {
		return nil, fmt.Errorf("found %d runtime shims for %d containers", shims, len(ids))
	}
	return pids, nil
}

func containsID(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// cpuSeconds sums the CPU of pids (a process gone meanwhile counts as nothing).
func cpuSeconds(pids []int) float64 {
	var total float64
	for _, pid := range pids {
		if c, err := procstat.CPUSeconds(pid); err == nil {
			total += c
		}
	}
	return total
}
