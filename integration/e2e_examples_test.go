//go:build integration

package integration_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/integration/testenv"
)

// The real-cluster examples, end to end: the built ordset binary, a private daemon (its own
// state directory), the offline Debian images, and checks that go through the applications
// themselves (replication, quorum), not through ordset's view of them.

// ordsetBin is the binary under test, built once by TestMain.
var ordsetBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ordset-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ordsetBin = filepath.Join(dir, "ordset")
	_, self, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-tags", "urfave_cli_no_docs", "-o", ordsetBin, "./cmd/ordset") // make build's tags
	build.Dir = filepath.Dir(filepath.Dir(self))
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build ordset: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cluster is one example running under a private daemon in a unique namespace.
type cluster struct {
	t    *testing.T
	ns   string
	file string
	env  []string
}

// startCluster prepares (but does not start) an example: images built, a unique namespace,
// a private state directory and DNS port, and a cleanup that takes everything down again.
func startCluster(t *testing.T, example string, images []string, imageEnv map[string]string) *cluster {
	t.Helper()
	testenv.EnsureImages(t, images...)
	root := testenv.RepoRoot(t)
	c := &cluster{
		t:    t,
		ns:   testenv.UniqueNamespace(t, "ex"+example),
		file: filepath.Join(root, "examples", example, "ordset.yaml"),
	}
	state, err := os.MkdirTemp("", "ordset-e2e-state-")
	if err != nil {
		t.Fatal(err)
	}
	c.env = append(os.Environ(),
		"ORDSET_STATE_DIR="+state,
		"ORDSET_EXTRA_LABELS="+testenv.Label+"=1",
		"ORDSET_DNS_ADDR="+freeUDPAddr(t),
		"NO_COLOR=1",
	)
	for k, v := range imageEnv {
		c.env = append(c.env, k+"="+v)
	}
	// Registered after UniqueNamespace's sweep, so it runs first: ordset removes what it made,
	// the daemon stops, and the sweep catches anything left behind.
	t.Cleanup(func() {
		if _, err := c.ordset(2*time.Minute, "down", "-f", c.file, "-n", c.ns, "--volumes"); err != nil {
			t.Logf("cleanup: %v", err)
		}
		if _, err := c.ordset(time.Minute, "daemon", "stop"); err != nil {
			t.Logf("cleanup: %v", err)
		}
		if t.Failed() {
			if log, err := os.ReadFile(filepath.Join(state, "daemon.log")); err == nil {
				t.Logf("daemon log (tail):\n%s", tail(string(log), 60))
			}
		}
		os.RemoveAll(state)
	})
	return c
}

// ordset runs the binary with the cluster's environment and returns its combined output.
func (c *cluster) ordset(timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, ordsetBin, args...)
	cmd.Env = c.env
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("ordset %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// mustOrdset runs a command that waits for readiness and reports how long it took.
func (c *cluster) mustOrdset(args ...string) time.Duration {
	c.t.Helper()
	start := time.Now()
	if _, err := c.ordset(5*time.Minute, append(args, "-n", c.ns, "--timeout", "4m")...); err != nil {
		c.t.Fatal(err)
	}
	d := time.Since(start)
	c.t.Logf("ordset %s: Ready after %v", strings.Join(args, " "), d.Round(time.Millisecond))
	return d
}

// up runs `ordset up` for the example and returns the wall time until every pod is Ready.
func (c *cluster) up() time.Duration {
	c.t.Helper()
	return c.mustOrdset("up", "-f", c.file)
}

// container is the Docker name of a pod.
func (c *cluster) container(pod string) string { return c.ns + "-" + pod }

// exec runs a command in a pod with docker exec and returns its trimmed stdout.
func (c *cluster) exec(pod string, cmd ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	x := exec.CommandContext(ctx, "docker", append([]string{"exec", c.container(pod)}, cmd...)...)
	x.Stdout, x.Stderr = &stdout, &stderr
	if err := x.Run(); err != nil {
		return "", fmt.Errorf("exec %v in %s: %w: %s", cmd, pod, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

func (c *cluster) mustExec(pod string, cmd ...string) string {
	c.t.Helper()
	out, err := c.exec(pod, cmd...)
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

// inspect returns a docker inspect --format value of a pod's container ("" when it is absent).
func (c *cluster) inspect(pod, format string) string {
	out, err := exec.Command("docker", "inspect", "-f", format, c.container(pod)).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// instance identifies one run of a pod's container: a recreated container has a new ID, a
// restarted one a new start time.
func (c *cluster) instance(pod string) string {
	return c.inspect(pod, "{{.Id}} {{.State.StartedAt}}")
}

// kill loses a pod behind ordset's back and returns the instance that was lost: with remove
// the container is deleted (the pod is gone), otherwise its process is SIGKILLed (a crash).
func (c *cluster) kill(pod string, remove bool) string {
	c.t.Helper()
	inst := c.instance(pod)
	if inst == "" {
		c.t.Fatalf("kill %s: no container %s", pod, c.container(pod))
	}
	args := []string{"kill", c.container(pod)}
	if remove {
		args = []string{"rm", "-f", c.container(pod)}
	}
	if out, err := exec.Command("docker", args...).CombinedOutput(); err != nil {
		c.t.Fatalf("kill %s: %v: %s", pod, err, out)
	}
	return inst
}

// awaitBack waits until a pod runs again as another instance than old and passes ready
// (a command run inside it), and returns how long that took.
func (c *cluster) awaitBack(pod, old string, ready ...string) time.Duration {
	c.t.Helper()
	start := time.Now()
	eventually(c.t, 3*time.Minute, pod+" back and ready", func() error {
		switch inst := c.instance(pod); {
		case inst == "":
			return fmt.Errorf("no container yet")
		case inst == old:
			return fmt.Errorf("still the lost instance")
		case c.inspect(pod, "{{.State.Running}}") != "true":
			return fmt.Errorf("not running")
		}
		_, err := c.exec(pod, ready...)
		return err
	})
	d := time.Since(start)
	c.t.Logf("%s back and ready after %v", pod, d.Round(time.Millisecond))
	return d
}

// volumeAt names the Docker volume mounted at path in a pod.
func (c *cluster) volumeAt(pod, path string) string {
	return c.inspect(pod, `{{range .Mounts}}{{if eq .Destination "`+path+`"}}{{.Name}}{{end}}{{end}}`)
}

// eventually polls f until it returns nil or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	delay := 100 * time.Millisecond
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v: %v", what, timeout, err)
		}
		time.Sleep(delay)
		if delay < time.Second {
			delay *= 2
		}
	}
}

// equal is a poll condition: got() must return want.
func equal(want string, got func() (string, error)) func() error {
	return func() error {
		v, err := got()
		if err != nil {
			return err
		}
		if v != want {
			return fmt.Errorf("got %q, want %q", v, want)
		}
		return nil
	}
}

// freeUDPAddr picks a loopback UDP port for the daemon's host DNS listener, so test daemons
// never fight over the default port.
func freeUDPAddr(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	return pc.LocalAddr().String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestExampleRedis(t *testing.T) {
	c := startCluster(t, "redis", []string{"redis"}, map[string]string{"REDIS_IMAGE": testenv.Image("redis")})
	c.up()
	ready := []string{"sh", "/scripts/ready.sh"}
	dbsize := func(pod string) func() (string, error) {
		return func() (string, error) { return c.exec(pod, "redis-cli", "dbsize") }
	}

	// 1000 keys written on the primary are readable on the last replica.
	c.mustExec("redis-0", "sh", "-c", `i=1; while [ $i -le 1000 ]; do echo "SET key:$i val:$i"; i=$((i+1)); done | redis-cli --pipe`)
	eventually(t, 30*time.Second, "1000 keys on redis-2", equal("1000", dbsize("redis-2")))
	if got := c.mustExec("redis-2", "redis-cli", "get", "key:777"); got != "val:777" {
		t.Fatalf("redis-2 key:777 = %q, want val:777", got)
	}

	// A crashed replica comes back on its own volume and re-syncs, including writes it missed.
	c.mustExec("redis-1", "touch", "/data/ordset-e2e-marker")
	old := c.kill("redis-1", false)
	c.mustExec("redis-0", "redis-cli", "set", "missed", "while-down")
	c.awaitBack("redis-1", old, ready...)
	if v := c.volumeAt("redis-1", "/data"); v != c.ns+"_data-redis-1" {
		t.Fatalf("redis-1 /data is volume %q, want %s", v, c.ns+"_data-redis-1")
	}
	c.mustExec("redis-1", "test", "-e", "/data/ordset-e2e-marker")
	eventually(t, 30*time.Second, "redis-1 re-synced", equal("while-down", func() (string, error) {
		return c.exec("redis-1", "redis-cli", "get", "missed")
	}))
	eventually(t, 30*time.Second, "1001 keys on redis-1", equal("1001", dbsize("redis-1")))

	// Scaling to 5 adds replicas that sync the whole data set.
	c.mustOrdset("scale", "redis", "5")
	for _, pod := range []string{"redis-3", "redis-4"} {
		eventually(t, 30*time.Second, "1001 keys on "+pod, equal("1001", dbsize(pod)))
	}
	eventually(t, 30*time.Second, "5 pods in the primary's view", equal("4", func() (string, error) {
		out, err := c.exec("redis-0", "redis-cli", "info", "replication")
		if err != nil {
			return "", err
		}
		for _, l := range strings.Split(out, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(l), "connected_slaves:"); ok {
				return v, nil
			}
		}
		return "", fmt.Errorf("no connected_slaves in %q", out)
	}))

	// down keeps the volumes; up brings every key back.
	start := time.Now()
	if _, err := c.ordset(3*time.Minute, "down", "-f", c.file, "-n", c.ns); err != nil {
		t.Fatal(err)
	}
	t.Logf("ordset down: %v", time.Since(start).Round(time.Millisecond))
	if id := c.inspect("redis-0", "{{.Id}}"); id != "" {
		t.Fatalf("redis-0 still exists after down")
	}
	c.up()
	eventually(t, 30*time.Second, "keys on redis-0 after down/up", equal("1001", dbsize("redis-0")))
	eventually(t, 30*time.Second, "keys on redis-2 after down/up", equal("val:777", func() (string, error) {
		return c.exec("redis-2", "redis-cli", "get", "key:777")
	}))
}

func TestExampleMariaDB(t *testing.T) {
	c := startCluster(t, "mysql", []string{"mariadb"}, map[string]string{"MYSQL_IMAGE": testenv.Image("mariadb")})
	c.up()
	query := func(pod, sql string) (string, error) { return c.exec(pod, "mariadb", "-N", "-B", "-e", sql) }
	count := func(pod string) func() (string, error) {
		return func() (string, error) { return query(pod, "SELECT COUNT(*) FROM shop.orders") }
	}

	// Each pod has the server-id of its ordinal, and only the primary accepts writes.
	for i, pod := range []string{"mysql-0", "mysql-1", "mysql-2"} {
		want := fmt.Sprintf("%d\t%d", 100+i, min(i, 1))
		if got, err := query(pod, "SELECT @@server_id, @@read_only"); err != nil || got != want {
			t.Fatalf("%s server_id/read_only = %q (%v), want %q", pod, got, err, want)
		}
	}

	// A table made on the primary, rows on every replica.
	c.mustExec("mysql-0", "mariadb", "-e", `CREATE DATABASE shop; USE shop;
		CREATE TABLE orders (id INT PRIMARY KEY AUTO_INCREMENT, item VARCHAR(40));
		INSERT INTO orders (item) SELECT CONCAT('item-', seq) FROM seq_1_to_100;`)
	for _, pod := range []string{"mysql-1", "mysql-2"} {
		eventually(t, 30*time.Second, "100 rows on "+pod, equal("100", count(pod)))
	}

	// A deleted replica is recreated on its volume and resumes where it stopped.
	old := c.kill("mysql-2", true)
	c.mustExec("mysql-0", "mariadb", "-e", "INSERT INTO shop.orders (item) VALUES ('while-down')")
	c.awaitBack("mysql-2", old, "mariadb", "-e", "SELECT 1")
	if v := c.volumeAt("mysql-2", "/var/lib/mysql"); v != c.ns+"_data-mysql-2" {
		t.Fatalf("mysql-2 datadir is volume %q, want %s", v, c.ns+"_data-mysql-2")
	}
	eventually(t, 30*time.Second, "mysql-2 caught up", equal("101", count("mysql-2")))
	eventually(t, 30*time.Second, "mysql-2 replication running", equal("Yes Yes", func() (string, error) {
		out, err := c.exec("mysql-2", "mariadb", "-e", "SHOW SLAVE STATUS\\G")
		if err != nil {
			return "", err
		}
		var io, sql string
		for _, l := range strings.Split(out, "\n") {
			k, v, _ := strings.Cut(strings.TrimSpace(l), ": ")
			switch k {
			case "Slave_IO_Running":
				io = v
			case "Slave_SQL_Running":
				sql = v
			}
		}
		return io + " " + sql, nil
	}))

	// A fourth member joins an existing primary and replays its history.
	c.mustOrdset("scale", "mysql", "4")
	eventually(t, time.Minute, "mysql-3 caught up", equal("101", count("mysql-3")))
	if got, _ := query("mysql-3", "SELECT @@server_id"); got != strconv.Itoa(103) {
		t.Fatalf("mysql-3 server_id = %q, want 103", got)
	}
}

func TestExampleEtcd(t *testing.T) {
	c := startCluster(t, "etcd", []string{"etcd", "busybox"}, map[string]string{
		"ETCD_IMAGE":      testenv.Image("etcd"),
		"ETCD_INIT_IMAGE": testenv.Image("busybox"),
	})
	c.up()
	members := func() (string, error) {
		out, err := c.exec("etcd-0", "etcdctl", "member", "list")
		if err != nil {
			return "", err
		}
		return out, nil
	}
	list, err := members()
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(list, ", started, "); n != 3 {
		t.Fatalf("member list has %d started members, want 3:\n%s", n, list)
	}
	all := "--endpoints=http://etcd-0.etcd:2379,http://etcd-1.etcd:2379,http://etcd-2.etcd:2379"
	// (etcdctl prints the plain health lines on stderr; JSON goes to stdout.)
	if out, err := c.exec("etcd-0", "etcdctl", all, "endpoint", "health", "-w", "json"); err != nil || strings.Count(out, `"health":true`) != 3 {
		t.Fatalf("endpoint health: %v\n%s", err, out)
	}
	c.mustExec("etcd-0", "etcdctl", "put", "/e2e/before", "1")

	// With one member crashed the other two keep quorum and accept writes.
	// A write can fail while a new leader is elected (etcd-1 may have led): clients retry.
	old := c.kill("etcd-1", false)
	eventually(t, 30*time.Second, "write with etcd-1 lost", func() error {
		_, err := c.exec("etcd-2", "etcdctl", "--command-timeout=2s", "put", "/e2e/while-down", "2")
		return err
	})

	// The member comes back with its identity (same member list) and catches up.
	c.awaitBack("etcd-1", old, "etcdctl", "endpoint", "health")
	eventually(t, 30*time.Second, "etcd-1 has the write it missed", equal("2", func() (string, error) {
		return c.exec("etcd-1", "etcdctl", "get", "--print-value-only", "/e2e/while-down")
	}))
	if after, err := members(); err != nil || after != list {
		t.Fatalf("member list changed after etcd-1 rejoined (%v):\nbefore:\n%s\nafter:\n%s", err, list, after)
	}
}
