//go:build integration

package integration

import (
	"testing"
)

// httpHookPod serves a CGI script with busybox httpd: a GET of /cgi-bin/stop writes the
// preStop file into the claim volume; the TERM handler records whether it was there first.
const httpHookPod = `namespace: %s
statefulsets:
  box:
    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command:
      - sh
      - -c
      - |
        mkdir -p /www/cgi-bin
        printf '#!/bin/sh\necho stopping > /data/prestop\nprintf "Content-Type: text/plain\\r\\n\\r\\nok\\n"\n' > /www/cgi-bin/stop
        chmod 755 /www/cgi-bin/stop
        rm -f /data/prestop
        trap 'if [ -f /data/prestop ]; then echo after-prestop; else echo no-prestop; fi > /data/term; exit 0' TERM
        httpd -p 8080 -h /www
        while true; do sleep 0.1; done
    ports: [{name: http, containerPort: 8080}]
    readinessProbe: {tcpSocket: {port: http}, periodSeconds: 1}
    terminationGracePeriodSeconds: 10
    lifecycle:
      preStop: {httpGet: {path: /cgi-bin/stop, port: http}}
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
`

// TestPodHTTPPreStopOnDelete: "ordset delete pod" runs the preStop hook, here an httpGet sent
// by the daemon to the pod's IP, before the stop signal: the TERM handler finds the file the
// hook's request wrote, and the next pod on the same volume reads both.
func TestPodHTTPPreStopOnDelete(t *testing.T) {
	e, ns := podEnv(t, "e2ehttphook", httpHookPod)
	e.must("up", "--timeout", "2m", "--progress", "plain")
	e.must("delete", "pod", "box-0", "-n", ns, "--wait", "--timeout", "1m")
	r := e.run("exec", "box-0", "-n", ns, "--", "cat", "/data/term")
	if r.code != 0 || r.stdout != "after-prestop\n" {
		t.Errorf("after delete pod: exit %d, stdout %q, stderr %q; want the TERM handler to have seen the preStop file", r.code, r.stdout, r.stderr)
	}
}
