//go:build k8s

package k8s

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

const proofNS = "k8s-proof"

// TestStatefulSetOnCluster applies the Redis example's export for real and checks, through
// the API, what ordset promises on Docker: ordered creation gated on readiness, claims
// <claim>-<set>-<ordinal> bound and reused, a partitioned rolling update, scale-down in
// reverse order, and the claim retention policy.
func TestStatefulSetOnCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	manifests := export(t, "../../examples/redis/ordset.yaml", "-n", proofNS)
	if _, err := cp.kubectl(ctx, firstDocument(t, manifests), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.kubectl(ctx, []byte(boundVolumes(4)), "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	w := watchPods(ctx, t, proofNS)
	if _, err := cp.kubectl(ctx, manifests, "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "redis-0..2 Ready", func() bool { return readyCount(w, 3) })

	t.Run("ordered creation", func(t *testing.T) { orderedCreation(t, w) })
	t.Run("claims bound", func(t *testing.T) { claimsBound(ctx, t, 3) })
	t.Run("stable DNS names", func(t *testing.T) { dnsNames(ctx, t, 3) })
	t.Run("partitioned rolling update", func(t *testing.T) { partitionedUpdate(ctx, t, w) })
	t.Run("scale down, retention", func(t *testing.T) { scaleDown(ctx, t, w) })
}

func readyCount(w *podWatch, n int) bool {
	cur := w.current()
	for i := 0; i < n; i++ {
		p, ok := cur[podName("redis", i)]
		if !ok || !podReady(&p) || p.DeletionTimestamp != nil {
			return false
		}
	}
	return true
}

// orderedCreation: redis-N is created only after redis-(N-1) was seen Ready.
func orderedCreation(t *testing.T, w *podWatch) {
	for i := 1; i < 3; i++ {
		prev, cur := podName("redis", i-1), podName("redis", i)
		ready := w.first(func(e podEvent) bool { return e.Pod.Name == prev && e.Ready })
		added := w.first(func(e podEvent) bool { return e.Pod.Name == cur && e.Type == "ADDED" })
		if ready < 0 || added < 0 || added < ready {
			t.Errorf("%s created at event %d, %s Ready at event %d: want creation after readiness", cur, added, prev, ready)
		}
	}
	logSequence(t, w, podName("redis", 2))
	cur := w.current()
	for i := 0; i < 3; i++ {
		p := cur[podName("redis", i)]
		t.Logf("%s created %s, Ready %s (node %s)", p.Name, p.CreationTimestamp.UTC().Format(time.RFC3339), readyTime(&p).UTC().Format(time.RFC3339), p.Spec.NodeName)
	}
}

// logSequence logs, in the API server's order, each pod's creation and its first Ready, up to
// the first Ready of last: the causality the StatefulSet controller produced.
func logSequence(t *testing.T, w *podWatch, last string) {
	seen := map[string]bool{}
	for i, e := range w.snapshot() {
		step := ""
		switch {
		case e.Type == "ADDED":
			step = "created"
		case e.Ready && !seen[e.Pod.Name]:
			step, seen[e.Pod.Name] = "Ready", true
		}
		if step != "" {
			t.Logf("event %3d at %s: %s %s (resourceVersion %s)", i, e.Seen.UTC().Format("15:04:05.000"), e.Pod.Name, step, e.Pod.ResourceVersion)
		}
		if e.Pod.Name == last && step == "Ready" {
			return
		}
	}
}

// claimsBound: one claim per ordinal, named as Kubernetes names them, bound to a volume.
func claimsBound(ctx context.Context, t *testing.T, n int) {
	claims := getClaims(ctx, t)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("data-redis-%d", i)
		c, ok := claims[name]
		if !ok || c.Status.Phase != corev1.ClaimBound {
			t.Errorf("claim %s: present %v, phase %q; want Bound", name, ok, c.Status.Phase)
		}
	}
}

func getClaims(ctx context.Context, t *testing.T) map[string]corev1.PersistentVolumeClaim {
	t.Helper()
	var list corev1.PersistentVolumeClaimList
	getJSON(ctx, t, &list, "get", "pvc", "-n", proofNS, "-o", "json")
	out := map[string]corev1.PersistentVolumeClaim{}
	for _, c := range list.Items {
		if c.DeletionTimestamp == nil {
			out[c.Name] = c
		}
	}
	return out
}

func getJSON(ctx context.Context, t *testing.T, dst any, args ...string) {
	t.Helper()
	out, err := cp.kubectl(ctx, nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, dst); err != nil {
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
}

func getSet(ctx context.Context, t *testing.T) appsv1.StatefulSet {
	t.Helper()
	var sts appsv1.StatefulSet
	getJSON(ctx, t, &sts, "get", "statefulset", "redis", "-n", proofNS, "-o", "json")
	return sts
}

func kubectl(ctx context.Context, t *testing.T, args ...string) {
	t.Helper()
	if _, err := cp.kubectl(ctx, nil, args...); err != nil {
		t.Fatal(err)
	}
}

// dnsNames: what cluster DNS answers from. Each pod is redis-N in subdomain redis, and the
// headless Service's EndpointSlices name every Ready pod by that hostname, so
// redis-N.redis.<ns>.svc.cluster.local is the same name the pod has under ordset.
func dnsNames(ctx context.Context, t *testing.T, n int) {
	var pods corev1.PodList
	getJSON(ctx, t, &pods, "get", "pods", "-n", proofNS, "-o", "json")
	for _, p := range pods.Items {
		if p.Spec.Hostname != p.Name || p.Spec.Subdomain != "redis" {
			t.Errorf("pod %s: hostname %q, subdomain %q; want %[1]s and redis", p.Name, p.Spec.Hostname, p.Spec.Subdomain)
		}
	}
	want := map[string]bool{}
	for i := 0; i < n; i++ {
		want[podName("redis", i)] = true
	}
	var got map[string]string
	waitFor(t, "the headless Service's EndpointSlices to name every Ready pod", func() bool {
		got = readyEndpoints(ctx, t)
		for name := range want {
			if got[name] == "" {
				return false
			}
		}
		return true
	})
	for name, ip := range got {
		if want[name] {
			t.Logf("%s.redis.%s.svc.cluster.local -> %s", name, proofNS, ip)
		}
	}
}

// readyEndpoints maps the hostname of each Ready endpoint of Service redis to its address.
func readyEndpoints(ctx context.Context, t *testing.T) map[string]string {
	var slices discoveryv1.EndpointSliceList
	getJSON(ctx, t, &slices, "get", "endpointslices", "-n", proofNS, "-l", discoveryv1.LabelServiceName+"=redis", "-o", "json")
	out := map[string]string{}
	for _, s := range slices.Items {
		named := false
		for _, p := range s.Ports {
			named = named || (p.Name != nil && *p.Name == "redis" && p.Port != nil && *p.Port == 6379)
		}
		for _, e := range s.Endpoints {
			ready := e.Conditions.Ready == nil || *e.Conditions.Ready
			if named && ready && e.Hostname != nil && len(e.Addresses) > 0 {
				out[*e.Hostname] = e.Addresses[0]
			}
		}
	}
	return out
}

// partitionedUpdate: with partition 1, a template change replaces redis-2 then redis-1 and
// never touches redis-0.
func partitionedUpdate(ctx context.Context, t *testing.T, w *podWatch) {
	before := w.current()
	from := len(w.snapshot())
	kubectl(ctx, t, "patch", "statefulset", "redis", "-n", proofNS, "--type=merge", "-p",
		`{"spec":{"updateStrategy":{"rollingUpdate":{"partition":1}},"template":{"metadata":{"annotations":{"proof.ordset.io/rev":"2"}}}}}`)
	var sts appsv1.StatefulSet
	waitFor(t, "redis-1 and redis-2 replaced and Ready", func() bool {
		cur := w.current()
		for _, i := range []int{1, 2} {
			p := cur[podName("redis", i)]
			if p.UID == before[p.Name].UID || !podReady(&p) {
				return false
			}
		}
		sts = getSet(ctx, t)
		return sts.Status.UpdatedReplicas == 2
	})
	cur := w.current()
	if p := cur["redis-0"]; p.UID != before["redis-0"].UID || p.Labels[appsv1.ControllerRevisionHashLabelKey] != sts.Status.CurrentRevision {
		t.Errorf("redis-0 (below the partition) changed: uid %s -> %s, revision %s (current %s)", before["redis-0"].UID, p.UID, p.Labels[appsv1.ControllerRevisionHashLabelKey], sts.Status.CurrentRevision)
	}
	for _, i := range []int{1, 2} {
		if rev := cur[podName("redis", i)].Labels[appsv1.ControllerRevisionHashLabelKey]; rev != sts.Status.UpdateRevision {
			t.Errorf("redis-%d is on revision %s, want the update revision %s", i, rev, sts.Status.UpdateRevision)
		}
	}
	if touched := w.firstFrom(from, deleting("redis-0")); touched >= 0 {
		t.Errorf("redis-0 was deleted during a rollout partitioned at 1")
	}
	if d2, d1 := w.firstFrom(from, deleting("redis-2")), w.firstFrom(from, deleting("redis-1")); d2 < 0 || d1 < 0 || d1 < d2 {
		t.Errorf("rollout order: redis-2 deleted at event %d, redis-1 at %d; want highest ordinal first", d2, d1)
	}
	t.Logf("update revision %s on redis-1, redis-2; redis-0 stays on %s", sts.Status.UpdateRevision, sts.Status.CurrentRevision)
}

// scaleDown: Retain keeps a removed ordinal's claim (and scale-up reuses it); with
// whenScaled: Delete the claims go; pods leave highest ordinal first.
func scaleDown(ctx context.Context, t *testing.T, w *podWatch) {
	claim2 := getClaims(ctx, t)["data-redis-2"].UID
	kubectl(ctx, t, "scale", "statefulset", "redis", "-n", proofNS, "--replicas=2")
	waitFor(t, "redis-2 gone", func() bool { _, ok := w.current()["redis-2"]; return !ok })
	if c, ok := getClaims(ctx, t)["data-redis-2"]; !ok || c.UID != claim2 {
		t.Fatalf("whenScaled: Retain: claim data-redis-2 was not kept")
	}
	kubectl(ctx, t, "scale", "statefulset", "redis", "-n", proofNS, "--replicas=3")
	waitFor(t, "redis-2 back and Ready", func() bool { return readyCount(w, 3) })
	if c := getClaims(ctx, t)["data-redis-2"]; c.UID != claim2 {
		t.Errorf("scale-up did not reuse claim data-redis-2")
	}

	kubectl(ctx, t, "patch", "statefulset", "redis", "-n", proofNS, "--type=merge", "-p",
		`{"spec":{"persistentVolumeClaimRetentionPolicy":{"whenScaled":"Delete"}}}`)
	from := len(w.snapshot())
	kubectl(ctx, t, "scale", "statefulset", "redis", "-n", proofNS, "--replicas=1")
	waitFor(t, "redis-1 and redis-2 gone", func() bool {
		cur := w.current()
		_, one := cur["redis-1"]
		_, two := cur["redis-2"]
		return !one && !two
	})
	gone2 := w.firstFrom(from, func(e podEvent) bool { return e.Pod.Name == "redis-2" && e.Type == "DELETED" })
	start1 := w.firstFrom(from, deleting("redis-1"))
	if gone2 < 0 || start1 < 0 || start1 < gone2 {
		t.Errorf("scale-down order: redis-2 gone at event %d, redis-1 deletion began at %d; want redis-2 fully gone first", gone2, start1)
	}
	waitFor(t, "claims data-redis-1, data-redis-2 deleted (whenScaled: Delete)", func() bool {
		c := getClaims(ctx, t)
		_, one := c["data-redis-1"]
		_, two := c["data-redis-2"]
		return !one && !two
	})
	if _, ok := getClaims(ctx, t)["data-redis-0"]; !ok {
		t.Errorf("claim data-redis-0 of the remaining pod was deleted")
	}
}

// deleting matches the first sign of a pod's removal: a deletion timestamp, or its deletion.
func deleting(name string) func(podEvent) bool {
	return func(e podEvent) bool {
		return e.Pod.Name == name && (e.Type == "DELETED" || e.Pod.DeletionTimestamp != nil)
	}
}

func (w *podWatch) firstFrom(from int, f func(podEvent) bool) int {
	for i, e := range w.snapshot() {
		if i >= from && f(e) {
			return i
		}
	}
	return -1
}

// boundVolumes are PersistentVolumes pre-bound to the claims the set will create, so claims
// bind at once without a provisioner.
func boundVolumes(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: proof-data-redis-%[1]d
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  hostPath: {path: /nonexistent/ordset-proof/%[1]d}
  claimRef: {namespace: %[2]s, name: data-redis-%[1]d}
`, i, proofNS)
	}
	return b.String()
}
