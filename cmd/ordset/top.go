package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/urfave/cli/v2"
)

func topCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "top",
		Aliases:   []string{"stats"},
		Usage:     "live CPU and memory of pods (kubectl top, docker compose stats)",
		ArgsUsage: "[SET|POD...]",
		Description: `Asks the Docker engine directly (DOCKER_HOST applies) for each pod's usage and redraws
every --interval until Ctrl-C; --no-stream prints once. -o json/yaml prints once.

A pod's usage is the sum of its running containers' (app containers and native sidecars; a
pod with several containers is never measured by its infrastructure container, which only
holds the shared namespaces). Its LIMIT is the sum of its containers' memory limits, at most
the host's memory. --containers prints one row per container instead, as kubectl top pod
--containers does; -o json/yaml always lists the containers of each pod.

Examples:
   ordset top
   ordset top mysql-0 --containers
   ordset stats redis --no-stream
   ordset top -A -o json`,
		Flags: []cli.Flag{allNamespacesFlag,
			&cli.BoolFlag{Name: "no-stream", Usage: "print once and exit"},
			&cli.DurationFlag{Name: "interval", Value: 2 * time.Second, Usage: "time between refreshes"},
			&cli.BoolFlag{Name: "containers", Usage: "one row per container of each pod (kubectl top pod --containers)"},
		},
		Action: action(s, runTop),
	}
}

// podUsage is one pod's row of top: the sum of its containers' usage.
type podUsage struct {
	Namespace   string  `json:"namespace"`
	Pod         string  `json:"pod"`
	CPUPercent  float64 `json:"cpuPercent"`
	MemoryBytes uint64  `json:"memoryBytes"`
	MemoryLimit uint64  `json:"memoryLimitBytes"`
	Pids        uint64  `json:"pids"`
	// Containers are the pod's running containers, each with its own usage.
	Containers []containerUsage `json:"containers,omitempty"`
}

func runTop(ctx context.Context, in invocation, s *streams) error {
	out, err := in.outputFormat("table", dataFormats("table")...)
	if err != nil {
		return err
	}
	ns, cl, err := connectScoped(ctx, in, s)
	if err != nil {
		return err
	}
	dc, err := engineClient()
	if err != nil {
		return err
	}
	defer dc.Close()
	var hostMem uint64
	if info, err := dc.Info(ctx); err == nil && info.MemTotal > 0 {
		hostMem = uint64(info.MemTotal)
	}
	for first := true; ; first = false {
		pods, err := cl.Pods(ctx, ns)
		if err != nil {
			return err
		}
		if pods, err = selectPods(pods, in.args, ns); err != nil {
			return err
		}
		targets := usageTargets(pods)
		rows := podUsages(pods, targets, sampleUsage(ctx, engineStats(dc), targets), hostMem)
		if ctx.Err() != nil {
			return nil
		}
		if isData(out) {
			return writeData(s.Out, out, rows)
		}
		if !first && !in.Bool("no-stream") {
			fmt.Fprint(s.Out, "\x1b[H\x1b[2J") // redraw in place, as docker stats does
		}
		if err := writeUsage(s.Out, rows, ns == "", in.Bool("containers")); err != nil {
			return err
		}
		if in.Bool("no-stream") {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(in.Duration("interval")):
		}
	}
}

// engineStats asks the engine for one sample of a container's stats.
func engineStats(dc *client.Client) statsFunc {
	return func(ctx context.Context, id string) (container.StatsResponse, error) {
		var st container.StatsResponse
		r, err := dc.ContainerStats(ctx, id, false)
		if err != nil {
			return st, err
		}
		defer r.Body.Close()
		err = json.NewDecoder(r.Body).Decode(&st)
		return st, err
	}
}

// sampleUsage asks for every target's stats at once; a container that cannot be sampled (gone
// meanwhile) counts as zero.
func sampleUsage(ctx context.Context, stats statsFunc, targets []statsTarget) []containerUsage {
	out := make([]containerUsage, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		out[i].Name = t.name
		wg.Add(1)
		go func() {
			defer wg.Done()
			if st, err := stats(ctx, t.id); err == nil {
				out[i].CPUPercent, out[i].MemoryBytes, out[i].MemoryLimit, out[i].Pids = usageOf(st)
			}
		}()
	}
	wg.Wait()
	return out
}

// usageOf computes docker stats' numbers: CPU as a share of one CPU (100% = one core busy),
// memory without the page cache.
func usageOf(st container.StatsResponse) (cpu float64, mem, limit, pids uint64) {
	cpuDelta := float64(st.CPUStats.CPUUsage.TotalUsage) - float64(st.PreCPUStats.CPUUsage.TotalUsage)
	sysDelta := float64(st.CPUStats.SystemUsage) - float64(st.PreCPUStats.SystemUsage)
	cpus := float64(st.CPUStats.OnlineCPUs)
	if cpus == 0 {
		cpus = float64(len(st.CPUStats.CPUUsage.PercpuUsage))
	}
	if cpuDelta > 0 && sysDelta > 0 {
		cpu = cpuDelta / sysDelta * cpus * 100
	}
	mem = st.MemoryStats.Usage
	if cache, ok := st.MemoryStats.Stats["inactive_file"]; ok && cache < mem {
		mem -= cache
	} else if cache, ok := st.MemoryStats.Stats["cache"]; ok && cache < mem {
		mem -= cache
	}
	return cpu, mem, st.MemoryStats.Limit, st.PidsStats.Current
}

// bytesIEC formats a byte count as kubectl does (Ki, Mi, Gi).
func bytesIEC(n uint64) string {
	units := []string{"", "Ki", "Mi", "Gi", "Ti"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatUint(n, 10)
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + units[i]
}
