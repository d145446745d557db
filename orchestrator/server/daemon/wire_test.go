package daemon

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// The API's wire types are the store's records under another name: the JSON a client sees
// must not change with the conversion.
func TestWireTypesKeepTheStoresJSON(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	same := func(name string, stored, wire any) {
		t.Helper()
		a, err := json.Marshal(stored)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(wire)
		if err != nil {
			t.Fatal(err)
		}
		if string(a) != string(b) {
			t.Errorf("%s: store JSON %s, API JSON %s", name, a, b)
		}
	}
	for _, e := range []store.Event{
		{},
		{Seq: 7, Time: t0, Type: "Warning", Reason: "Error", Namespace: "demo", Object: "pod/web-0", Message: "boom"},
	} {
		same("event", e, apiEvent(e))
	}
	for _, rs := range [][]store.Revision{
		nil,
		{},
		{{Revision: "abc"}, {Revision: "def", Number: 2, FirstApplied: t0, Spec: &compose.StatefulSet{Template: compose.PodTemplateSpec{Spec: compose.PodSpec{Containers: []compose.Container{{Name: "redis", Image: "redis:7"}}}}}, RestartedAt: t0}},
	} {
		same("revisions", rs, apiRevisions(rs))
	}
}
