//go:build integration

package integration_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/integration/testenv"
)

// TestExampleReplicated runs examples/replicated with the local busybox image: the sync
// sidecar reads its app on 127.0.0.1, replicas follow the primary, and a new ordinal's clone
// init container copies the log of the previous ordinal before its app starts.
func TestExampleReplicated(t *testing.T) {
	c := startCluster(t, "replicated", []string{"busybox"}, map[string]string{"BUSYBOX_IMAGE": testenv.Image("busybox")})
	c.up()
	in := func(pod string, cmd ...string) (string, error) {
		out, err := c.ordset(30*time.Second, append([]string{"exec", pod, "-n", c.ns, "-c", "sync", "--"}, cmd...)...)
		return strings.TrimSpace(out), err
	}
	logOf := func(pod string) func() (string, error) {
		return func() (string, error) { return in(pod, "wget", "-qO-", "http://127.0.0.1:8080/log") }
	}
	for _, entry := range []string{"one", "two", "three"} {
		if out, err := in("log-0", "wget", "-qO-", "--post-data", entry, "http://127.0.0.1:8080/cgi-bin/write"); err != nil || out != "ok" {
			t.Fatalf("append %s on log-0: %q %v", entry, out, err)
		}
	}
	for _, pod := range []string{"log-1", "log-2"} {
		eventually(t, 30*time.Second, "the log on "+pod, equal("one\ntwo\nthree", logOf(pod)))
	}

	c.mustOrdset("scale", "log", "4")
	out, err := c.ordset(30*time.Second, "logs", "log-3", "-n", c.ns, "-c", "clone")
	if err != nil || !strings.Contains(out, "log-3: cloned 3 entries from log-2.log") {
		t.Fatalf("log-3's clone init container: %q %v", out, err)
	}
	eventually(t, 30*time.Second, "the log on log-3", equal("one\ntwo\nthree", logOf("log-3")))
	if out, err := in("log-0", "wget", "-qO-", "--post-data", "four", "http://127.0.0.1:8080/cgi-bin/write"); err != nil || out != "ok" {
		t.Fatalf("append four on log-0: %q %v", out, err)
	}
	eventually(t, 30*time.Second, "log-3 follows the primary", equal("one\ntwo\nthree\nfour", logOf("log-3")))
}
