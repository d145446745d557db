//go:build integration

package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordset/ordset/integration/testenv"
)

// TestImportServicePortNames runs a chart-shaped manifest with the built binary on the real
// engine: the headless Service names its port tcp-kv (targetPort kv), so SRV answers
// _tcp-kv._tcp.<svc> with the container port, as Kubernetes does, and not the container's
// name; `get svc -o json` lists that Service and a ClusterIP one with both pods as endpoints.
func TestImportServicePortNames(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ns := testenv.UniqueNamespace(t, "e2esvc")
	e := newCLIEnv(t)
	manifest := fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: kv-headless, namespace: %[1]s}
spec:
  clusterIP: None
  selector: {app: kv}
  ports: [{name: tcp-kv, port: 6379, targetPort: kv}]
---
apiVersion: v1
kind: Service
metadata: {name: kv, namespace: %[1]s}
spec:
  selector: {app: kv}
  ports: [{name: client, port: 80, targetPort: kv}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: kv, namespace: %[1]s}
spec:
  serviceName: kv-headless
  replicas: 2
  selector: {matchLabels: {app: kv}}
  template:
    metadata: {labels: {app: kv}}
    spec:
      containers:
        - name: kv
          image: %[2]s
          ports: [{name: kv, containerPort: 8080}]
`, ns, testenv.Image("testapp"))
	file := filepath.Join(e.workDir, "kv.yaml")
	if err := os.WriteFile(file, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "-f", file, "--volumes", "--timeout", "1m") })
	if r := e.must("validate", "-f", file); strings.Contains(r.stderr, "kv-headless") {
		t.Errorf("validate warns about the headless Service's port names: %s", r.stderr)
	}
	e.must("up", "-f", file, "--timeout", "2m", "--progress", "plain")
	e.waitReady(ns, 2)

	var ans struct {
		Rcode   string `json:"rcode"`
		Records []struct {
			Type, Data string
		} `json:"records"`
	}
	r := e.must("dns", "resolve", "_tcp-kv._tcp.kv-headless."+ns+".svc.cluster.local", "SRV", "-o", "json")
	var srv []string
	if json.Unmarshal([]byte(r.stdout), &ans) == nil {
		for _, rec := range ans.Records {
			if rec.Type == "SRV" {
				srv = append(srv, rec.Data[strings.Index(rec.Data, " 8080 ")+1:])
			}
		}
	}
	slices.Sort(srv)
	if want := []string{"8080 kv-0.kv-headless." + ns + ".svc.cluster.local.", "8080 kv-1.kv-headless." + ns + ".svc.cluster.local."}; ans.Rcode != "NOERROR" || !slices.Equal(srv, want) {
		t.Errorf("SRV _tcp-kv._tcp.kv-headless = %q, want %q\n%s", srv, want, r.stdout)
	}
	if r := e.run("dns", "resolve", "_kv._tcp.kv-headless."+ns+".svc.cluster.local", "SRV"); r.code == 0 {
		t.Errorf("SRV by the container port's name answers, as no cluster does: %s", r.stdout)
	}

	var svcs []struct {
		Name, Type string
		Endpoints  []struct{ Pod, IP string }
	}
	r = e.must("get", "svc", "-n", ns, "-o", "json")
	if err := json.Unmarshal([]byte(r.stdout), &svcs); err != nil || len(svcs) != 2 {
		t.Fatalf("get svc -o json: %v\n%s", err, r.stdout)
	}
	for i, want := range [][2]string{{"kv", "ClusterIP"}, {"kv-headless", "Headless"}} {
		if s := svcs[i]; s.Name != want[0] || s.Type != want[1] || len(s.Endpoints) != 2 || s.Endpoints[0].IP == "" {
			t.Errorf("service %d = %+v, want %s %s with two endpoints", i, s, want[0], want[1])
		}
	}
	if r := e.must("get", "svc", "-n", ns); !strings.Contains(r.stdout, "tcp-kv:6379/TCP->kv") {
		t.Errorf("get svc:\n%s", r.stdout)
	}
}
