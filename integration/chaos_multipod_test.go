//go:build integration

package integration

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/volume"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator/identity"
)

// chaosDuo has every kind of container a pod can have: an init container, a native sidecar,
// two app containers, and an emptyDir they share.
const chaosDuo = `namespace: %s
statefulsets:
  duo:
    replicas: 2
    terminationGracePeriodSeconds: 1
    initContainers:
      - {name: seed, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [sh, -c, "echo seeded > /shared/index.html"],
         volumeMounts: [{name: shared, mountPath: /shared}]}
      - {name: log, image: ordset-test/busybox:latest, imagePullPolicy: Never, restartPolicy: Always, command: [sleep, "3600"]}
    containers:
      - {name: main, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [httpd, -f, -p, "8080", -h, /shared],
         volumeMounts: [{name: shared, mountPath: /shared}]}
      - {name: side, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [sleep, "3600"]}
    volumes: [{name: shared, emptyDir: {}}]
`

// TestChaosMultiContainerCreate SIGKILLs the daemon at spread moments of the creation of
// multi-container pods, runs up again, and checks that each pod converged with exactly one of
// each of its containers, every one joined to the pod's one infrastructure container, and
// exactly one emptyDir, made for that container.
func TestChaosMultiContainerCreate(t *testing.T) {
	for _, delay := range []time.Duration{300 * time.Millisecond, 1200 * time.Millisecond, 2 * time.Second, 2800 * time.Millisecond, 3500 * time.Millisecond} {
		t.Run(fmt.Sprintf("kill-after-%v", delay), func(t *testing.T) {
			e, ns := podEnv(t, "chaosduo", chaosDuo)
			e.must("ps", "-A") // starts the daemon: the kill below must find one
			cmd := exec.Command(e.bin, "up", "--timeout", "60s", "--progress", "plain")
			cmd.Dir, cmd.Env = e.workDir, e.env
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(delay)
			if pid := e.daemonPID(); pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			_ = cmd.Wait()
			t.Logf("killed with %d containers of %d made", len(namespaceContainers(t, ns)), 10)
			e.must("up", "--timeout", "90s", "--progress", "plain")
			e.waitReady(ns, 2)
			checkOneOfEach(t, ns)
			if r := e.run("exec", "duo-1", "-n", ns, "-c", "side", "--", "wget", "-qO-", "http://127.0.0.1:8080/"); r.stdout != "seeded\n" {
				t.Errorf("side of duo-1 reads %q from main (stderr %q)", r.stdout, r.stderr)
			}
		})
	}
}

// checkOneOfEach asserts the containers and emptyDirs of set duo in ns, per ordinal.
func checkOneOfEach(t *testing.T, ns string) {
	t.Helper()
	cli := testenv.Docker(t)
	ctx := context.Background()
	f := filters.NewArgs(filters.Arg("label", identity.LabelNamespace+"="+ns))
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	infra := map[string]string{} // ordinal -> infra ID
	count := map[string]int{}    // ordinal/kind/name -> containers
	previous := map[string]int{} // a crashed container's kept last one: not a container of the pod, at most one
	for _, c := range cs {
		ord := c.Labels[identity.LabelOrdinal]
		if identity.IsInfra(c.Labels) {
			infra[ord] = c.ID
		}
		key := ord + "/" + c.Labels[identity.LabelRole] + "/" + c.Labels[identity.LabelInit] + c.Labels[identity.LabelContainer]
		if len(c.Names) > 0 && strings.Contains(c.Names[0], ".previous-") {
			if previous[key]++; previous[key] > 1 {
				t.Errorf("%s keeps %d previous containers, want at most 1", key, previous[key])
			}
			continue
		}
		count[key]++
	}
	for _, ord := range []string{"0", "1"} {
		for _, k := range []string{"pod/", "init/seed", "init/log", "container/main", "container/side"} {
			if n := count[ord+"/"+k]; n != 1 {
				t.Errorf("ordinal %s has %d containers %s, want exactly 1 (all: %v)", ord, n, k, count)
			}
		}
	}
	for _, c := range cs {
		ord := c.Labels[identity.LabelOrdinal]
		if !identity.IsInfra(c.Labels) && string(c.HostConfig.NetworkMode) != "container:"+infra[ord] {
			t.Errorf("container %v of ordinal %s is on %q, not its pod's infrastructure container", c.Names, ord, c.HostConfig.NetworkMode)
		}
	}
	vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: filters.NewArgs(filters.Arg("label", identity.LabelNamespace+"="+ns),
		filters.Arg("label", identity.LabelRole+"="+identity.RoleEmptyDir))})
	if err != nil {
		t.Fatal(err)
	}
	dirs := map[string]int{}
	for _, v := range vs.Volumes {
		ord := v.Labels[identity.LabelOrdinal]
		dirs[ord]++
		if v.Labels[identity.LabelPodUID] != infra[ord] {
			t.Errorf("emptyDir %s was made for %s, not the pod's infrastructure container", v.Name, filepath.Base(v.Labels[identity.LabelPodUID]))
		}
	}
	if dirs["0"] != 1 || dirs["1"] != 1 {
		t.Errorf("emptyDirs per ordinal: %v, want one each", dirs)
	}
}

// namespaceContainers are the names of every container of ns on the engine.
func namespaceContainers(t *testing.T, ns string) []string {
	t.Helper()
	f := filters.NewArgs(filters.Arg("label", identity.LabelNamespace+"="+ns))
	cs, err := testenv.Docker(t).ContainerList(context.Background(), container.ListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Names...)
	}
	return out
}
