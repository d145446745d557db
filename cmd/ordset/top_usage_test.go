package main

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/docker/docker/api/types/container"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// fakeStats answers a sample per container ID: busy (in 1e8 ns of CPU over 1e9 of system time
// on 2 CPUs, so 20% each), memory and limit in MiB; it records what was asked.
func fakeStats(byID map[string][3]uint64) (statsFunc, func() []string) {
	var mu sync.Mutex
	var asked []string
	f := func(_ context.Context, id string) (container.StatsResponse, error) {
		mu.Lock()
		asked = append(asked, id)
		mu.Unlock()
		v, ok := byID[id]
		if !ok {
			return container.StatsResponse{}, errors.New("no such container")
		}
		var st container.StatsResponse
		st.CPUStats.CPUUsage.TotalUsage, st.PreCPUStats.CPUUsage.TotalUsage = 1e8*v[0], 0
		st.CPUStats.SystemUsage, st.PreCPUStats.SystemUsage, st.CPUStats.OnlineCPUs = 1e9, 0, 2
		st.MemoryStats.Usage, st.MemoryStats.Limit, st.PidsStats.Current = v[1]<<20, v[2]<<20, 1
		return st, nil
	}
	return f, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), asked...) }
}

// sampledPods are web-0 (one container), duo-0 (main and side running, one waiting, one
// exited, and its infrastructure container) and duo-1 (nothing yet), sampled by fakeStats
// on a host of 1000 MiB; asked lists the container IDs sampled.
func sampledPods() (rows []podUsage, asked []string) {
	pods := []api.Pod{
		{Namespace: "demo", Name: "web-0", StatefulSet: "web", ContainerID: "w0"},
		{Namespace: "demo", Name: "duo-0", StatefulSet: "duo", ContainerID: "infra", Containers: []api.PodContainer{
			{Name: "main", ContainerID: "m", State: "running"},
			{Name: "side", ContainerID: "s", State: "running"},
			{Name: "later", State: "waiting"},
			{Name: "done", ContainerID: "x", State: "exited"},
		}},
		{Namespace: "demo", Name: "duo-1", StatefulSet: "duo", ContainerID: "infra1"}, // not created yet
	}
	const host = 1000 // MiB
	stats, askedIDs := fakeStats(map[string][3]uint64{
		"w0": {1, 10, 64}, "m": {2, 100, host}, "s": {1, 30, 64}, "infra": {0, 1, host}, "x": {0, 0, 0}})
	pods[2].ContainerID = "" // a pod whose containers do not exist is a zero row
	targets := usageTargets(pods)
	rows = podUsages(pods, targets, sampleUsage(context.Background(), stats, targets), host<<20)
	return rows, askedIDs()
}

// A pod with several containers is measured by its running app containers and sidecars, summed,
// never by its infrastructure container (the pod's ContainerID); a one-container pod by its
// container.
func TestTopSumsPodContainers(t *testing.T) {
	const host = 1000 // MiB, as sampledPods
	rows, got := sampledPods()
	for _, id := range got {
		if id == "infra" || id == "x" {
			t.Errorf("sampled %q (infrastructure or exited container); asked %v", id, got)
		}
	}
	if len(got) != 3 {
		t.Errorf("asked %v, want w0, m and s", got)
	}
	duo := rows[1]
	if duo.MemoryBytes != 130<<20 || duo.Pids != 2 || duo.CPUPercent < 59.9 || duo.CPUPercent > 60.1 {
		t.Errorf("duo-0 = %+v, want the sum of main and side (130Mi, 2 pids, 60%%)", duo)
	}
	if duo.MemoryLimit != host<<20 {
		t.Errorf("duo-0 limit %d, want the host's memory (an unlimited container caps the sum)", duo.MemoryLimit)
	}
	var names []string
	for _, c := range duo.Containers {
		names = append(names, c.Name)
	}
	if !reflect.DeepEqual(names, []string{"main", "side"}) {
		t.Errorf("duo-0 containers %+v, want main and side", duo.Containers)
	}
	if web := rows[0]; web.MemoryBytes != 10<<20 || web.MemoryLimit != 64<<20 || len(web.Containers) != 1 || web.Containers[0].Name != "web" {
		t.Errorf("web-0 = %+v", web)
	}
	if rows[2].Pod != "duo-1" || rows[2].MemoryBytes != 0 || rows[2].Containers != nil {
		t.Errorf("duo-1 = %+v", rows[2])
	}
}

// top's table: a row per pod, or with --containers a row per running container.
func TestTopTable(t *testing.T) {
	rows, _ := sampledPods()
	var pod, per bytes.Buffer
	if err := writeUsage(&pod, rows, false, false); err != nil {
		t.Fatal(err)
	}
	if err := writeUsage(&per, rows, true, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"duo-0   60.0%   130.0Mi   1000.0Mi   2"} {
		if !strings.Contains(pod.String(), want) {
			t.Errorf("pod table lacks %q:\n%s", want, pod.String())
		}
	}
	lines := strings.Split(strings.TrimSpace(per.String()), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "POD") || !strings.Contains(lines[0], "NAME") ||
		!strings.HasPrefix(lines[2], "demo/duo-0   main") || !strings.Contains(lines[3], "side") || !strings.Contains(lines[3], "30.0Mi") {
		t.Errorf("--containers table:\n%s", per.String())
	}
}
