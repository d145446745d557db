package daemon

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ordset/ordset/orchestrator/fakeruntime"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// TestDamagedStoreRecoveredFromCopyAndPods: the daemon starts on a damaged store (it panicked
// before), restores the last good copy, keeps the replica count its pods show (the copy
// predates a scale), and says so in the events and `daemon status`.
func TestDamagedStoreRecoveredFromCopyAndPods(t *testing.T) {
	dir, rt := shortDir(t), fakeruntime.New(nil)
	ctx := context.Background()
	h := start(t, dir, rt)
	h.apply("t1", 3)
	h.readyPods("t1", 3)
	old, err := os.ReadFile(h.paths.DB + store.LastGoodSuffix)
	if err != nil {
		t.Fatalf("no last good copy after an apply: %v", err)
	}
	if err := h.c.Scale(ctx, api.ScaleRequest{Namespace: "t1", Set: "web", Replicas: 5}); err != nil {
		t.Fatal(err)
	}
	h.readyPods("t1", 5)
	h.stop()
	// The copy is from before the scale; the store's meta pages are overwritten.
	if err := os.WriteFile(h.paths.DB+store.LastGoodSuffix, old, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(h.paths.DB, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteAt([]byte(strings.Repeat("garbage!", 1024)), 0)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	h2 := start(t, dir, rt)
	h2.readyPods("t1", 5)
	h2.containersOnce("t1", 5)
	report := recoveryReport(t, h2)
	for _, want := range []string{"last good copy", "had 3 replicas in the restored store but runs 5 pods", h.paths.DB + ".corrupt-"} {
		if !strings.Contains(report, want) {
			t.Errorf("recovery report lacks %q:\n%s", want, report)
		}
	}
	st, err := h2.c.Status(ctx)
	if err != nil || !strings.Contains(strings.Join(st.Warnings, "\n"), "damaged") {
		t.Errorf("daemon status warnings %q %v", st.Warnings, err)
	}
}

// TestDamagedStoreWithoutCopyNamesLostSpecs: with no good copy the daemon starts empty, leaves
// the running pods alone and names the sets whose spec was lost.
func TestDamagedStoreWithoutCopyNamesLostSpecs(t *testing.T) {
	dir, rt := shortDir(t), fakeruntime.New(nil)
	h := start(t, dir, rt)
	h.apply("t1", 2)
	h.readyPods("t1", 2)
	h.stop()
	if err := os.Remove(h.paths.DB + store.LastGoodSuffix); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(h.paths.DB, 0); err != nil {
		t.Fatal(err)
	}
	h2 := start(t, dir, rt)
	report := recoveryReport(t, h2)
	if !strings.Contains(report, "starts empty") || !strings.Contains(report, "the spec of t1/web was lost") {
		t.Errorf("recovery report:\n%s", report)
	}
	if n := len(rt.ContainerNames()); n != 2 {
		t.Errorf("pods of a set whose spec was lost: %d, want both left running", n)
	}
}

func recoveryReport(t *testing.T, h *harness) string {
	t.Helper()
	var out []string
	err := h.c.Events(context.Background(), api.EventsQuery{}, func(e api.Event) error {
		if e.Reason == "StoreRecovered" {
			out = append(out, e.Message)
		}
		return nil
	})
	if err != nil || len(out) != 1 {
		t.Fatalf("StoreRecovered events %q %v; want one", out, err)
	}
	return out[0]
}
