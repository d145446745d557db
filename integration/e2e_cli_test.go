//go:build integration

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
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

// cliBinary builds ./cmd/ordset into the test's temp dir, exactly as a user builds it, and
// returns its path. (Per test, not in a TestMain: another e2e file of this package owns that;
// the build cache makes the second build a link step.)
func cliBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ordset")
	_, self, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-tags", "urfave_cli_no_docs", "-o", bin, "./cmd/ordset") // make build's tags
	build.Dir = filepath.Dir(filepath.Dir(self))
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build ordset: %v\n%s", err, out)
	}
	return bin
}

// cliEnv is one user's environment: a private state dir (so a private daemon) and DNS port.
type cliEnv struct {
	t        *testing.T
	bin      string
	stateDir string
	workDir  string
	env      []string
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Helper()
	// Short path: the daemon's unix socket lives in the state dir (108-byte limit).
	state, err := os.MkdirTemp("", "ordset-e2e")
	if err != nil {
		t.Fatal(err)
	}
	e := &cliEnv{t: t, bin: cliBinary(t), stateDir: state, workDir: t.TempDir()}
	e.env = append(os.Environ(),
		"ORDSET_STATE_DIR="+state,
		"ORDSET_DNS_ADDR=127.0.0.1:"+strconv.Itoa(freeUDPPort(t)),
		"ORDSET_EXTRA_LABELS="+testenv.Label+"=1",
		"NO_COLOR=1",
	)
	t.Cleanup(func() {
		e.run("daemon", "stop")
		if pid := e.daemonPID(); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(state, "daemon.log")); err == nil {
				t.Logf("daemon.log:\n%s", lastLines(string(log), 60))
			}
		}
		os.RemoveAll(state)
	})
	return e
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func freeUDPPort(t *testing.T) int {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

type result struct {
	stdout, stderr string
	code           int
}

func (e *cliEnv) run(args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Dir, cmd.Env = e.workDir, e.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		e.t.Fatalf("run ordset %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// must runs a command that has to succeed.
func (e *cliEnv) must(args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("ordset %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

func (e *cliEnv) daemonPID() int {
	raw, err := os.ReadFile(filepath.Join(e.stateDir, "daemon.lock"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return pid
}

type psPod struct {
	Name        string   `json:"name"`
	Namespace   string   `json:"namespace"`
	StatefulSet string   `json:"statefulset"`
	Ordinal     int      `json:"ordinal"`
	Container   string   `json:"container"`
	ContainerID string   `json:"containerID"`
	IP          string   `json:"ip"`
	Ready       bool     `json:"ready"`
	Status      string   `json:"status"`
	Restarts    int      `json:"restarts"`
	Revision    string   `json:"revision"`
	Volumes     []string `json:"volumes"`
}

func (e *cliEnv) ps(ns string) []psPod {
	e.t.Helper()
	r := e.must("ps", "-n", ns, "-o", "json")
	var pods []psPod
	if err := json.Unmarshal([]byte(r.stdout), &pods); err != nil {
		e.t.Fatalf("ps -o json: %v\n%s", err, r.stdout)
	}
	return pods
}

// allReady reports whether ns has exactly ordinals 0..n-1, each Ready.
func allReady(pods []psPod, n int) bool {
	if len(pods) != n {
		return false
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Ordinal < pods[j].Ordinal })
	for i, p := range pods {
		if p.Ordinal != i || !p.Ready || p.IP == "" {
			return false
		}
	}
	return true
}

func (e *cliEnv) waitReady(ns string, n int) []psPod {
	e.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		pods := e.ps(ns)
		if allReady(pods, n) {
			return pods
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %d ready pods in %s: %+v", n, ns, pods)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// engineContainers lists the pod containers of ns on the engine, by name.
func engineContainers(t *testing.T, ns string) []string {
	t.Helper()
	cli := testenv.Docker(t)
	f := filters.NewArgs(filters.Arg("label", identity.LabelNamespace+"="+ns), filters.Arg("label", identity.LabelRole+"="+identity.RolePod))
	cs, err := cli.ContainerList(context.Background(), container.ListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		if len(c.Names) == 0 {
			continue // the engine is removing it: it has already given up its name
		}
		names = append(names, strings.TrimPrefix(c.Names[0], "/"))
	}
	sort.Strings(names)
	return names
}

// withoutPrevious drops the kept previous containers of crashed pods from container names.
func withoutPrevious(names []string) []string {
	return slices.DeleteFunc(slices.Clone(names), func(n string) bool { return strings.Contains(n, ".previous-") })
}

func engineVolumes(t *testing.T, ns string) []string {
	t.Helper()
	cli := testenv.Docker(t)
	vs, err := cli.VolumeList(context.Background(), volume.ListOptions{Filters: filters.NewArgs(filters.Arg("label", identity.LabelNamespace+"="+ns))})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range vs.Volumes {
		names = append(names, v.Name)
	}
	sort.Strings(names)
	return names
}

const webSet = `namespace: %s
statefulsets:
  web:
    replicas: 3
    image: ordset-test/testapp:latest
    imagePullPolicy: Never
    ports:
      - {name: http, containerPort: 8080}
    readinessProbe:
      httpGet: {path: /ready, port: http}
      periodSeconds: 1
    terminationGracePeriodSeconds: 5
    volumeMounts:
      - {name: data, mountPath: /data}
    volumeClaimTemplates:
      - {name: data}
`

func httpDo(t *testing.T, method, url, body string) string {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s %s", method, url, resp.Status, b)
	}
	return string(b)
}

func TestCLILifecycle(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ns := testenv.UniqueNamespace(t, "e2ecli")
	e := newCLIEnv(t)
	file := filepath.Join(e.workDir, "ordset.yaml")
	if err := os.WriteFile(file, []byte(fmt.Sprintf(webSet, ns)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })

	// up starts the daemon in the background and waits until every pod is Ready.
	r := e.must("up", "--timeout", "2m", "--progress", "plain")
	for i := range 3 {
		if !strings.Contains(r.stderr, fmt.Sprintf("Pod %s/web-%d", ns, i)) {
			t.Errorf("up progress lacks web-%d:\n%s", i, r.stderr)
		}
	}
	pods := e.ps(ns)
	if !allReady(pods, 3) {
		t.Fatalf("after up: %+v", pods)
	}
	if p := pods[1]; p.Namespace != ns || p.StatefulSet != "web" || p.Container != ns+"-web-1" || len(p.Volumes) != 1 || p.Volumes[0] != ns+"_data-web-1" {
		t.Errorf("ps -o json pod 1: %+v", p)
	}
	// Per-ordinal data, read back after down/up.
	for _, p := range pods[:2] {
		httpDo(t, "PUT", "http://"+p.IP+":8080/data/k", "v-"+p.Name)
	}
	// The embedded DNS server answers for the pods through the host listener.
	if r := e.must("dns", "resolve", "web-0.web", "-n", ns); !strings.Contains(r.stdout, pods[0].IP) {
		t.Errorf("dns resolve web-0.web: want %s in\n%s", pods[0].IP, r.stdout)
	}
	if r := e.must("dns", "resolve", "_http._tcp.web", "SRV", "-n", ns); strings.Count(r.stdout, "\tSRV\t") != 3 {
		t.Errorf("dns resolve SRV: want 3 records in\n%s", r.stdout)
	}
	// An address is looked up as PTR, as "dig -x" does.
	if r := e.must("dns", "resolve", pods[1].IP); !strings.Contains(r.stdout, "PTR\tweb-1.web."+ns+".svc.cluster.local.") {
		t.Errorf("dns resolve %s: want web-1's PTR in\n%s", pods[1].IP, r.stdout)
	}
	if r := e.must("up"); !strings.Contains(r.stderr, "unchanged") {
		t.Errorf("second up is not a no-op:\n%s", r.stderr)
	}
	st := e.must("daemon", "status")
	if !strings.Contains(st.stdout, "PID:") || !strings.Contains(st.stdout, ns) {
		t.Errorf("daemon status:\n%s", st.stdout)
	}
	// A second daemon on the same state dir refuses to start, naming the first.
	if r := e.run("daemon"); r.code != 1 || !strings.Contains(r.stderr, fmt.Sprintf("pid %d", e.daemonPID())) {
		t.Errorf("second daemon: exit %d\n%s", r.code, r.stderr)
	}

	// ps latency with a warm daemon.
	const n = 20
	startPS := time.Now()
	for range n {
		e.must("ps", "-n", ns, "-o", "json")
	}
	t.Logf("ordset ps (process start + API call), warm daemon: %.1f ms mean over %d runs", float64(time.Since(startPS).Microseconds())/1000/n, n)

	e.must("scale", "web", "5", "-n", ns, "--timeout", "2m")
	e.waitReady(ns, 5)
	e.must("scale", "web", "2", "-n", ns, "--timeout", "2m")
	e.waitReady(ns, 2)

	// SIGKILL the daemon in the middle of a scale; the next command restarts it and the set
	// converges with each ordinal exactly once.
	e.must("scale", "web", "4", "-n", ns, "--no-wait")
	deadline := time.Now().Add(30 * time.Second)
	for len(engineContainers(t, ns)) < 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	pid := e.daemonPID()
	if pid == 0 {
		t.Fatal("no daemon pid")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	e.waitReady(ns, 4)
	if e.daemonPID() == pid {
		t.Errorf("daemon was not restarted")
	}
	want := []string{ns + "-web-0", ns + "-web-1", ns + "-web-2", ns + "-web-3"}
	if got := engineContainers(t, ns); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("containers after crash recovery: %v, want %v", got, want)
	}

	// down keeps the volumes; up again finds the data.
	e.must("down", "-n", ns, "--timeout", "2m")
	if got := engineContainers(t, ns); len(got) != 0 {
		t.Errorf("containers after down: %v", got)
	}
	if got := engineVolumes(t, ns); len(got) != 5 {
		t.Errorf("volumes after down: %v (want the 5 per-ordinal volumes kept)", got)
	}
	e.must("up", "--timeout", "2m")
	pods = e.waitReady(ns, 3)
	for _, p := range pods[:2] {
		if got := httpDo(t, "GET", "http://"+p.IP+":8080/data/k", ""); got != "v-"+p.Name {
			t.Errorf("data of %s after down/up: %q", p.Name, got)
		}
	}

	// As the walkthrough does in the file's directory: down, then down --volumes drops the
	// kept data; a third down has nothing to do and still succeeds.
	e.must("down", "--timeout", "2m")
	if r := e.must("down", "--volumes"); strings.Count(r.stderr, " removed") != 5 {
		t.Errorf("down --volumes after down:\n%s", r.stderr)
	}
	if got := engineVolumes(t, ns); len(got) != 0 {
		t.Errorf("volumes after down --volumes: %v", got)
	}
	if r := e.must("down"); !strings.Contains(r.stderr, "nothing to delete") {
		t.Errorf("down with nothing left:\n%s", r.stderr)
	}
}

// Mistakes a user makes with a running engine: an image that does not exist fails up fast
// with the engine's reason (not a silent wait until --timeout); exec passes exit codes and
// stdin through.
func TestCLIUserMistakes(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "e2emist")
	e := newCLIEnv(t)
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })
	set := `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    command: [sh, -c, "trap 'exit 0' TERM; sleep 3600 & wait"]
  ghost:
    image: ordset-test/does-not-exist:1.0
`
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(fmt.Sprintf(set, ns)), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := e.run("up", "--timeout", "2m", "--progress", "plain")
	if r.code != 1 || !strings.Contains(r.stderr, "ordset: pod "+ns+"/ghost-0: ") || !strings.Contains(r.stderr, "does-not-exist") {
		t.Errorf("up with a missing image: exit %d\n%s", r.code, r.stderr)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("up took %s to report a missing image", d)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) { // ghost-0 never exists
		if pods := e.ps(ns); slices.ContainsFunc(pods, func(p psPod) bool { return p.Name == "box-0" && p.Ready }) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("box-0 not Ready: %+v", e.ps(ns))
		}
	}
	if r := e.run("exec", "box-0", "-n", ns, "--", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("exec exit code: %d, want 7\n%s", r.code, r.stderr)
	}
	cmd := exec.Command(e.bin, "exec", "-i", "box-0", "-n", ns, "--", "cat")
	cmd.Dir, cmd.Env, cmd.Stdin = e.workDir, e.env, strings.NewReader("through stdin\n")
	if out, err := cmd.Output(); err != nil || string(out) != "through stdin\n" {
		t.Errorf("exec -i cat: %q %v", out, err)
	}
}

func TestCLIUpBadFile(t *testing.T) {
	ns := testenv.UniqueNamespace(t, "e2ebad")
	e := newCLIEnv(t)
	bad := fmt.Sprintf(`namespace: %s
statefulsets:
  web:
    replicas: -1
    image: ""
    podManagementPolicy: Sometimes
    ports:
      - {containerPort: 99999}
`, ns)
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.run("up")
	if r.code != 1 {
		t.Fatalf("up on a bad file: exit %d\n%s", r.code, r.stderr)
	}
	problems := 0
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(line, "ordset.yaml:") {
			problems++
		}
	}
	if problems != 4 {
		t.Errorf("want every problem (4) as file:line:col, got:\n%s", r.stderr)
	}
	if got := engineContainers(t, ns); len(got) != 0 {
		t.Errorf("bad file created containers: %v", got)
	}
	if e.daemonPID() != 0 {
		t.Errorf("bad file started a daemon")
	}
}
