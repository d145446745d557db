package daemon

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/ordset/ordset/orchestrator/fakeruntime"
)

// A spec posted straight to the socket, bypassing the CLI's loader, gets the loader's checks:
// 400 naming every problem by field path, and nothing stored or created.
func TestRawApplyOfAnInvalidSpecIsRejectedAndStoresNothing(t *testing.T) {
	h := start(t, shortDir(t), fakeruntime.New(nil))
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", h.paths.Socket)
	}}}
	body := `{"namespace":"Bad NS!","sets":{"x":{"image":"","replicas":-3,"podManagementPolicy":"Sometimes","ordinals":{"start":-3}}}}`
	resp, err := hc.Post("http://ordset/v1/apply", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", resp.StatusCode, raw)
	}
	var e struct{ Error, Code string }
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("body %s: %v", raw, err)
	}
	for _, want := range []string{"namespace: ", "statefulsets.x.image: is required", "statefulsets.x.replicas: must be >= 0",
		"statefulsets.x.podManagementPolicy: ", "statefulsets.x.ordinals.start: must be >= 0"} {
		if !strings.Contains(e.Error, want) {
			t.Errorf("error does not name %q:\n%s", want, e.Error)
		}
	}
	if stored, err := h.d.store.List(""); err != nil || len(stored) != 0 {
		t.Errorf("stored %v (%v), want nothing", stored, err)
	}
	if sets := h.d.mgr.Status(""); len(sets) != 0 {
		t.Errorf("controller holds %v, want nothing", sets)
	}
	if names := h.rt.ContainerNames(); len(names) != 0 {
		t.Errorf("containers %v created", names)
	}
}
