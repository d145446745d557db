//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/ordset/ordset/integration/testenv"
)

// A namespace at the DNS label limit and a set whose pod name is at it too, resolved with the
// namespace taken from ./ordset.yaml (no -n): every form a user types resolves, through the
// built binary and the daemon's real DNS listener.
func TestCLIDNSLongNames(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "dnslong")
	ns += "-" + strings.Repeat("n", 62-len(ns)) // 63 characters
	set := strings.Repeat("s", 61)              // pod name set-0: 63 characters
	e := newCLIEnv(t)
	file := fmt.Sprintf(`namespace: %s
statefulsets:
  %s:
    replicas: 1
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"]
    ports: [{name: http, containerPort: 8080}]
    terminationGracePeriodSeconds: 1
`, ns, set)
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "--volumes", "--timeout", "1m") })
	e.must("up", "--timeout", "2m", "--progress", "plain")
	pods := e.ps(ns)
	if len(pods) != 1 || pods[0].IP == "" {
		t.Fatalf("ps: %+v", pods)
	}
	ip, pod := pods[0].IP, set+"-0"
	for _, q := range [][]string{
		{pod + "." + set}, {set}, {pod + "." + set + "." + ns}, {pod + "." + set + "." + ns + ".svc"},
		{pod + "." + set + "." + ns + ".svc.cluster.local"}, {pod + "." + set + "." + ns + ".svc.cluster.local."},
		{"_http._tcp." + set, "SRV"}, {ip},
	} {
		r := e.run(append([]string{"dns", "resolve"}, q...)...)
		want := ip
		if len(q) == 2 || q[0] == ip {
			want = pod + "." + set + "." + ns + ".svc.cluster.local."
		}
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("dns resolve %v: exit %d, want %s\nstdout: %s\nstderr: %s", q, r.code, want, r.stdout, r.stderr)
		}
	}
	var ans struct {
		Rcode   string `json:"rcode"`
		Records []struct {
			Data string `json:"data"`
		} `json:"records"`
	}
	r := e.must("dns", "resolve", pod+"."+set, "-o", "json")
	if json.Unmarshal([]byte(r.stdout), &ans) != nil || ans.Rcode != "NOERROR" || len(ans.Records) != 1 || !strings.Contains(ans.Records[0].Data, ip) {
		t.Errorf("dns resolve -o json: %s", r.stdout)
	}
	// A name no DNS message can carry is the user's mistake, said as such (not "bad rdata").
	if r := e.run("dns", "resolve", strings.Repeat("x", 64)+"."+set); r.code != 2 || !strings.Contains(r.stderr, "longer than 63") {
		t.Errorf("dns resolve of a 64-character label: exit %d\n%s", r.code, r.stderr)
	}
	if r := e.run("dns", "resolve", strings.Repeat("abcdefg.", 40)+"x"); r.code != 2 || !strings.Contains(r.stderr, "longer than 253") {
		t.Errorf("dns resolve of a 329-character name: exit %d\n%s", r.code, r.stderr)
	}
}

// logs -p shows what a container started again in place wrote before its last exit, whether
// the engine restarted it (docker restart) or ordset did after a crash (one container, one
// log; ps shows one pod, describe its last state); down removes it.
func TestCLILogsPrevious(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "logsprev")
	e := newCLIEnv(t)
	file := fmt.Sprintf(`namespace: %s
statefulsets:
  box:
    replicas: 1
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "echo run-$(cat /proc/sys/kernel/random/uuid); trap 'exit 0' TERM; sleep 3600 & wait"]
    terminationGracePeriodSeconds: 1
`, ns)
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "--volumes", "--timeout", "1m") })
	e.must("up", "--timeout", "2m", "--progress", "plain")
	b := boxPod{t: t, e: e, ns: ns}
	if r := e.run("logs", "-p", "box-0"); r.code != 1 || !strings.Contains(r.stderr, `previous terminated container in pod "box-0" not found`) {
		t.Errorf("logs -p before any crash: exit %d\n%s", r.code, r.stderr)
	}
	first := b.logs()
	if !strings.HasPrefix(first, "run-") {
		t.Fatalf("logs box-0: %q", first)
	}

	both := b.restartInPlace()
	if lines := strings.Split(both, "\n"); len(lines) != 2 || lines[0] != first || lines[1] == first {
		t.Fatalf("logs box-0 after a restart in place: %q", both)
	}
	if got := b.previous(); got != first {
		t.Errorf("logs -p after a restart in place: %q, want the first run's %q", got, first)
	}

	second := b.crash(both)
	if got := b.previous(); got != both {
		t.Errorf("logs -p after the first crash: %q, want the crashed container's %q (current %q)", got, both, second)
	}
	if r := e.must("describe", "box-0"); !strings.Contains(r.stdout, "Last State:") || !strings.Contains(r.stdout, "exited, exit code 0") {
		t.Errorf("describe box-0 after a crash lacks its last state:\n%s", r.stdout)
	}
	if r := e.must("ps", "-q"); r.stdout != "box-0\n" {
		t.Errorf("ps lists the previous container: %q", r.stdout)
	}
	if c := engineContainers(t, ns); len(c) != 1 {
		t.Errorf("containers after one crash: %v, want the pod's own, restarted in place", c)
	}

	third := b.crash(second)
	b.eventually("logs -p shows the runs before the second crash", func() bool { return b.previous() == second })
	if c := engineContainers(t, ns); len(c) != 1 {
		t.Errorf("containers after two crashes: %v, want the pod's own", c)
	}
	if got := b.logs(); got != third {
		t.Errorf("logs box-0 after two crashes: %q, want %q", got, third)
	}
	e.must("down", "--timeout", "1m")
	if c := engineContainers(t, ns); len(c) != 0 {
		t.Errorf("down left %v", c)
	}
}

// boxPod drives the one pod (box-0) of TestCLILogsPrevious.
type boxPod struct {
	t  *testing.T
	e  *cliEnv
	ns string
}

func (b boxPod) logs() string { return strings.TrimSpace(b.e.must("logs", "box-0").stdout) }

func (b boxPod) eventually(what string, ok func() bool) {
	b.t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); !ok(); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			b.t.Fatalf("timed out waiting for: %s (ps %+v, containers %v)", what, b.e.ps(b.ns), engineContainers(b.t, b.ns))
		}
	}
}

// restartInPlace restarts the pod's container with the engine while no daemon runs (one
// container, one log) and returns its logs once the pod is Ready again.
func (b boxPod) restartInPlace() string {
	b.t.Helper()
	b.e.must("daemon", "stop")
	if err := testenv.Docker(b.t).ContainerRestart(context.Background(), b.ns+"-box-0", container.StopOptions{}); err != nil {
		b.t.Fatal(err)
	}
	b.eventually("box-0 Ready after docker restart", func() bool { p := b.e.ps(b.ns); return len(p) == 1 && p[0].Ready })
	return b.logs()
}

// crash ends the pod's main process (its trap exits 0: a main container that ends is a
// crash) and returns the pod's logs once it is Ready again with output other than was.
func (b boxPod) crash(was string) string {
	b.t.Helper()
	b.e.run("exec", "box-0", "--", "kill", "1")
	var now string
	b.eventually("box-0 restarted after its crash", func() bool {
		p := b.e.ps(b.ns)
		if len(p) != 1 || !p[0].Ready || p[0].Restarts == 0 {
			return false
		}
		now = strings.TrimSpace(b.e.run("logs", "box-0").stdout)
		return now != "" && now != was
	})
	return now
}

// previous is logs --previous once it succeeds.
func (b boxPod) previous() string {
	b.t.Helper()
	var out string
	b.eventually("a previous container", func() bool {
		r := b.e.run("logs", "--previous", "box-0")
		out = strings.TrimSpace(r.stdout)
		return r.code == 0
	})
	return out
}

// down -t is part of the recorded deletion: a daemon SIGKILLed mid-down, started again by
// the next command, stops the remaining pods with the same grace period. The pods ignore
// SIGTERM and their own grace is 10 minutes, so only the override lets them go within the
// (generous) deadline.
func TestCLIDownGraceSurvivesDaemonKill(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "downkill")
	e := newCLIEnv(t)
	file := fmt.Sprintf(`namespace: %s
statefulsets:
  stubborn:
    replicas: 2
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "sleep 3600"]   # PID 1 without a TERM handler: SIGTERM does nothing
    terminationGracePeriodSeconds: 600
`, ns)
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "--volumes", "-t", "0", "--timeout", "1m") })
	e.must("up", "--timeout", "2m", "--progress", "plain")
	// Each stop now takes the 5 s override (SIGTERM is ignored), stubborn-1 first; the kill
	// lands inside that stop, before stubborn-0's.
	e.must("down", "-t", "5", "--no-wait")
	time.Sleep(time.Second)
	pid := e.daemonPID()
	if pid <= 0 {
		t.Fatal("no daemon pid")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if c := engineContainers(t, ns); !slices.Contains(c, ns+"-stubborn-0") {
		t.Fatalf("stubborn-0 already gone at the kill (%v): the test proves nothing", c)
	}
	e.must("ps") // the next command starts the daemon again
	for deadline := time.Now().Add(90 * time.Second); len(engineContainers(t, ns)) > 0; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pods left 90 s after the restart (the set's 600 s grace, not down -t 5?): %v", engineContainers(t, ns))
		}
	}
}
