package daemon

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/ordset/ordset/orchestrator/server/store"
)

// Recording does not wait for the disk, yet the ring keeps the order of record calls, a
// reader sees every event recorded before it asked, and followers get each event once,
// numbered, in order.
func TestEventHubStoresInRecordOrder(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := newEventHub(st, slog.New(slog.DiscardHandler))
	live, unsub := h.subscribe()
	defer unsub()
	const n = 50
	for i := range n {
		h.record(store.Event{Reason: "R", Message: fmt.Sprint(i)})
	}
	h.flush()
	got, err := st.Events(0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("after flush the ring holds %d events, want %d", len(got), n)
	}
	for i, e := range got {
		if e.Message != fmt.Sprint(i) || e.Seq != uint64(i+1) {
			t.Fatalf("event %d is %q seq %d, want %q seq %d", i, e.Message, e.Seq, fmt.Sprint(i), i+1)
		}
		if f := <-live; f.Seq != e.Seq || f.Message != e.Message {
			t.Fatalf("follower got %+v, want %+v", f, e)
		}
	}
	h.record(store.Event{Reason: "R", Message: "last"})
	h.close() // stores what is queued before the store closes
	if got, _ := st.Events(n); len(got) != 1 || got[0].Message != "last" {
		t.Errorf("after close the ring ends with %+v, want the event recorded before close", got)
	}
	h.record(store.Event{Reason: "R", Message: "after close"}) // stored at once, not lost
	if got, _ := st.Events(n + 1); len(got) != 1 {
		t.Errorf("an event recorded after close: %+v", got)
	}
}
