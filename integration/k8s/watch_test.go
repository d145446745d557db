//go:build k8s

package k8s

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// podEvent is one watch event, in the order the API server sent it (resourceVersion order),
// so causality is asserted without comparing clocks.
type podEvent struct {
	Type  string
	Pod   corev1.Pod
	Ready bool
	Seen  time.Time // when the watch delivered it: logged for the reader, never asserted
}

// podWatch records every pod event of a namespace.
type podWatch struct {
	mu     sync.Mutex
	events []podEvent
	err    error
}

func watchPods(ctx context.Context, t *testing.T, ns string) *podWatch {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cp.server+"/api/v1/namespaces/"+ns+"/pods?watch=1&allowWatchBookmarks=false", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+cp.token)
	resp, err := cp.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("watch pods: %s", resp.Status)
	}
	w := &podWatch{}
	go func() {
		defer resp.Body.Close()
		dec := json.NewDecoder(resp.Body)
		for {
			var ev struct {
				Type   string     `json:"type"`
				Object corev1.Pod `json:"object"`
			}
			if err := dec.Decode(&ev); err != nil {
				w.mu.Lock()
				w.err = err
				w.mu.Unlock()
				return
			}
			w.mu.Lock()
			w.events = append(w.events, podEvent{Type: ev.Type, Pod: ev.Object, Ready: podReady(&ev.Object), Seen: time.Now()})
			w.mu.Unlock()
		}
	}()
	return w
}

func (w *podWatch) snapshot() []podEvent {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]podEvent(nil), w.events...)
}

// first is the index of the first event matching f, or -1.
func (w *podWatch) first(f func(podEvent) bool) int {
	for i, e := range w.snapshot() {
		if f(e) {
			return i
		}
	}
	return -1
}

// current is the latest state of each pod still present.
func (w *podWatch) current() map[string]corev1.Pod {
	out := map[string]corev1.Pod{}
	for _, e := range w.snapshot() {
		if e.Type == "DELETED" {
			delete(out, e.Pod.Name)
		} else {
			out[e.Pod.Name] = e.Pod
		}
	}
	return out
}

// waitFor polls cond (on the recorded events) until it holds, with a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func readyTime(p *corev1.Pod) time.Time {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return c.LastTransitionTime.Time
		}
	}
	return time.Time{}
}

func podName(set string, i int) string { return fmt.Sprintf("%s-%d", set, i) }
