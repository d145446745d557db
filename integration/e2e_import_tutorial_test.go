//go:build integration

package integration

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordset/ordset/integration/testenv"
)

// tutorialWeb is the StatefulSet basics shape checked in as an import golden case: a headless
// Service "nginx" and a set "web" of two with a claim template "www", no namespace.
const tutorialWeb = "../compose/kube/testdata/import-valid-tutorial-web.yaml"

// TestImportTutorialWeb runs the tutorial's manifest as a new user would, only the image
// replaced: the pods start and become Ready in ordinal order, each pod reaches the other by
// its stable name web-N.nginx from inside, and `down -f` keeps the claims' volumes, which a
// second `up -f` mounts again with their data.
func TestImportTutorialWeb(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ns := testenv.UniqueNamespace(t, "e2etut")
	e := newCLIEnv(t)
	t.Cleanup(func() { e.run("down", "-n", ns, "--volumes", "--timeout", "1m") })
	file, err := filepath.Abs(tutorialWeb) // the CLI runs in the test's work directory
	if err != nil {
		t.Fatal(err)
	}
	args := func(cmd ...string) []string {
		return append(cmd, "-f", file, "-n", ns, "--image", "registry.k8s.io/nginx-slim="+testenv.Image("testapp"))
	}
	e.must(args("validate", "--strict")...)
	e.must(append(args("up"), "--timeout", "2m", "--progress", "plain")...)
	e.waitReady(ns, 2)

	if got, want := tutorialPodEvents(e, ns), []string{"PodCreated web-0", "PodReady web-0", "PodCreated web-1", "PodReady web-1"}; !slices.Equal(got, want) {
		t.Errorf("pod events %v, want %v (OrderedReady: web-1 created only after web-0 is Ready)", got, want)
	}
	// From inside each pod, the other's stable name (short, through the search path, and
	// fully qualified) answers; testapp listens on 8080.
	zone := ns + ".svc.cluster.local"
	for _, c := range []struct{ from, url string }{
		{"web-1", "http://web-0.nginx:8080/healthz"},
		{"web-0", "http://web-1.nginx." + zone + ":8080/healthz"},
		{"web-0", "http://nginx:8080/healthz"},
	} {
		if r := e.run("exec", "-n", ns, c.from, "--", "/testapp", "probe", c.url); r.code != 0 {
			t.Errorf("%s from %s: exit %d %s", c.url, c.from, r.code, r.stderr)
		}
	}

	// A file in web-0's claim survives down -f and up -f.
	e.must("exec", "-n", ns, "web-0", "--", "/testapp", "touch", "/usr/share/nginx/html/kept")
	vols := engineVolumes(t, ns)
	if len(vols) != 2 {
		t.Fatalf("volumes after up: %v, want one per pod (www-web-0, www-web-1)", vols)
	}
	e.must(args("down", "--timeout", "1m")...)
	if left := engineContainers(t, ns); len(left) != 0 {
		t.Errorf("containers after down -f: %v", left)
	}
	if after := engineVolumes(t, ns); !slices.Equal(after, vols) {
		t.Errorf("volumes after down -f: %v, want them kept: %v", after, vols)
	}
	e.must(append(args("up"), "--timeout", "2m", "--progress", "plain")...)
	e.waitReady(ns, 2)
	if r := e.run("exec", "-n", ns, "web-0", "--", "/testapp", "cat", "/usr/share/nginx/html/kept"); r.code != 0 {
		t.Errorf("web-0 lost its claim's file after down -f / up -f: exit %d %s", r.code, r.stderr)
	}
}

// tutorialPodEvents returns "Reason pod" for the namespace's PodCreated and PodReady events,
// oldest first.
func tutorialPodEvents(e *cliEnv, ns string) []string {
	e.t.Helper()
	var evs []struct{ Reason, Object string }
	if err := json.Unmarshal([]byte(e.must("events", "-n", ns, "-o", "json").stdout), &evs); err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		if (ev.Reason == "PodCreated" || ev.Reason == "PodReady") && strings.HasPrefix(ev.Object, "pod/") {
			out = append(out, ev.Reason+" "+strings.TrimPrefix(ev.Object, "pod/"))
		}
	}
	return out
}
