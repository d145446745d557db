//go:build integration

package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator/server/api"
)

// rolloutFile is set "app" of the test app; extra holds more fields, indented by four spaces.
const rolloutFile = `namespace: %s
statefulsets:
  app:
    replicas: %d
    image: ordset-test/testapp:latest
    imagePullPolicy: Never
    terminationGracePeriodSeconds: 2
    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1}
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
%s`

// rolloutEnv is one CLI user working on set "app" of one namespace.
type rolloutEnv struct {
	*cliEnv
	ns string
}

func newRolloutEnv(t *testing.T, prefix string) *rolloutEnv {
	testenv.EnsureImages(t, "testapp")
	e := &rolloutEnv{newCLIEnv(t), testenv.UniqueNamespace(t, prefix)}
	t.Cleanup(func() { e.run("down", "-n", e.ns, "--volumes", "--timeout", "1m") })
	return e
}

// write makes ordset.yaml hold set "app" with replicas and the extra fields.
func (e *rolloutEnv) write(replicas int, extra string) {
	e.t.Helper()
	doc := fmt.Sprintf(rolloutFile, e.ns, replicas, extra)
	if err := os.WriteFile(filepath.Join(e.workDir, "ordset.yaml"), []byte(doc), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// up applies ordset.yaml and waits as up does; it returns stderr (what changed, progress).
func (e *rolloutEnv) up(replicas int, extra string) string {
	e.t.Helper()
	e.write(replicas, extra)
	return e.must("up", "--timeout", "3m").stderr
}

func (e *rolloutEnv) sts() api.StatefulSet {
	e.t.Helper()
	r := e.must("get", "sts", "app", "-n", e.ns, "-o", "json")
	var sets []api.StatefulSet
	if err := json.Unmarshal([]byte(r.stdout), &sets); err != nil || len(sets) != 1 {
		e.t.Fatalf("get sts -o json: %v\n%s", err, r.stdout)
	}
	return sets[0]
}

// byName returns ps's pods by name.
func (e *rolloutEnv) byName() map[string]api.Pod {
	e.t.Helper()
	r := e.must("ps", "-n", e.ns, "-o", "json")
	var pods []api.Pod
	if err := json.Unmarshal([]byte(r.stdout), &pods); err != nil {
		e.t.Fatalf("ps -o json: %v\n%s", err, r.stdout)
	}
	out := map[string]api.Pod{}
	for _, p := range pods {
		out[p.Name] = p
	}
	return out
}

// envV is the V variable the pod's app runs with.
func envV(t *testing.T, p api.Pod) string {
	t.Helper()
	return strings.TrimSpace(httpDo(t, "GET", "http://"+p.IP+":8080/env/V", ""))
}

// eventually polls cond every 200 ms for up to two minutes.
func (e *rolloutEnv) eventually(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("timed out waiting for %s; pods %+v", what, e.ps(e.ns))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// podEvents returns "Reason pod" for the namespace's pod events, oldest first.
func (e *rolloutEnv) podEvents(reasons ...string) []string {
	e.t.Helper()
	r := e.must("events", "-n", e.ns, "-o", "json")
	var evs []api.Event
	if err := json.Unmarshal([]byte(r.stdout), &evs); err != nil {
		e.t.Fatalf("events -o json: %v\n%s", err, r.stdout)
	}
	var out []string
	for _, ev := range evs {
		if slices.Contains(reasons, ev.Reason) && strings.HasPrefix(ev.Object, "pod/") {
			out = append(out, ev.Reason+" "+strings.TrimPrefix(ev.Object, "pod/"))
		}
	}
	return out
}

func partition(p int, v string) string {
	return fmt.Sprintf("    env: {V: %q}\n    updateStrategy:\n      type: RollingUpdate\n      rollingUpdate: {partition: %d}\n", v, p)
}

// The canary and phased rollout of Kubernetes' e2e tests, through the CLI: partition 3 → 2
// → 1 → 0, each phase only once lowered, up returning 0 on every partitioned phase, a pod
// deleted below the partition restored at the current revision, then undo.
func TestCLIPhasedRollout(t *testing.T) {
	e := newRolloutEnv(t, "e2ephase")
	e.up(3, partition(3, "1"))
	first := e.sts()

	// A template change at partition 3 (= replicas) updates nothing, and up says it is complete.
	if out := e.up(3, partition(3, "2")); !strings.Contains(out, "configured (template ") {
		t.Fatalf("up with a new template said:\n%s", out)
	}
	st := e.sts()
	if st.Status.UpdatedReplicas != 0 || st.Status.CurrentRevision != first.Status.CurrentRevision ||
		st.Status.UpdateRevision == st.Status.CurrentRevision {
		t.Fatalf("partition 3 of 3 moved pods or revisions: %+v", st.Status)
	}

	// Phase by phase: each lowering updates exactly the next pod down.
	for _, phase := range []struct {
		partition int
		updated   []string
	}{{2, []string{"app-2"}}, {1, []string{"app-2", "app-1"}}} {
		out := e.up(3, partition(phase.partition, "2"))
		if want := fmt.Sprintf("partition %d → %d", phase.partition+1, phase.partition); !strings.Contains(out, want) {
			t.Fatalf("up at partition %d did not say %q:\n%s", phase.partition, want, out)
		}
		pods := e.byName()
		for _, n := range []string{"app-0", "app-1", "app-2"} {
			updated := pods[n].Revision == st.Status.UpdateRevision
			if updated != slices.Contains(phase.updated, n) || !pods[n].Ready {
				t.Fatalf("partition %d: %s at revision %s (update %s), ready %v", phase.partition, n, pods[n].Revision,
					st.Status.UpdateRevision, pods[n].Ready)
			}
			if want := map[bool]string{true: "2", false: "1"}[updated]; envV(t, pods[n]) != want {
				t.Fatalf("partition %d: %s runs V=%s, want %s", phase.partition, n, envV(t, pods[n]), want)
			}
		}
		r := e.must("rollout", "status", "app", "-n", e.ns, "--timeout", "1m")
		if !strings.Contains(r.stdout, "partitioned roll out complete") {
			t.Fatalf("rollout status at partition %d: %q", phase.partition, r.stdout)
		}
		if phase.partition == 2 {
			// The canary is in; a pod deleted below the partition comes back at the current revision.
			// Removed on the engine, as a node would lose it (docker rm -f).
			old := pods["app-0"].ContainerID
			if err := testenv.Docker(t).ContainerRemove(context.Background(), old, container.RemoveOptions{Force: true}); err != nil {
				t.Fatalf("docker rm -f app-0: %v", err)
			}
			e.eventually("app-0 back", func() bool {
				p, ok := e.byName()["app-0"]
				return ok && p.Ready && p.IP != "" && p.ContainerID != old
			})
			p := e.byName()["app-0"]
			if envV(t, p) != "1" || p.Revision != first.Status.CurrentRevision {
				t.Fatalf("app-0 came back with V=%s at revision %s; want V=1 at the current revision %s", envV(t, p), p.Revision, first.Status.CurrentRevision)
			}
		}
	}

	// Partition 0 completes the rollout: the current revision advances.
	e.up(3, partition(0, "2"))
	st = e.sts()
	if st.Status.CurrentRevision != st.Status.UpdateRevision || st.Status.CurrentReplicas != 3 || st.Status.UpdatedReplicas != 3 ||
		st.Status.ReadyReplicas != 3 || st.Status.ObservedGeneration < st.Generation {
		t.Fatalf("after partition 0: %+v (generation %d)", st.Status, st.Generation)
	}
	for n, p := range e.byName() {
		if envV(t, p) != "2" {
			t.Errorf("%s runs V=%s after the rollout", n, envV(t, p))
		}
	}
	if r := e.must("rollout", "status", "app", "-n", e.ns); !strings.Contains(r.stdout, "roll out complete: 3 pods") {
		t.Fatalf("rollout status: %q", r.stdout)
	}

	// Undo: back to revision 1's template under number 3; all pods roll back.
	hist := e.must("rollout", "history", "app", "-n", e.ns).stdout
	if !strings.Contains(hist, "REVISION") || strings.Count(hist, "\n") != 4 {
		t.Fatalf("history before undo:\n%s", hist)
	}
	r := e.must("rollout", "undo", "app", "-n", e.ns, "--timeout", "2m")
	if !strings.Contains(r.stderr, "rolled back to the template of revision 1, now revision 3") {
		t.Fatalf("undo said:\n%s", r.stderr)
	}
	for n, p := range e.byName() {
		if envV(t, p) != "1" || p.Revision != first.Status.CurrentRevision {
			t.Errorf("%s after undo: V=%s revision %s, want V=1 at %s", n, envV(t, p), p.Revision, first.Status.CurrentRevision)
		}
	}
	var rows []struct {
		Revision int64  `json:"revision"`
		Hash     string `json:"hash"`
	}
	if err := json.Unmarshal([]byte(e.must("rollout", "history", "app", "-n", e.ns, "-o", "json").stdout), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Revision != 2 || rows[1].Revision != 3 || rows[1].Hash != first.Status.CurrentRevision {
		t.Fatalf("history after undo: %+v", rows)
	}
}
