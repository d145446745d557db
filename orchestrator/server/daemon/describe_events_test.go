package daemon

import (
	"testing"

	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// describe POD shows that pod's events, not the whole set's.
func TestDescribedEvent(t *testing.T) {
	pod := &api.Pod{Name: "web-1", StatefulSet: "web"}
	tests := []struct {
		e         store.Event
		forPod    bool
		forSetToo bool
	}{
		{store.Event{Object: "pod/web-1", Message: "pod web-1 is Ready"}, true, true},
		{store.Event{Object: "pod/web-0", Message: "pod web-0 is Ready"}, false, true},
		{store.Event{Object: "pod/web-10", Message: "pod web-10: Error"}, false, true},
		{store.Event{Object: "statefulset/web", Message: "web-1 crash-looping, restart in 10s"}, true, true},
		{store.Event{Object: "statefulset/web", Message: "web-10 crash-looping, restart in 10s"}, false, true},
		{store.Event{Object: "statefulset/web", Message: "scaled statefulset web from 3 to 5 replicas"}, false, true},
		{store.Event{Object: "pod/db-1", Message: "pod db-1 is Ready"}, false, false},
	}
	for _, tt := range tests {
		if got := describedEvent(tt.e, "web", pod); got != tt.forPod {
			t.Errorf("describe web-1, %s %q: %v, want %v", tt.e.Object, tt.e.Message, got, tt.forPod)
		}
		if got := describedEvent(tt.e, "web", nil); got != tt.forSetToo {
			t.Errorf("describe web, %s %q: %v, want %v", tt.e.Object, tt.e.Message, got, tt.forSetToo)
		}
	}
}
