//go:build integration

package integration

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/network"
	mobycontainer "github.com/moby/moby/api/types/container"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/ordset/ordset/integration/testenv"
)

// dnsFile runs a web set (ready while /tmp/not-ready is absent) and a busybox client pod.
const dnsFile = `namespace: %s
statefulsets:
  web:
    replicas: 2
    image: %s
    imagePullPolicy: Never
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {httpGet: {path: /ready, port: http}, periodSeconds: 1, failureThreshold: 1}
  client:
    replicas: 1
    image: %s
    imagePullPolicy: Never
    command: [sleep, "3600"]
    terminationGracePeriodSeconds: 1   # sleep as PID 1 ignores SIGTERM
`

// TestDNSFromPodsAndHost proves the stable names where users meet them: inside a pod (Docker's
// resolver forwarding to ordset's gateway listener, with the pod's search path), from any
// container on the namespace network pointed at the gateway, and from the host listener; and
// that readiness gates the service record.
func TestDNSFromPodsAndHost(t *testing.T) {
	testenv.EnsureImages(t, "testapp", "busybox")
	ns := testenv.UniqueNamespace(t, "e2edns")
	e := newCLIEnv(t)
	file := filepath.Join(e.workDir, "ordset.yaml")
	doc := fmt.Sprintf(dnsFile, ns, testenv.Image("testapp"), testenv.Image("busybox"))
	if err := os.WriteFile(file, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })
	e.must("up", "--timeout", "2m", "--progress", "plain")

	ips := map[string]string{}
	for _, p := range e.ps(ns) {
		ips[p.Name] = p.IP
	}
	if ips["web-0"] == "" || ips["web-1"] == "" {
		t.Fatalf("pods without IPs: %v", ips)
	}
	zone := ns + ".svc.cluster.local"

	// Inside a pod: FQDN, the short forms the search path completes, and the service name.
	for name, want := range map[string][]string{
		"web-1.web." + zone: {ips["web-1"]},
		"web-0.web":         {ips["web-0"]},
		"web":               {ips["web-0"], ips["web-1"]},
	} {
		// busybox nslookup queries every search domain and exits 1 when any of them is
		// NXDOMAIN, even when one answered: judge by the answer, not the exit code.
		out := e.run("exec", "-n", ns, "client-0", "--", "nslookup", name).stdout
		for _, ip := range want {
			if !strings.Contains(out, ip) {
				t.Errorf("nslookup %s in client-0: want %s in\n%s", name, ip, out)
			}
		}
	}

	// Any container on the namespace network that uses the gateway as its DNS server.
	gw := gatewayOf(t, ns)
	out := runDNSClient(t, ns, gw, "web-0.web."+zone)
	if !strings.Contains(out, ips["web-0"]) {
		t.Errorf("client container via %s: want %s in\n%s", gw, ips["web-0"], out)
	}

	// The host listener: SRV per Ready pod and named port.
	srv := e.must("dns", "resolve", "_http._tcp.web."+zone, "SRV").stdout
	for _, pod := range []string{"web-0", "web-1"} {
		if !strings.Contains(srv, pod+".web."+zone) {
			t.Errorf("SRV lacks %s:\n%s", pod, srv)
		}
	}

	// Readiness gates the service record: web-1 goes not-Ready, leaves, comes back.
	serviceIPs := func() []string {
		var got []string
		for _, ip := range []string{ips["web-0"], ips["web-1"]} {
			if strings.Contains(e.must("dns", "resolve", "web."+zone).stdout, ip) {
				got = append(got, ip)
			}
		}
		return got
	}
	waitDNS := func(what string, want []string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !slices.Equal(serviceIPs(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: service answers %v, want %v", what, serviceIPs(), want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	e.must("exec", "-n", ns, "web-1", "--", "/testapp", "touch", "/tmp/not-ready")
	waitDNS("web-1 not Ready", []string{ips["web-0"]})
	e.must("exec", "-n", ns, "web-1", "--", "/testapp", "rm", "/tmp/not-ready")
	waitDNS("web-1 Ready again", []string{ips["web-0"], ips["web-1"]})
}

// gatewayOf returns the IPv4 gateway of the namespace's ordset network.
func gatewayOf(t *testing.T, ns string) string {
	t.Helper()
	n, err := testenv.Docker(t).NetworkInspect(context.Background(), "ordset-"+ns, network.InspectOptions{})
	if err != nil {
		t.Fatalf("inspect network of %s: %v", ns, err)
	}
	for _, c := range n.IPAM.Config {
		if c.Gateway != "" && !strings.Contains(c.Gateway, ":") {
			return c.Gateway
		}
	}
	t.Fatalf("network ordset-%s has no IPv4 gateway: %+v", ns, n.IPAM.Config)
	return ""
}

// runDNSClient runs a one-shot busybox nslookup on the namespace network with the gateway as
// its resolver (testcontainers-go creates, waits for exit and removes it) and returns its output.
func runDNSClient(t *testing.T, ns, gateway, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:    testenv.Image("busybox"),
			Cmd:      []string{"nslookup", name, gateway},
			Networks: []string{"ordset-" + ns},
			Labels:   testenv.Labels(),
			HostConfigModifier: func(hc *mobycontainer.HostConfig) {
				hc.DNS = []netip.Addr{netip.MustParseAddr(gateway)}
			},
			WaitingFor: wait.ForExit().WithExitTimeout(30 * time.Second),
		},
		Started: true,
	})
	if c != nil {
		t.Cleanup(func() { _ = c.Terminate(context.Background()) })
	}
	if err != nil {
		t.Fatalf("run DNS client container: %v", err)
	}
	logs, err := c.Logs(ctx)
	if err != nil {
		t.Fatalf("DNS client logs: %v", err)
	}
	defer logs.Close()
	out, _ := io.ReadAll(logs)
	return string(out)
}
