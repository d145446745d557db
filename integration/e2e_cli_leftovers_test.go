//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// logs -p shows the output of the pod's last crashed container, kept beside its replacement
// (ps shows one pod), the next crash replaces it, and down removes it.
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
	if r := e.run("logs", "-p", "box-0"); r.code != 1 || !strings.Contains(r.stderr, `previous terminated container in pod "box-0" not found`) {
		t.Errorf("logs -p before any crash: exit %d\n%s", r.code, r.stderr)
	}
	first := strings.TrimSpace(e.must("logs", "box-0").stdout)
	if !strings.HasPrefix(first, "run-") {
		t.Fatalf("logs box-0: %q", first)
	}

	crash := func(was string) string {
		t.Helper()
		e.run("exec", "box-0", "--", "kill", "1") // the trap exits 0: a main container that ends is a crash
		var now string
		for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
			pods := e.ps(ns)
			if len(pods) == 1 && pods[0].Ready && pods[0].Restarts > 0 {
				if now = strings.TrimSpace(e.run("logs", "box-0").stdout); now != "" && now != was {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("box-0 not replaced after its crash; ps %+v", pods)
			}
		}
		return now
	}
	second := crash(first)
	prev := func() string {
		t.Helper()
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
			if r := e.run("logs", "--previous", "box-0"); r.code == 0 {
				return strings.TrimSpace(r.stdout)
			}
			if time.Now().After(deadline) {
				t.Fatal("no previous container after a crash")
			}
		}
	}
	if got := prev(); got != first {
		t.Errorf("logs -p after the first crash: %q, want the crashed container's %q (current %q)", got, first, second)
	}
	if r := e.must("ps", "-q"); r.stdout != "box-0\n" {
		t.Errorf("ps lists the previous container: %q", r.stdout)
	}
	if c := engineContainers(t, ns); len(c) != 2 || len(withoutPrevious(c)) != 1 {
		t.Errorf("containers after one crash: %v, want the pod and its previous one", c)
	}

	third := crash(second)
	for deadline := time.Now().Add(time.Minute); prev() != second; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("logs -p after the second crash: %q, want %q (current %q)", prev(), second, third)
		}
	}
	for deadline := time.Now().Add(time.Minute); len(engineContainers(t, ns)) != 2; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("containers after two crashes: %v, want the pod and one previous", engineContainers(t, ns))
		}
	}
	e.must("down", "--timeout", "1m")
	if c := engineContainers(t, ns); len(c) != 0 {
		t.Errorf("down left %v", c)
	}
}
