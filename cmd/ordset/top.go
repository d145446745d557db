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

	"github.com/ordset/ordset/orchestrator/server/api"
)

func topCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "top",
		Aliases:   []string{"stats"},
		Usage:     "live CPU and memory of pods (kubectl top, docker compose stats)",
		ArgsUsage: "[SET|POD...]",
		Description: `Asks the Docker engine directly (DOCKER_HOST applies) for each pod's usage and redraws
every --interval until Ctrl-C; --no-stream prints once. -o json/yaml prints once.

Examples:
   ordset top
   ordset stats redis --no-stream
   ordset top -A -o json`,
		Flags: []cli.Flag{allNamespacesFlag,
			&cli.BoolFlag{Name: "no-stream", Usage: "print once and exit"},
			&cli.DurationFlag{Name: "interval", Value: 2 * time.Second, Usage: "time between refreshes"},
		},
		Action: action(s, runTop),
	}
}

// podUsage is one pod's row of top.
type podUsage struct {
	Namespace   string  `json:"namespace"`
	Pod         string  `json:"pod"`
	CPUPercent  float64 `json:"cpuPercent"`
	MemoryBytes uint64  `json:"memoryBytes"`
	MemoryLimit uint64  `json:"memoryLimitBytes"`
	Pids        uint64  `json:"pids"`
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
	for first := true; ; first = false {
		pods, err := cl.Pods(ctx, ns)
		if err != nil {
			return err
		}
		if pods, err = selectPods(pods, in.args, ns); err != nil {
			return err
		}
		rows := sampleUsage(ctx, dc, pods)
		if ctx.Err() != nil {
			return nil
		}
		if isData(out) {
			return writeData(s.Out, out, rows)
		}
		if !first && !in.Bool("no-stream") {
			fmt.Fprint(s.Out, "\x1b[H\x1b[2J") // redraw in place, as docker stats does
		}
		if err := table(s.Out, []string{"POD", "CPU %", "MEMORY", "LIMIT", "PIDS"}, usageRows(rows, ns == "")); err != nil {
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

// sampleUsage asks the engine for every running pod's stats at once.
func sampleUsage(ctx context.Context, dc *client.Client, pods []api.Pod) []podUsage {
	rows := make([]podUsage, len(pods))
	var wg sync.WaitGroup
	for i, p := range pods {
		rows[i] = podUsage{Namespace: p.Namespace, Pod: p.Name}
		if p.ContainerID == "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := dc.ContainerStats(ctx, p.ContainerID, false)
			if err != nil {
				return
			}
			defer r.Body.Close()
			var st container.StatsResponse
			if json.NewDecoder(r.Body).Decode(&st) == nil {
				rows[i].CPUPercent, rows[i].MemoryBytes, rows[i].MemoryLimit, rows[i].Pids = usageOf(st)
			}
		}()
	}
	wg.Wait()
	return rows
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

func usageRows(rows []podUsage, allNS bool) [][]string {
	var out [][]string
	for _, r := range rows {
		name := r.Pod
		if allNS {
			name = r.Namespace + "/" + r.Pod
		}
		out = append(out, []string{name, strconv.FormatFloat(r.CPUPercent, 'f', 1, 64) + "%", bytesIEC(r.MemoryBytes), bytesIEC(r.MemoryLimit), strconv.FormatUint(r.Pids, 10)})
	}
	return out
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
