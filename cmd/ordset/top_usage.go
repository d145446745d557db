package main

import (
	"context"
	"io"
	"strconv"

	"github.com/docker/docker/api/types/container"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// statsFunc samples one container's stats (the engine's, or a test's).
type statsFunc func(ctx context.Context, id string) (container.StatsResponse, error)

// containerUsage is one container's usage, or a pod's when summed.
type containerUsage struct {
	Name        string  `json:"name"`
	CPUPercent  float64 `json:"cpuPercent"`
	MemoryBytes uint64  `json:"memoryBytes"`
	MemoryLimit uint64  `json:"memoryLimitBytes"`
	Pids        uint64  `json:"pids"`
}

// statsTarget is one container top samples: the index of its pod in the pod list, its name in
// the pod, its Docker ID.
type statsTarget struct {
	pod      int
	name, id string
}

// usageTargets lists the containers to sample. A pod with several containers is its running
// app containers and native sidecars, never its infrastructure container (the pod's
// ContainerID), which only holds the namespaces and would show the pod as idle; a
// one-container pod is its container, named after its set as in the pod template.
func usageTargets(pods []api.Pod) []statsTarget {
	var out []statsTarget
	for i, p := range pods {
		if len(p.Containers) == 0 {
			if p.ContainerID != "" {
				out = append(out, statsTarget{pod: i, name: p.StatefulSet, id: p.ContainerID})
			}
			continue
		}
		for _, c := range p.Containers {
			if c.ContainerID != "" && c.State == "running" {
				out = append(out, statsTarget{pod: i, name: c.Name, id: c.ContainerID})
			}
		}
	}
	return out
}

// podUsages sums each pod's samples (samples[i] is targets[i]'s). A pod's memory limit is the
// sum of its containers', at most hostMem when known: a container without a limit reports the
// host's memory as its own.
func podUsages(pods []api.Pod, targets []statsTarget, samples []containerUsage, hostMem uint64) []podUsage {
	rows := make([]podUsage, len(pods))
	for i, p := range pods {
		rows[i] = podUsage{Namespace: p.Namespace, Pod: p.Name}
	}
	for i, t := range targets {
		r, c := &rows[t.pod], samples[i]
		r.CPUPercent += c.CPUPercent
		r.MemoryBytes += c.MemoryBytes
		r.MemoryLimit += c.MemoryLimit
		r.Pids += c.Pids
		r.Containers = append(r.Containers, c)
	}
	for i := range rows {
		if hostMem > 0 && rows[i].MemoryLimit > hostMem {
			rows[i].MemoryLimit = hostMem
		}
	}
	return rows
}

// writeUsage prints top's table: a row per pod, or per container of each pod.
func writeUsage(w io.Writer, rows []podUsage, allNS, perContainer bool) error {
	var out [][]string
	for _, r := range rows {
		name := r.Pod
		if allNS {
			name = r.Namespace + "/" + r.Pod
		}
		if !perContainer {
			out = append(out, append([]string{name}, usageCells(containerUsage{CPUPercent: r.CPUPercent,
				MemoryBytes: r.MemoryBytes, MemoryLimit: r.MemoryLimit, Pids: r.Pids})...))
			continue
		}
		for _, c := range r.Containers {
			out = append(out, append([]string{name, c.Name}, usageCells(c)...))
		}
	}
	header := []string{"POD", "CPU %", "MEMORY", "LIMIT", "PIDS"}
	if perContainer {
		header = []string{"POD", "NAME", "CPU %", "MEMORY", "LIMIT", "PIDS"}
	}
	return table(w, header, out)
}

func usageCells(c containerUsage) []string {
	return []string{strconv.FormatFloat(c.CPUPercent, 'f', 1, 64) + "%", bytesIEC(c.MemoryBytes), bytesIEC(c.MemoryLimit),
		strconv.FormatUint(c.Pids, 10)}
}
