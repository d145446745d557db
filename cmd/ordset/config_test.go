package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestConfigYAML(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", "namespace: demo\nstatefulsets:\n  redis:\n    image: ${REDIS_IMAGE:-redis:7.2}\n    ports: [{name: redis, containerPort: 6379}]\n    readinessProbe: {tcpSocket: {port: redis}}\n")
	code, stdout, stderr := runIn(t, dir, []string{"REDIS_IMAGE=redis:7.4"}, "config")
	want := `namespace: demo
statefulsets:
  redis:
    replicas: 1
    serviceName: redis
    podManagementPolicy: OrderedReady
    updateStrategy:
      type: RollingUpdate
      rollingUpdate:
        partition: 0
    minReadySeconds: 0
    ordinals:
      start: 0
    persistentVolumeClaimRetentionPolicy:
      whenScaled: Retain
      whenDeleted: Retain
    image: redis:7.4
    imagePullPolicy: IfNotPresent
    ports:
      - name: redis
        containerPort: 6379
        protocol: TCP
    readinessProbe:
      tcpSocket:
        port: 6379
      timeoutSeconds: 1
      periodSeconds: 10
      successThreshold: 1
      failureThreshold: 3
    terminationGracePeriodSeconds: 30
`
	if code != 0 || stdout != want || stderr != "" {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, stderr, stdout, want)
	}
}

func TestConfigJSON(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", "statefulsets:\n  db: {image: postgres:16, replicas: 2}\n")
	code, stdout, stderr := runIn(t, dir, nil, "config", "-o", "json", "-n", "ci")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var got struct {
		Namespace    string
		StatefulSets map[string]struct {
			Replicas    int
			ServiceName string
		}
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout)
	}
	if got.Namespace != "ci" || got.StatefulSets["db"].Replicas != 2 || got.StatefulSets["db"].ServiceName != "db" {
		t.Errorf("got %+v", got)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", "statefulsets:\n  db:\n    image: x\n    imagePullPolicy: Sometimes\n")
	code, _, stderr := runIn(t, dir, nil, "config", "-o", "table")
	if code != 2 || !strings.Contains(stderr, "config does not support -o table (use yaml or json)") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	code, stdout, stderr := runIn(t, dir, nil, "config")
	want := "ordset.yaml:4:22: statefulsets.db.imagePullPolicy: must be one of Always, IfNotPresent, Never, got \"Sometimes\"\n"
	if code != 1 || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want %q", code, stdout, stderr, want)
	}
}
