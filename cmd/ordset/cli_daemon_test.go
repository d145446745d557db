package main

import (
	"context"
	"encoding/json"
	"github.com/ordset/ordset/orchestrator/server/statedir"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/daemon"
)

// startFakeDaemon runs an in-process daemon over the fake runtime in a fresh state dir and
// points the CLI at it (ORDSET_STATE_DIR), so commands run end to end without Docker.
func startFakeDaemon(t *testing.T) *fakeruntime.Runtime {
	t.Helper()
	rt, _ := startFakeDaemonStoppable(t)
	return rt
}

// startFakeDaemonStoppable is startFakeDaemon plus a stop function (idempotent).
func startFakeDaemonStoppable(t testing.TB) (*fakeruntime.Runtime, func()) {
	t.Helper()
	return startFakeDaemonVersion(t, version)
}

// shortStateDir makes a state directory for one test and points ORDSET_STATE_DIR at it. Its
// path is short: the daemon's unix socket lives in it, and socket paths have a length limit.
func shortStateDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ordset-cli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("ORDSET_STATE_DIR", dir)
	return dir
}

// startFakeDaemonVersion starts the fake daemon reporting daemonVersion.
func startFakeDaemonVersion(t testing.TB, daemonVersion string) (*fakeruntime.Runtime, func()) {
	t.Helper()
	dir := shortStateDir(t)
	rt := fakeruntime.New(nil)
	d, err := daemon.New(daemon.Options{Paths: statedir.PathsIn(dir), Runtime: rt, Logger: slog.New(slog.DiscardHandler),
		Version: daemonVersion, DNSAddr: "127.0.0.1:0", GatewayDNSPort: 1, Resync: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	c := api.NewClient(statedir.PathsIn(dir).Socket)
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()) != nil {
		if time.Now().After(deadline) {
			t.Fatal("daemon did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("daemon: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return rt, stop
}

const cliFile = `namespace: clitest
statefulsets:
  web:
    image: ordset-test/testapp:latest
    replicas: 3
    ports: [{name: http, containerPort: 8080}]
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
`

func TestCLIAgainstFakeDaemon(t *testing.T) {
	rt := startFakeDaemon(t)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)

	code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "20s")
	if code != 0 || !strings.Contains(stderr, "statefulset clitest/web created") || !strings.Contains(stderr, "✔ Pod clitest/web-2") {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runIn(t, dir, nil, "up", "--progress", "plain")
	if code != 0 || !strings.Contains(stderr, "statefulset clitest/web unchanged") || strings.Contains(stderr, "warning") {
		t.Errorf("second up: exit %d\n%s", code, stderr)
	}

	// The namespace comes from ./ordset.yaml; flags may follow positionals.
	code, stdout, stderr := runIn(t, dir, nil, "ps", "-o", "json")
	var pods []map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &pods) != nil || len(pods) != 3 {
		t.Fatalf("ps -o json: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, key := range []string{"name", "namespace", "statefulset", "ordinal", "container", "ip", "ready", "status", "restarts", "revision", "volumes", "ports"} {
		if _, ok := pods[0][key]; !ok {
			t.Errorf("ps -o json lacks %q: %v", key, pods[0])
		}
	}
	if pods[2]["name"] != "web-2" || pods[2]["ready"] != true || pods[2]["container"] != "clitest-web-2" {
		t.Errorf("pod 2: %v", pods[2])
	}

	// -f names the namespace too, from anywhere.
	elsewhere := t.TempDir()
	code, stdout, stderr = runIn(t, elsewhere, nil, "get", "sts", "-f", filepath.Join(dir, "ordset.yaml"))
	if code != 0 || !strings.Contains(stdout, "web") {
		t.Errorf("get sts -f FILE from another directory: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr = runIn(t, elsewhere, nil, "ps", "-f", "missing.yaml"); code != 1 || !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("ps -f missing.yaml: exit %d\n%s", code, stderr)
	}
	code, _, stderr = runIn(t, dir, nil, "scale", "web", "5", "--progress", "plain")
	if code != 0 || !strings.Contains(stderr, "✔ Pod clitest/web-4") {
		t.Errorf("scale 5: exit %d\n%s", code, stderr)
	}
	code, stdout, _ = runIn(t, dir, nil, "get", "statefulsets")
	if code != 0 || !strings.Contains(stdout, "NAME") || !strings.Contains(stdout, "5/5") {
		t.Errorf("get statefulsets: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runIn(t, dir, nil, "ps", "-A")
	if code != 0 || !strings.HasPrefix(stdout, "NAMESPACE") || strings.Count(stdout, "\nclitest ") != 5 {
		t.Errorf("ps -A: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runIn(t, dir, nil, "describe", "web-1")
	if code != 0 || !strings.Contains(stdout, "Pod:") || !strings.Contains(stdout, "clitest_data-web-1") || !strings.Contains(stdout, "Events:") {
		t.Errorf("describe web-1: exit %d\n%s", code, stdout)
	}

	if code, stdout, stderr = runIn(t, dir, nil, "events", "-n", "quiet"); code != 0 || stdout != "" || stderr != "No events in namespace quiet.\n" {
		t.Errorf("events of an empty namespace: exit %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = runIn(t, dir, nil, "version", "-o", "json")
	var ver struct{ Client, Daemon *api.VersionInfo }
	if code != 0 || json.Unmarshal([]byte(stdout), &ver) != nil || ver.Client == nil || ver.Daemon == nil || ver.Daemon.Version != version {
		t.Errorf("version -o json: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = runIn(t, dir, nil, "events", "-o", "json")
	var events []map[string]any
	if code != 0 || json.Unmarshal([]byte(stdout), &events) != nil || len(events) == 0 || events[0]["reason"] == nil {
		t.Errorf("events -o json is not an array of events: exit %d\n%s", code, stdout)
	}

	// Errors: unknown set is a failure (1), a malformed count a usage error (2).
	if code, _, stderr = runIn(t, dir, nil, "scale", "nope", "1"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("scale unknown set: exit %d\n%s", code, stderr)
	}
	for _, args := range [][]string{{"logs", "nope"}, {"exec", "nope", "--", "true"}} {
		if code, _, stderr = runIn(t, dir, nil, args...); code != 1 || !strings.Contains(stderr, `no pod "nope" in namespace clitest ("ordset ps -n clitest" lists them)`) {
			t.Errorf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	if code, _, stderr = runIn(t, dir, nil, "describe", "nope"); code != 1 || strings.Contains(stderr, ": not found") || !strings.Contains(stderr, `"ordset get sts -n clitest"`) {
		t.Errorf("describe nope: exit %d\n%s", code, stderr)
	}
	if code, _, stderr = runIn(t, dir, nil, "rollout", "status", "web-1", "--timeout", "20s"); code != 1 || !strings.Contains(stderr, `web-1 is a pod of statefulset web: run "ordset rollout status web"`) {
		t.Errorf("rollout status of a pod: exit %d\n%s", code, stderr)
	}
	if code, _, _ = runIn(t, dir, nil, "scale", "web", "many"); code != 2 {
		t.Errorf("scale web many: exit %d, want 2", code)
	}
	if code, _, _ = runIn(t, dir, nil, "ps", "-o", "xml"); code != 2 {
		t.Errorf("ps -o xml: exit %d, want 2", code)
	}
	// The global help offers -o yaml; every command that prints data accepts it.
	for _, args := range [][]string{{"ps"}, {"get", "sts"}, {"describe", "web"}, {"describe", "web-1"}} {
		code, stdout, stderr = runIn(t, dir, nil, append(args, "-o", "yaml")...)
		if code != 0 || !strings.Contains(stdout, "name: web") || strings.ContainsAny(stdout[:1], "{[") {
			t.Errorf("%v -o yaml: exit %d\n%s%s", args, code, stdout, stderr)
		}
	}
	testPsSelection(t, dir)

	code, _, stderr = runIn(t, dir, nil, "down", "--progress", "plain")
	if code != 0 || !strings.Contains(stderr, "statefulset clitest/web deleted") {
		t.Errorf("down: exit %d\n%s", code, stderr)
	}
	if names := rt.ContainerNames(); len(names) != 0 {
		t.Errorf("containers after down: %v", names)
	}
	if vols := rt.VolumeNames(); len(vols) != 5 {
		t.Errorf("volumes after down (kept): %v", vols)
	}
	// As in the walkthrough: down, then down --volumes in the same directory (the file's sets).
	code, _, stderr = runIn(t, dir, nil, "down", "--volumes")
	if code != 0 || strings.Count(stderr, "removed") != 5 || len(rt.VolumeNames()) != 0 {
		t.Errorf("down --volumes: exit %d\n%s\nvolumes %v", code, stderr, rt.VolumeNames())
	}
	// Nothing left: down is idempotent, and says so.
	for _, args := range [][]string{{"down"}, {"down", "-n", "nosuchns", "--volumes"}} {
		code, _, stderr = runIn(t, dir, nil, args...)
		if code != 0 || !strings.Contains(stderr, "nothing to delete: namespace ") {
			t.Errorf("%v with nothing to delete: exit %d\n%s", args, code, stderr)
		}
	}
}

func TestUpTimesOutWithReason(t *testing.T) {
	rt := startFakeDaemon(t)
	rt.Fail("StartContainer", "clitest-web-0", errStartFailed)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)
	code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "3s")
	if code != 1 || !strings.Contains(stderr, "clitest/web") || !strings.Contains(stderr, "no such file") {
		t.Errorf("up with a failing pod: exit %d\n%s", code, stderr)
	}
}

var errStartFailed = startError("exec: \"/nope\": no such file or directory")

type startError string

func (e startError) Error() string { return string(e) }

// A pod whose image cannot be had fails up at once with the engine's reason, instead of
// waiting out --timeout with nothing on the screen.
func TestUpFailsFastOnRepeatedEngineError(t *testing.T) {
	rt := startFakeDaemon(t)
	rt.Fail("EnsureImage", "ordset-test/testapp:latest", startError("image ordset-test/testapp:latest not present and pull failed"))
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)
	start := time.Now()
	code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "1m")
	if code != 1 || !strings.Contains(stderr, "! pod clitest/web-0: ") ||
		!strings.Contains(stderr, "ordset: pod clitest/web-0: ") || !strings.Contains(stderr, "not present and pull failed") {
		t.Errorf("up with a missing image: exit %d\n%s", code, stderr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("up took %s to give up on a missing image", d)
	}
	code, _, stderr = runIn(t, dir, nil, "logs", "web-0")
	if code != 1 || !strings.Contains(stderr, `pod clitest/web-0 is Pending and has no container yet ("ordset describe web-0 -n clitest" says why)`) {
		t.Errorf("logs of a pod without container: exit %d\n%s", code, stderr)
	}
}

// Ctrl-C during a wait says the daemon carries on and exits 130.
func TestUpInterrupted(t *testing.T) {
	rt := startFakeDaemon(t)
	rt.ExecFunc = func(string, []string) (orchestrator.ExecResult, error) {
		return orchestrator.ExecResult{ExitCode: 1}, nil
	}
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile+"    readinessProbe: {exec: {command: [\"false\"]}}\n")
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	var stdout, stderr strings.Builder
	env := &streams{Out: &stdout, Err: &stderr, In: strings.NewReader("")}
	t.Chdir(dir)
	code := runStreams(ctx, []string{"ordset", "up", "--progress", "plain"}, env)
	if code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted: stopped waiting; the daemon carries on") {
		t.Errorf("interrupted up: exit %d\n%s", code, stderr.String())
	}
}

// daemon status without a daemon says so and what to do, and starts nothing.
func TestDaemonStatusNotRunning(t *testing.T) {
	dir, err := os.MkdirTemp("", "ordset-cli")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("ORDSET_STATE_DIR", dir)
	code, stdout, stderr := runIn(t, "", nil, "daemon", "status")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "no daemon running") || !strings.Contains(stderr, `"ordset up" starts one`) {
		t.Errorf("daemon status, none running: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := os.Stat(daemonPathsIn(dir)); err == nil {
		t.Errorf("daemon status started a daemon")
	}
}

func daemonPathsIn(dir string) string { return statedir.PathsIn(dir).Socket }

// events -f says so when the daemon goes away instead of ending as if all was well.
func TestEventsFollowDaemonStops(t *testing.T) {
	_, stop := startFakeDaemonStoppable(t)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)
	if code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	type res struct {
		code   int
		stderr string
	}
	ch := make(chan res, 1)
	out := &syncBuffer{}
	go func() {
		var errb strings.Builder
		env := &streams{Out: out, Err: &errb, In: strings.NewReader("")}
		code := runStreams(context.Background(), []string{"ordset", "events", "-f", "-n", "clitest"}, env)
		ch <- res{code, errb.String()}
	}()
	// The follow is attached once it prints the past events.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(out.String(), "Applied"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("events -f printed nothing: %q", out.String())
		}
	}
	stop()
	select {
	case r := <-ch:
		if r.code != 1 || !strings.Contains(r.stderr, "the event stream ended: the daemon stopped") {
			t.Errorf("events -f after the daemon stopped: exit %d\n%s", r.code, r.stderr)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("events -f did not end when the daemon stopped")
	}
}

// syncBuffer is a strings.Builder safe for a writer and a reader in different goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// up --prune returns once the pruned sets' pods are gone, not while they still run.
func TestUpPruneWaitsForPrunedSets(t *testing.T) {
	rt := startFakeDaemon(t)
	dir := t.TempDir()
	two := cliFile + "  extra:\n    image: ordset-test/testapp:latest\n    replicas: 2\n"
	writeFile(t, dir, "ordset.yaml", two)
	if code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	writeFile(t, dir, "ordset.yaml", cliFile)
	code, _, stderr := runIn(t, dir, nil, "up", "--prune", "--progress", "plain")
	if code != 0 || !strings.Contains(stderr, "statefulset clitest/extra deleted") {
		t.Fatalf("up --prune: exit %d\n%s", code, stderr)
	}
	for _, n := range rt.ContainerNames() {
		if strings.HasPrefix(n, "clitest-extra-") {
			t.Errorf("up --prune returned while %s still exists", n)
		}
	}
}

// A daemon left running from another version is pointed out, with the way to replace it.
func TestDaemonVersionSkewWarns(t *testing.T) {
	startFakeDaemonVersion(t, "0.9-old")
	code, stdout, stderr := runIn(t, t.TempDir(), nil, "ps", "-n", "skew")
	if code != 0 || !strings.Contains(stderr, "warning: the running daemon is ordset 0.9-old, this client is "+version) ||
		strings.Contains(stdout, "warning") {
		t.Errorf("ps against an older daemon: exit %d\nstdout %q\nstderr %q", code, stdout, stderr)
	}
}

// A pod that never gets Ready: up gives up at --timeout with the controller's reason and
// the command that shows more.
func TestUpTimeoutNeverReady(t *testing.T) {
	rt := startFakeDaemon(t)
	rt.ExecFunc = func(string, []string) (orchestrator.ExecResult, error) {
		return orchestrator.ExecResult{ExitCode: 1}, nil
	}
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile+"    readinessProbe: {exec: {command: [\"false\"]}}\n")
	start := time.Now()
	code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "1s")
	want := []string{"ordset: timed out after 1s", "statefulset clitest/web: web-0 not Ready", `"ordset describe web -n clitest"`}
	for _, w := range want {
		if code != 1 || !strings.Contains(stderr, w) {
			t.Errorf("up never ready: exit %d, stderr lacks %q:\n%s", code, w, stderr)
		}
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("up --timeout 1s took %s", d)
	}
}

// When the daemon cannot list Docker's objects (engine stopped, socket gone), up says so
// quickly instead of waiting out --timeout on "not observed yet".
func TestUpFailsFastWhenEngineUnreachable(t *testing.T) {
	rt := startFakeDaemon(t)
	rt.Fail("ListContainers", "", startError("Cannot connect to the Docker daemon at unix:///nonexistent.sock"))
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)
	start := time.Now()
	code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "1m")
	if code != 1 || !strings.Contains(stderr, "ordset: engine: ") || !strings.Contains(stderr, "Cannot connect to the Docker daemon") {
		t.Errorf("up with the engine unreachable: exit %d\n%s", code, stderr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("up took %s to report an unreachable engine", d)
	}
}
