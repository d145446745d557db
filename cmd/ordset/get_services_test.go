package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/server/api"
)

const svcFile = `namespace: clitest
statefulsets:
  kv:
    image: ordset-test/testapp:latest
    replicas: 2
    labels: {app: kv}
    ports: [{name: kv, containerPort: 6379}]
    servicePorts: [{name: tcp-kv, port: 6379, targetPort: kv}]
services:
  cache:
    selector: {app: kv}
    ports: [{name: redis, port: 80, targetPort: kv}]
`

// get services lists the set's own Service and the selecting one, with the pods' addresses
// and target ports, from the daemon; -o json has them all; describe service shows the SRV names.
func TestGetServicesAgainstFakeDaemon(t *testing.T) {
	startFakeDaemon(t)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", svcFile)
	if code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "20s"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := runIn(t, dir, nil, "get", "svc")
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "NAME TYPE SELECTOR PORTS ENDPOINTS AGE" ||
		!strings.HasPrefix(lines[1], "cache ") || !strings.Contains(lines[1], "ClusterIP") || !strings.Contains(lines[1], "redis:80/TCP->kv") ||
		!strings.HasPrefix(lines[2], "kv ") || !strings.Contains(lines[2], "Headless") || !strings.Contains(lines[2], "tcp-kv:6379/TCP->kv") {
		t.Fatalf("get svc: exit %d\n%s%s", code, stdout, stderr)
	}
	endpoint := regexp.MustCompile(`\b10\.\d+\.\d+\.\d+:6379\b`)
	if len(endpoint.FindAllString(lines[1], -1)) != 2 || len(endpoint.FindAllString(lines[2], -1)) != 2 {
		t.Errorf("endpoints are the two pods' IP:6379:\n%s", stdout)
	}
	var svcs []api.Service
	if code, stdout, _ = runIn(t, dir, nil, "get", "services", "kv", "-o", "json"); code != 0 || json.Unmarshal([]byte(stdout), &svcs) != nil ||
		len(svcs) != 1 || svcs[0].StatefulSet != "kv" || len(svcs[0].Endpoints) != 2 || svcs[0].Endpoints[0].Ports["tcp-kv"] != 6379 {
		t.Errorf("get services kv -o json: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ = runIn(t, dir, nil, "describe", "service", "kv"); code != 0 || !strings.Contains(stdout, "SRV _tcp-kv._tcp.kv.clitest.svc.cluster.local") ||
		!strings.Contains(stdout, "kv-1 ") {
		t.Errorf("describe service kv: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ = runIn(t, dir, nil, "describe", "svc/cache", "-o", "yaml"); code != 0 || !strings.Contains(stdout, "type: ClusterIP") {
		t.Errorf("describe svc/cache -o yaml: exit %d\n%s", code, stdout)
	}
	if code, _, stderr = runIn(t, dir, nil, "get", "svc", "nope"); code != 1 || !strings.Contains(stderr, `service "nope" not found in clitest`) {
		t.Errorf("get svc nope: exit %d %s", code, stderr)
	}
	if code, _, stderr = runIn(t, dir, nil, "get", "svc", "-n", "Bad_NS"); code == 0 || !strings.Contains(stderr, "Bad_NS") {
		t.Errorf("get svc -n Bad_NS: exit %d %s", code, stderr)
	}
}

// The ENDPOINTS cell is IP:target of the first port, three at most; PORTS shows the target
// where it differs from the port.
func TestServiceTableCells(t *testing.T) {
	sv := api.Service{Name: "web", Type: "Headless", Selector: map[string]string{"tier": "a", "app": "web"},
		Ports: []compose.ServicePort{{Name: "http", Port: 80, Protocol: "TCP", TargetPort: compose.PortRef{Number: 8080}}, {Port: 9000, Protocol: "UDP", TargetPort: compose.PortRef{Number: 9000}}}}
	for i, ip := range []string{"10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5"} {
		sv.Endpoints = append(sv.Endpoints, api.ServiceEndpoint{Pod: "web-" + string(rune('0'+i)), IP: ip, Ports: map[string]int{"http": 8080}})
	}
	_, rows := serviceTable([]api.Service{sv}, false, time.Now())
	want := []string{"web", "Headless", "app=web,tier=a", "http:80/TCP->8080,9000/UDP", "10.0.0.2:8080,10.0.0.3:8080,10.0.0.4:8080 + 1 more...", "<unknown>"}
	if strings.Join(rows[0], "|") != strings.Join(want, "|") {
		t.Errorf("row\n got %q\nwant %q", rows[0], want)
	}
}
