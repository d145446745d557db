//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordset/ordset/integration/testenv"
)

const configPod = `namespace: %s
configMaps:
  app:
    data:
      greeting.sh: "echo %s"
secrets:
  pw:
    stringData: {password: %s}
statefulsets:
  web:
    replicas: 2
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sh, -c, "exec sleep 3600"]
    terminationGracePeriodSeconds: 1
    env:
      - {name: PASSWORD, valueFrom: {secretKeyRef: {name: pw, key: password}}}
    volumeMounts: [{name: scripts, mountPath: /scripts}, {name: scripts, mountPath: /usr/local/bin/greet, subPath: greeting.sh}]
    volumes: [{name: scripts, configMap: {name: app, defaultMode: 0755}}]
`

// TestConfigMapAndSecret checks a configMap volume file's mode and content, that a change to
// the ConfigMap rolls the set from the highest ordinal down, and that a secretKeyRef value
// reaches the process but no output of config, describe, events or the daemon log.
func TestConfigMapAndSecret(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ns := testenv.UniqueNamespace(t, "e2ecfg")
	e := newCLIEnv(t)
	secret := "s3cr3t-" + ns // unique, so a match anywhere is this test's value
	write := func(greeting string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(fmt.Sprintf(configPod, ns, greeting, secret)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })
	write("hello")
	e.must("up", "--timeout", "2m", "--progress", "plain")

	check := func(pod, want string) {
		t.Helper()
		r := e.run("exec", pod, "-n", ns, "--", "sh", "-c", `stat -c %a /scripts/greeting.sh; /scripts/greeting.sh; echo "$PASSWORD"; /usr/local/bin/greet`)
		if r.code != 0 || r.stdout != "755\n"+want+"\n"+secret+"\n"+want+"\n" { // greet: the file bound by subPath
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want mode 755, %q and the secret", pod, r.code, r.stdout, r.stderr, want)
		}
	}
	check("web-0", "hello")
	check("web-1", "hello")

	// A ConfigMap change rolls the set, highest ordinal first, and the new pods read the new file.
	write("goodbye")
	e.must("up", "--timeout", "2m", "--progress", "plain")
	check("web-0", "goodbye")
	check("web-1", "goodbye")
	var events []struct{ Reason, Object string }
	if err := json.Unmarshal([]byte(e.must("events", "-n", ns, "-o", "json").stdout), &events); err != nil {
		t.Fatal(err)
	}
	var created []string
	for _, ev := range events {
		if ev.Reason == "PodCreated" {
			created = append(created, ev.Object)
		}
	}
	if want := []string{"pod/web-0", "pod/web-1", "pod/web-1", "pod/web-0"}; strings.Join(created, ",") != strings.Join(want, ",") {
		t.Errorf("PodCreated order %v, want %v (created in order, rolled from the highest ordinal)", created, want)
	}

	// The secret is in no output a user or a log collector sees.
	outputs := map[string]string{
		"config":      e.must("config").stdout,
		"config json": e.must("config", "-o", "json").stdout,
		"describe":    e.must("describe", "web", "-n", ns).stdout,
		"events":      e.must("events", "-n", ns).stdout,
		"get json":    e.must("get", "-n", ns, "-o", "json").stdout,
	}
	if log, err := os.ReadFile(filepath.Join(e.stateDir, "daemon.log")); err == nil {
		outputs["daemon log"] = string(log)
	} else {
		t.Errorf("daemon log: %v", err)
	}
	for what, out := range outputs {
		if strings.Contains(out, secret) {
			t.Errorf("%s shows the secret:\n%s", what, out)
		}
	}
	if !strings.Contains(outputs["config"], "(redacted)") {
		t.Errorf("config does not show the redacted secret key:\n%s", outputs["config"])
	}
}
