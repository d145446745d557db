//go:build integration

package integration

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator/identity"
)

// The fault-injection suite: each trial SIGKILLs the daemon at a seeded random moment of one
// operation, runs the operation again (as a user would), and checks the outcome: every ordinal
// exactly once, every volume that should exist present with the marker its pod wrote, and
// convergence within 60 s. ORDSET_CHAOS_TRIALS sets the trials per operation (default 7, 2
// with -short); ORDSET_CHAOS_SEED replays one seed (printed by every trial).

// chaosOp is one operation under test: setup brings the namespace to its starting point,
// op is the command killed mid-way and run again, check verifies the outcome.
type chaosOp struct {
	name   string
	setup  int // replicas before the operation (0: nothing)
	args   func(c *chaosTrial) []string
	want   int                          // pods expected afterwards
	vols   int                          // volumes expected afterwards
	after  func(c *chaosTrial) []string // a command proving the data survived (run once the check passed), or nil
	update bool                         // the operation changes the template: every pod must end on the new revision
	// rerun is the command a user runs after the crash when it is not the operation itself
	// (a second `rollout restart` would start another rollout).
	rerun func(c *chaosTrial) []string
	// kill window: the daemon dies this long after the command started, uniformly at random.
	window time.Duration
}

var chaosOps = []chaosOp{
	{name: "up", setup: 0, want: 3, vols: 3, window: 3 * time.Second,
		args: func(c *chaosTrial) []string { return []string{"up", "-f", c.file(3), "--timeout", "60s"} }},
	{name: "scale-up", setup: 2, want: 4, vols: 4, window: 3 * time.Second,
		args: func(c *chaosTrial) []string { return []string{"scale", "web", "4", "-n", c.ns, "--timeout", "60s"} }},
	{name: "scale-down", setup: 4, want: 1, vols: 4, window: 2 * time.Second,
		args:  func(c *chaosTrial) []string { return []string{"scale", "web", "1", "-n", c.ns, "--timeout", "60s"} },
		after: func(c *chaosTrial) []string { return []string{"scale", "web", "4", "-n", c.ns, "--timeout", "60s"} }},
	{name: "rolling-update", setup: 3, want: 3, vols: 3, window: 4 * time.Second, update: true,
		args: func(c *chaosTrial) []string {
			return []string{"rollout", "restart", "web", "-n", c.ns, "--timeout", "60s"}
		},
		rerun: func(c *chaosTrial) []string {
			return []string{"rollout", "status", "web", "-n", c.ns, "--timeout", "60s"}
		}},
	{name: "down", setup: 3, want: 0, vols: 3, window: 2 * time.Second,
		args:  func(c *chaosTrial) []string { return []string{"down", "-n", c.ns, "--timeout", "60s"} },
		after: func(c *chaosTrial) []string { return []string{"up", "-f", c.file(3), "--timeout", "60s"} }},
	{name: "down-volumes", setup: 3, want: 0, vols: 0, window: 2 * time.Second,
		args: func(c *chaosTrial) []string { return []string{"down", "-n", c.ns, "--volumes", "--timeout", "60s"} }},
}

type chaosTrial struct {
	t    *testing.T
	e    *cliEnv
	ns   string
	seed uint64
}

// file writes the trial's ordset file: the CLI tests' set (webSet) with the given replicas.
func (c *chaosTrial) file(replicas int) string {
	path := filepath.Join(c.e.workDir, c.ns+".yaml")
	src := strings.Replace(fmt.Sprintf(webSet, c.ns), "replicas: 3", fmt.Sprintf("replicas: %d", replicas), 1)
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return path
}

func TestChaosDaemonKill(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	perOp := 7
	if testing.Short() {
		perOp = 2
	}
	if s := os.Getenv("ORDSET_CHAOS_TRIALS"); s != "" {
		perOp, _ = strconv.Atoi(s)
	}
	seeds := func(op, i int) uint64 { return uint64(op*1000 + i + 1) }
	if s := os.Getenv("ORDSET_CHAOS_SEED"); s != "" {
		v, _ := strconv.ParseUint(s, 10, 64)
		seeds, perOp = func(int, int) uint64 { return v }, 1
	}
	e := newCLIEnv(t)
	type tally struct{ trials, converged, lost int }
	results := map[string]*tally{}
	for oi, op := range chaosOps {
		results[op.name] = &tally{}
		for i := range perOp {
			seed := seeds(oi, i)
			ok := t.Run(fmt.Sprintf("%s/seed=%d", op.name, seed), func(t *testing.T) {
				c := &chaosTrial{t: t, e: e, ns: testenv.UniqueNamespace(t, "chaos"), seed: seed}
				// Before the namespace's sweep (cleanups run last first): the daemon must let go
				// of the set, or it recreates what the sweep removes.
				t.Cleanup(func() {
					e.t = t
					e.run("down", "-n", c.ns, "--volumes", "--timeout", "60s")
					e.t = nil
				})
				c.e.t = t
				defer func() { c.e.t = nil }()
				c.run(op)
			})
			r := results[op.name]
			r.trials++
			if ok {
				r.converged++
			} else {
				r.lost++ // a failed trial: not converged, or something lost (the log says which)
			}
		}
	}
	e.t = t
	t.Log("operation        trials  converged  failed")
	for _, op := range chaosOps {
		r := results[op.name]
		t.Logf("%-16s %6d  %9d  %6d", op.name, r.trials, r.converged, r.lost)
	}
}

func (c *chaosTrial) run(op chaosOp) {
	t := c.t
	rng := rand.New(rand.NewPCG(c.seed, 0x0d5e7))
	delay := time.Duration(rng.Int64N(int64(op.window)))
	t.Logf("seed %d: SIGKILL the daemon %v into %q (replay: ORDSET_CHAOS_SEED=%d)", c.seed, delay, op.name, c.seed)
	if op.setup > 0 {
		c.e.must("up", "-f", c.file(op.setup), "--timeout", "60s", "--progress", "plain")
		c.writeMarkers(op.setup)
	}
	oldRev := ""
	if pods := c.e.ps(c.ns); len(pods) > 0 {
		oldRev = pods[0].Revision
	}
	c.e.must("daemon", "status") // the daemon runs: there is something to kill
	args := append(op.args(c), "--progress", "plain")
	cmd := exec.Command(c.e.bin, args...)
	cmd.Dir, cmd.Env = c.e.workDir, c.e.env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(delay)
	if pid := c.e.daemonPID(); pid > 0 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	_ = cmd.Wait() // it fails or finished: either way the user runs it again

	start := time.Now()
	if op.rerun != nil {
		args = append(op.rerun(c), "--progress", "plain")
	}
	c.e.must(args...)
	c.waitPods(op.want, 60*time.Second)
	t.Logf("converged %v after the rerun started", time.Since(start).Round(100*time.Millisecond))
	c.checkExactlyOnce(op.want)
	if op.update {
		for _, p := range c.e.ps(c.ns) {
			if p.Revision == oldRev {
				t.Errorf("pod %s still on revision %s after the update", p.Name, oldRev)
			}
		}
	}
	if got := len(engineVolumes(t, c.ns)); got != op.vols {
		t.Errorf("volumes after %s: %d, want %d: %v", op.name, got, op.vols, engineVolumes(t, c.ns))
	}
	if op.want == 0 && op.vols == 0 {
		return
	}
	n := op.want
	if op.after != nil {
		c.e.must(op.after(c)...)
		n = max(op.setup, op.want)
		c.waitPods(n, 60*time.Second)
	}
	c.checkMarkers(min(n, max(op.setup, 0)))
}

// writeMarkers stores each pod's name in its volume.
func (c *chaosTrial) writeMarkers(n int) {
	for _, p := range c.e.ps(c.ns) {
		if p.Ordinal < n {
			httpDo(c.t, "PUT", "http://"+p.IP+":8080/data/marker", p.Name)
		}
	}
}

// checkMarkers reads back the marker of the first n pods: each finds its own.
func (c *chaosTrial) checkMarkers(n int) {
	for _, p := range c.e.ps(c.ns) {
		if p.Ordinal >= n {
			continue
		}
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Get("http://" + p.IP + ":8080/data/marker")
		if err != nil {
			c.t.Errorf("read the marker of %s: %v", p.Name, err)
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != p.Name {
			c.t.Errorf("pod %s finds marker %q in its volume, want its own: data lost or mixed up", p.Name, b)
		}
	}
}

// waitPods waits for exactly n Ready pods (ordinals 0..n-1) and no other pod container.
func (c *chaosTrial) waitPods(n int, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for {
		pods := c.e.ps(c.ns)
		if allReady(pods, n) && len(withoutPrevious(engineContainers(c.t, c.ns))) == n {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("not converged within %v: want %d Ready pods, ps shows %+v, the engine %v", timeout, n, pods, engineContainers(c.t, c.ns))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// checkExactlyOnce: one pod container per ordinal, each named for it, and nothing else
// (but at most one kept previous container of a crashed pod).
func (c *chaosTrial) checkExactlyOnce(n int) {
	cli := testenv.Docker(c.t)
	f := filters.NewArgs(filters.Arg("label", identity.LabelNamespace+"="+c.ns))
	cs, err := cli.ContainerList(context.Background(), container.ListOptions{All: true, Filters: f})
	if err != nil {
		c.t.Fatal(err)
	}
	seen, previous := map[string]int{}, map[string]int{}
	for _, x := range cs {
		if x.Labels[identity.LabelRole] != identity.RolePod {
			continue
		}
		// A crashed pod's last container is kept for logs --previous: not a pod, at most one.
		if canonical := c.ns + "-web-" + x.Labels[identity.LabelOrdinal]; strings.TrimPrefix(x.Names[0], "/") == identity.PreviousName(canonical, x.ID) {
			if previous[x.Labels[identity.LabelOrdinal]]++; previous[x.Labels[identity.LabelOrdinal]] > 1 {
				c.t.Errorf("ordinal %s keeps more than one previous container", x.Labels[identity.LabelOrdinal])
			}
			continue
		}
		seen[x.Labels[identity.LabelOrdinal]]++
		if want := c.ns + "-web-" + x.Labels[identity.LabelOrdinal]; strings.TrimPrefix(x.Names[0], "/") != want {
			c.t.Errorf("pod container %s carries ordinal %s: want the name %s", x.Names[0], x.Labels[identity.LabelOrdinal], want)
		}
	}
	var got []string
	for o, k := range seen {
		if k != 1 {
			c.t.Errorf("ordinal %s has %d containers", o, k)
		}
		got = append(got, o)
	}
	slices.Sort(got)
	if len(got) != n {
		c.t.Errorf("ordinals on the engine %v, want 0..%d", got, n-1)
	}
}
