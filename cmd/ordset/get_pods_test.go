package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/state"
)

// get pods has kubectl's columns, in kubectl's order; -A and -o wide add theirs.
func TestGetPodsTable(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	pods := []api.Pod{
		{Name: "web-0", Namespace: "demo", StatefulSet: "web", Container: "demo-web-0", IP: "10.0.0.2", Ready: true,
			Status: state.PodPhase("Running"), Restarts: 2, Revision: "r1", StartedAt: now.Add(-90 * time.Second)},
		{Name: "web-1", Namespace: "demo", StatefulSet: "web", Status: state.PodPhase("Pending"), CreatedAt: now.Add(-5 * time.Second)},
	}
	for _, tt := range []struct {
		allNS, wide bool
		header      string
		row0, row1  string
	}{
		{false, false, "NAME READY STATUS RESTARTS AGE", "web-0 1/1 Running 2 90s", "web-1 0/1 Pending 0 5s"},
		{true, false, "NAMESPACE NAME READY STATUS RESTARTS AGE", "demo web-0 1/1 Running 2 90s", "demo web-1 0/1 Pending 0 5s"},
		{false, true, "NAME READY STATUS RESTARTS AGE IP STATEFULSET CONTAINER REVISION",
			"web-0 1/1 Running 2 90s 10.0.0.2 web demo-web-0 r1", "web-1 0/1 Pending 0 5s <none> web <none> <none>"},
	} {
		header, rows := getPodsTable(pods, tt.allNS, tt.wide, now)
		got := []string{strings.Join(header, " "), strings.Join(rows[0], " "), strings.Join(rows[1], " ")}
		if want := []string{tt.header, tt.row0, tt.row1}; strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("allNS=%v wide=%v:\n got %q\nwant %q", tt.allNS, tt.wide, got, want)
		}
	}
}

// get pods against a daemon: names, -l, -o json/yaml, and an unknown pod is an error.
func TestGetPodsAgainstFakeDaemon(t *testing.T) {
	startFakeDaemon(t)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)
	if code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "20s"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := runIn(t, dir, nil, "get", "pods")
	if code != 0 || !strings.HasPrefix(stdout, "NAME") || strings.Count(stdout, " 1/1 ") != 3 || !strings.Contains(stdout, "Running") {
		t.Errorf("get pods: exit %d\n%s%s", code, stdout, stderr)
	}
	var pods []api.Pod
	code, stdout, _ = runIn(t, dir, nil, "get", "po", "web-2", "web-0", "-o", "json")
	if code != 0 || json.Unmarshal([]byte(stdout), &pods) != nil || len(pods) != 2 || pods[0].Name != "web-2" || pods[1].Name != "web-0" {
		t.Errorf("get po web-2 web-0 -o json: exit %d\n%s", code, stdout)
	}
	if code, stdout, _ = runIn(t, dir, nil, "get", "pods", "-l", "app=web", "-o", "yaml"); code != 0 || strings.Count(stdout, "statefulset: web") != 3 {
		t.Errorf("get pods -l app=web -o yaml: exit %d\n%s", code, stdout)
	}
	if code, stdout, stderr = runIn(t, dir, nil, "get", "pods", "-l", "statefulset=db"); code != 0 || stdout != "" || !strings.Contains(stderr, "No resources found in clitest.") {
		t.Errorf("get pods of a set without pods: exit %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr = runIn(t, dir, nil, "get", "pods", "web-7"); code != 1 || !strings.Contains(stderr, `pod "web-7" not found in clitest`) {
		t.Errorf("get pods web-7: exit %d\n%s", code, stderr)
	}
}

// podsNamed keeps the named pods of the set in the order asked and says the first name that
// matched none; a watch shows the others instead of every pod.
func TestPodsNamed(t *testing.T) {
	pods := []api.Pod{{Name: "web-0", StatefulSet: "web"}, {Name: "web-1", StatefulSet: "web"}, {Name: "db-0", StatefulSet: "db"}}
	for _, tt := range []struct {
		args         []string
		set          string
		want, absent string
	}{
		{nil, "", "web-0 web-1 db-0", ""},
		{nil, "web", "web-0 web-1", ""},
		{[]string{"web-1", "web-0"}, "", "web-1 web-0", ""},
		{[]string{"web-5", "web-0", "web-7"}, "", "web-0", "web-5"},
		{[]string{"db-0"}, "web", "", "db-0"},
	} {
		got, missing := podsNamed(pods, tt.args, tt.set)
		var names []string
		for _, p := range got {
			names = append(names, p.Name)
		}
		if strings.Join(names, " ") != tt.want || missing != tt.absent {
			t.Errorf("podsNamed(%v, %q) = %v, %q; want %s, %q", tt.args, tt.set, names, missing, tt.want, tt.absent)
		}
	}
}
