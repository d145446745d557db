//go:build integration

package integration

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ordset/ordset/integration/testenv"
)

// TestChaosDaemonKillMidRestart: a pod's container is killed and the daemon SIGKILLed a random
// moment later (before it saw the death, between the restart record and the start, or after),
// then started again by the next command. Every pod comes back Ready in the same container
// (restarted in place), with exactly one restart per kill: a failure is never counted twice
// nor lost, and no second container appears. ORDSET_CHAOS_SEED replays a trial's delays.
func TestChaosDaemonKillMidRestart(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	const pods = 3
	ns := testenv.UniqueNamespace(t, "chaosheal")
	e := newCLIEnv(t)
	file := filepath.Join(e.workDir, ns+".yaml")
	if err := os.WriteFile(file, fmt.Appendf(nil, webSet, ns), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "60s") })
	e.must("up", "-f", file, "--timeout", "90s", "--progress", "plain")
	before := e.waitReady(ns, pods)
	for _, p := range before {
		httpDo(t, "PUT", "http://"+p.IP+":8080/data/marker", p.Name)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ORDSET_CHAOS_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (replay: ORDSET_CHAOS_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x4ea1))
	cli := testenv.Docker(t)
	for ord := range pods {
		victim := before[ord]
		delay := time.Duration(rng.Int64N(int64(600 * time.Millisecond)))
		t.Logf("kill %s, SIGKILL the daemon %v later", victim.Name, delay)
		if err := cli.ContainerKill(context.Background(), victim.ContainerID, "KILL"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		if pid := e.daemonPID(); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		e.must("ps", "-n", ns) // the next command starts the daemon again
		deadline := time.Now().Add(90 * time.Second)
		for {
			now := e.ps(ns)
			if allReady(now, pods) && now[ord].Restarts >= 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s not Ready again within 90 s: %+v", victim.Name, now)
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	after := e.ps(ns)
	for i, p := range after {
		if p.ContainerID != before[i].ContainerID || p.Restarts != 1 {
			t.Errorf("%s: container %.12s with %d restarts, want %.12s restarted in place once", p.Name, p.ContainerID, p.Restarts, before[i].ContainerID)
		}
		if got := httpDo(t, "GET", "http://"+p.IP+":8080/data/marker", ""); got != p.Name {
			t.Errorf("%s reads marker %q from its volume, want its own", p.Name, got)
		}
	}
	if c := engineContainers(t, ns); len(c) != pods {
		t.Errorf("pod containers %v, want exactly one per pod", c)
	}
}
