//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/integration/testenv"
)

const boxSet = `namespace: %s
statefulsets:
  box:
    replicas: 2
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "echo hello-from-$POD_NAME; trap 'exit 0' TERM; sleep 3600 & wait"]
    ports: [{name: http, containerPort: 8080, hostPort: %d}]
    terminationGracePeriodSeconds: 2
`

// freeTCPPortPair returns a port p with p and p+1 free on 127.0.0.1 (hostPort + ordinal).
func freeTCPPortPair(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		l.Close()
		if err == nil {
			l2.Close()
			return p
		}
	}
	t.Fatal("no free pair of ports")
	return 0
}

// The commands a Compose or kubectl user reaches for, through the built binary against the
// real engine: exec exit codes and options, logs of a set, ps selection, port, ls, cp both
// ways, top, delete pod, restart POD and SET, wait, get pods, the completion scripts as a shell
// sources them, export read back, version, stats, dns NODATA, daemon install --print.
func TestCLIEverydayCommands(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "e2ecmds")
	e := newCLIEnv(t)
	port := freeTCPPortPair(t)
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(fmt.Sprintf(boxSet, ns, port)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })
	e.must("up", "--timeout", "2m", "--progress", "plain")

	// exec returns the command's exit code, 2 and 3 included (3 was once turned into 2).
	for _, code := range []int{2, 3} {
		if r := e.run("exec", "box-0", "--", "sh", "-c", fmt.Sprintf("exit %d", code)); r.code != code {
			t.Errorf("exec exit %d: got %d\n%s", code, r.code, r.stderr)
		}
	}
	if r := e.must("exec", "-e", "X=42", "-w", "/tmp", "-u", "65534", "box-0", "--", "sh", "-c", "echo $X $(pwd) $(id -u)"); r.stdout != "42 /tmp 65534\n" {
		t.Errorf("exec -e -w -u: %q", r.stdout)
	}

	// logs of a set: every pod's lines, prefixed; of one pod: as they are.
	r := e.must("logs", "box")
	for _, w := range []string{"box-0 | hello-from-box-0", "box-1 | hello-from-box-1"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("logs box lacks %q:\n%s", w, r.stdout)
		}
	}
	if r := e.must("logs", "box-1"); r.stdout != "hello-from-box-1\n" {
		t.Errorf("logs box-1: %q", r.stdout)
	}
	if r := e.must("ps", "box-1", "-q"); r.stdout != "box-1\n" {
		t.Errorf("ps box-1 -q: %q", r.stdout)
	}
	if r := e.must("ps", "--format", "{{.Name}} {{.Ready}}", "--filter", "name=box-1"); r.stdout != "box-1 true\n" {
		t.Errorf("ps --format --filter: %q", r.stdout)
	}
	if r := e.must("get", "sts", "-o", "yaml"); !strings.Contains(r.stdout, "name: box\n") {
		t.Errorf("get sts -o yaml:\n%s", r.stdout)
	}
	if r := e.must("logs", "-l", "statefulset=box", "--since", "1h"); !strings.Contains(r.stdout, "box-1 | hello-from-box-1") {
		t.Errorf("logs -l --since:\n%s", r.stdout)
	}
	if r := e.must("up", "-d"); !strings.Contains(r.stderr, "unchanged") || strings.Contains(r.stderr, "Pod ") {
		t.Errorf("up -d: %s", r.stderr)
	}
	if r := e.must("config", "--services"); r.stdout != "box\n" {
		t.Errorf("config --services: %q", r.stdout)
	}
	if r := e.must("explain", "replicas"); !strings.Contains(r.stdout, "FIELD: replicas") {
		t.Errorf("explain replicas:\n%s", r.stdout)
	}
	if r := e.must("logs", "--generate-bash-completion"); !strings.Contains(r.stdout, "box-1\n") {
		t.Errorf("completion of pod names: %q", r.stdout)
	}
	if r := e.must("port", "box-1", "http"); r.stdout != fmt.Sprintf("127.0.0.1:%d\n", port+1) {
		t.Errorf("port box-1 http: %q, want 127.0.0.1:%d", r.stdout, port+1)
	}
	if r := e.must("ps", "-o", "wide"); !strings.Contains(r.stdout, fmt.Sprintf("127.0.0.1:%d->8080/tcp", port)) {
		t.Errorf("ps -o wide lacks the host port:\n%s", r.stdout)
	}
	var spaces []struct {
		Namespace string `json:"namespace"`
		Pods      int    `json:"pods"`
	}
	if r := e.must("ls", "-o", "json"); json.Unmarshal([]byte(r.stdout), &spaces) != nil || len(spaces) != 1 || spaces[0].Namespace != ns || spaces[0].Pods != 2 {
		t.Errorf("ls -o json: %s", r.stdout)
	}

	// cp both ways.
	local := filepath.Join(e.workDir, "in.txt")
	os.WriteFile(local, []byte("copied in\n"), 0o644)
	e.must("cp", local, "box-0:/tmp/copied.txt")
	if r := e.must("exec", "box-0", "--", "cat", "/tmp/copied.txt"); r.stdout != "copied in\n" {
		t.Errorf("after cp to the pod: %q", r.stdout)
	}
	back := filepath.Join(e.workDir, "back.txt")
	e.must("cp", "box-0:/tmp/copied.txt", back)
	if b, err := os.ReadFile(back); err != nil || string(b) != "copied in\n" {
		t.Errorf("cp from the pod: %q %v", b, err)
	}

	var usage []struct {
		Pod         string `json:"pod"`
		MemoryBytes uint64 `json:"memoryBytes"`
	}
	if r := e.must("top", "-o", "json"); json.Unmarshal([]byte(r.stdout), &usage) != nil || len(usage) != 2 || usage[0].MemoryBytes == 0 {
		t.Errorf("top -o json: %s", r.stdout)
	}

	// delete pod and restart recreate the container under the same name.
	before := e.ps(ns)
	e.must("delete", "pod", "box-1", "--wait", "--timeout", "1m")
	e.must("restart", "box-0", "--timeout", "1m")
	e.must("wait", "--for=condition=Ready", "box", "--timeout", "1m")
	after := e.ps(ns)
	for i := range 2 {
		if after[i].Container != before[i].Container || after[i].IP == "" {
			t.Errorf("pod %d after delete/restart: %+v (before %+v)", i, after[i], before[i])
		}
	}
	// The replaced containers are retired, then removed: in the end one container per pod.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		c := engineContainers(t, ns)
		if len(c) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("containers after delete/restart: %v", c)
			break
		}
	}

	// restart SET rolls every pod of the set: new containers under the same names.
	before = e.ps(ns)
	e.must("restart", "box", "--timeout", "2m")
	after = e.ps(ns)
	for i := range 2 {
		if !after[i].Ready || after[i].Container != before[i].Container || after[i].ContainerID == before[i].ContainerID {
			t.Errorf("pod %d after restart box: %+v (before %+v)", i, after[i], before[i])
		}
	}
	if r := e.must("get", "pods", "-o", "wide"); !strings.HasPrefix(r.stdout, "NAME") || !strings.Contains(r.stdout, after[1].IP) ||
		strings.Count(r.stdout, " 1/1 ") != 2 {
		t.Errorf("get pods -o wide:\n%s", r.stdout)
	}

	// The completion scripts as a shell loads them: bash completes pod names from the daemon.
	binDir := t.TempDir()
	if err := os.Symlink(e.bin, filepath.Join(binDir, "ordset")); err != nil {
		t.Fatal(err)
	}
	complete := exec.Command("bash", "-c", `source <(ordset completion bash) && COMP_WORDS=(ordset logs box-) COMP_CWORD=2 && _ordset_complete && printf '%s\n' "${COMPREPLY[@]}"`)
	complete.Dir, complete.Env = e.workDir, append(e.env, "PATH="+binDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := complete.CombinedOutput(); err != nil || string(out) != "box-0\nbox-1\n" {
		t.Errorf("bash completion of 'ordset logs box-': %v %q", err, out)
	}
	for shell, want := range map[string]string{"zsh": "compdef _ordset ordset", "fish": "complete -c ordset"} {
		if r := e.must("completion", shell); !strings.Contains(r.stdout, want) {
			t.Errorf("completion %s lacks %q:\n%s", shell, want, r.stdout)
		}
	}

	// export writes manifests that load back into the same set (hostPort + ordinal kept in an
	// annotation, with a warning); version and stats (top's compose name) answer through the daemon.
	r = e.must("export")
	if !strings.Contains(r.stdout, "kind: StatefulSet") || !strings.Contains(r.stderr, "hostPort") {
		t.Errorf("export:\n%s\n%s", r.stdout, r.stderr)
	}
	manifests := filepath.Join(e.workDir, "exported.yaml")
	if err := os.WriteFile(manifests, []byte(r.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	if a, b := e.must("config", "-o", "json").stdout, e.must("config", "-f", manifests, "-o", "json").stdout; a != b {
		t.Errorf("config of the exported manifests differs from the file's:\n%s\n---\n%s", a, b)
	}
	var ver struct {
		Client struct{ Version string }  `json:"client"`
		Daemon *struct{ Version string } `json:"daemon"`
	}
	if r := e.must("version", "-o", "json"); json.Unmarshal([]byte(r.stdout), &ver) != nil || ver.Daemon == nil || ver.Daemon.Version != ver.Client.Version {
		t.Errorf("version -o json: %s", r.stdout)
	}
	if r := e.must("stats", "--no-stream"); !strings.Contains(r.stdout, "box-0") || !strings.Contains(r.stdout, "box-1") {
		t.Errorf("stats --no-stream:\n%s", r.stdout)
	}

	// A pod name exists without AAAA records: NODATA, not NXDOMAIN.
	if r := e.run("dns", "resolve", "box-0.box", "AAAA"); r.code != 1 || !strings.Contains(r.stderr, "NODATA") {
		t.Errorf("dns resolve AAAA: exit %d %s", r.code, r.stderr)
	}
	if r := e.must("daemon", "install", "--print"); !strings.Contains(r.stdout, "ExecStart=") || !strings.Contains(r.stdout, "ORDSET_STATE_DIR="+e.stateDir) {
		t.Errorf("daemon install --print:\n%s", r.stdout)
	}
}

// Without access to the engine the daemon refuses to start, and the command says why,
// instead of "No pods found" and exit 0.
func TestCLINoEngineAccess(t *testing.T) {
	e := newCLIEnv(t)
	e.env = append(e.env, "DOCKER_HOST=unix://"+filepath.Join(e.stateDir, "no-docker.sock"))
	r := e.run("ps")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot reach the Docker engine") || strings.Contains(r.stderr, "No pods found") {
		t.Errorf("ps without an engine: exit %d\nstdout %q\nstderr %s", r.code, r.stdout, r.stderr)
	}
}

// down -t 0 overrides a long terminationGracePeriodSeconds: pods that ignore SIGTERM are gone
// well within --timeout, which the set's own grace (10 minutes each) would exceed.
func TestCLIDownGraceOverride(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "e2egrace")
	e := newCLIEnv(t)
	set := `namespace: %s
statefulsets:
  stubborn:
    replicas: 2
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "sleep 3600"]   # PID 1 without a TERM handler: SIGTERM does nothing
    terminationGracePeriodSeconds: 600
`
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(fmt.Sprintf(set, ns)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "-t", "0", "--timeout", "1m") })
	e.must("up", "--timeout", "2m", "--progress", "plain")
	if r := e.run("down", "-t", "0", "--timeout", "2m", "--progress", "plain"); r.code != 0 {
		t.Fatalf("down -t 0: exit %d\n%s", r.code, r.stderr)
	}
	if c := engineContainers(t, ns); len(c) != 0 {
		t.Errorf("containers after down -t 0: %v", c)
	}
}

// logs -c reads an init container's output (kubectl logs -c); an unknown name lists the pod's.
func TestCLILogsInitContainer(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "e2einit")
	e := newCLIEnv(t)
	set := `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "echo main; trap 'exit 0' TERM; sleep 3600 & wait"]
    terminationGracePeriodSeconds: 2
    initContainers:
      - {name: seed, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [sh, -c, "echo seeded"]}
`
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(fmt.Sprintf(set, ns)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })
	e.must("up", "--timeout", "2m", "--progress", "plain")
	if r := e.must("logs", "box-0", "-c", "seed"); r.stdout != "seeded\n" {
		t.Errorf("logs -c seed: %q", r.stdout)
	}
	if r := e.must("logs", "box-0", "-c", "box"); r.stdout != "main\n" {
		t.Errorf("logs -c box (the main container): %q", r.stdout)
	}
	if r := e.run("logs", "box-0", "-c", "nope"); r.code != 1 || !strings.Contains(r.stderr, "init containers: seed") {
		t.Errorf("logs -c nope: exit %d %s", r.code, r.stderr)
	}
}
