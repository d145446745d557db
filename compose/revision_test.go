package compose

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

const revisionBase = `statefulsets:
  redis:
    image: redis:7.2
    replicas: 3
    env: {A: "1", B: "2"}
    ports: [{name: redis, containerPort: 6379}]
    readinessProbe: {tcpSocket: {port: redis}}
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
`

func revisionOf(t *testing.T, src string) string {
	t.Helper()
	return Revision(mustLoad(t, src).StatefulSets["redis"])
}

func TestRevisionStable(t *testing.T) {
	r := revisionOf(t, revisionBase)
	if !regexp.MustCompile(`^[0-9a-f]{10}$`).MatchString(r) {
		t.Fatalf("revision %q is not 10 hex characters", r)
	}
	for i := 0; i < 20; i++ { // maps (resources, driverOpts) must not make it flap
		if got := revisionOf(t, revisionBase+"    resources: {limits: {cpu: 500m, memory: 1Gi}}\n"); got != revisionOf(t, revisionBase+"    resources: {limits: {memory: 1Gi, cpu: 500m}}\n") {
			t.Fatalf("map order changed the revision: %s", got)
		}
	}
	// Pinned, so an accidental change to the hashed fields (which would roll
	// every user's pods on upgrade) fails loudly. Update deliberately.
	if r != "40b1eafc7e" {
		t.Errorf("revision of the base spec is %s, pinned 40b1eafc7e", r)
	}
}

func TestRevisionChanges(t *testing.T) {
	base := revisionOf(t, revisionBase)
	changes := map[string]string{
		"image":        "    image: redis:7.4\n",
		"env value":    "    env: {A: \"1\", B: \"3\"}\n",
		"env order":    "    env: {B: \"2\", A: \"1\"}\n",
		"command":      "    command: [redis-server]\n",
		"probe period": "    readinessProbe: {tcpSocket: {port: redis}, periodSeconds: 1}\n",
		"mount":        "    volumeMounts: [{name: data, mountPath: /var/data}]\n",
		"grace":        "    terminationGracePeriodSeconds: 5\n",
	}
	for what, line := range changes {
		if got := revisionOf(t, override(revisionBase, line)); got == base {
			t.Errorf("changing %s kept revision %s", what, base)
		}
	}
	same := map[string]string{
		"replicas":               "    replicas: 7\n",
		"partition":              "    updateStrategy: {type: RollingUpdate, partition: 2}\n",
		"update strategy":        "    updateStrategy: {type: OnDelete}\n",
		"retention":              "    persistentVolumeClaimRetentionPolicy: {whenScaled: Delete}\n",
		"pod management":         "    podManagementPolicy: Parallel\n",
		"min ready":              "    minReadySeconds: 10\n",
		"publish not ready":      "    publishNotReadyAddresses: true\n",
		"ordinals":               "    ordinals: {start: 5}\n",
		"named vs numbered port": "    readinessProbe: {tcpSocket: {port: 6379}}\n",
	}
	for what, line := range same {
		if got := revisionOf(t, override(revisionBase, line)); got != base {
			t.Errorf("changing %s changed the revision %s -> %s", what, base, got)
		}
	}
	dep := override(revisionBase, "    dependsOn: [other]\n") + "  other: {image: x}\n"
	if got := revisionOf(t, dep); got != base {
		t.Errorf("dependsOn changed the revision")
	}
}

// override replaces the base's line for the same key, or appends the line.
func override(base, line string) string {
	key := line[:len(line)-len(trimKey(line))]
	out, replaced := "", false
	for _, l := range splitLines(base) {
		if len(l) >= len(key) && l[:len(key)] == key {
			out += line
			replaced = true
			continue
		}
		out += l
	}
	if !replaced {
		out += line
	}
	return out
}

func trimKey(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] == ':' {
			return line[i+1:]
		}
	}
	return line
}

func splitLines(s string) []string {
	var out []string
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		if i < len(s) {
			i++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// TestRevisionFollowsConfig checks that the content of a ConfigMap or Secret a
// set uses is part of its revision (ordset rolls on config change), and that
// objects it does not use are not.
func TestRevisionFollowsConfig(t *testing.T) {
	const src = `configMaps:
  conf: {data: {redis.conf: "%s"}}
  other: {data: {k: "%s"}}
secrets:
  pw: {stringData: {password: "%s"}}
statefulsets:
  redis:
    image: redis:7.2
    volumes: [{name: conf, configMap: {name: conf}}]
    volumeMounts: [{name: conf, mountPath: /etc/redis}]
    env:
      - name: PASSWORD
        valueFrom: {secretKeyRef: {name: pw, key: password}}
`
	rev := func(conf, other, pw string) string { return revisionOf(t, fmt.Sprintf(src, conf, other, pw)) }
	base := rev("a", "x", "p1")
	if rev("b", "x", "p1") == base {
		t.Error("a changed ConfigMap kept the revision")
	}
	if rev("a", "x", "p2") == base {
		t.Error("a changed Secret kept the revision")
	}
	if rev("a", "y", "p1") != base {
		t.Error("a ConfigMap the set does not use changed its revision")
	}
	p := mustLoad(t, fmt.Sprintf(src, "a", "x", "p1"))
	if h := p.StatefulSets["redis"].Template.Metadata.Annotations[ConfigHashAnnotation]; len(h) != 16 || strings.Contains(h, "p1") {
		t.Errorf("config hash annotation %q", h)
	}
}
