package daemon

import (
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// The store's records are not the API's wire types: these convert one to the other, field by
// field, so either side can change without the other's JSON changing with it.

// apiEvent is a stored event as the API sends it.
func apiEvent(e store.Event) api.Event {
	return api.Event{Seq: e.Seq, Time: e.Time, Type: e.Type, Reason: e.Reason, Namespace: e.Namespace,
		Object: e.Object, Message: e.Message}
}

// apiRevisions is a set's stored revision history as the API sends it (nil stays nil).
func apiRevisions(rs []store.Revision) []api.Revision {
	if rs == nil {
		return nil
	}
	out := make([]api.Revision, len(rs))
	for i, r := range rs {
		out[i] = api.Revision{Revision: r.Revision, Number: r.Number, FirstApplied: r.FirstApplied,
			Spec: r.Spec, RestartedAt: r.RestartedAt}
	}
	return out
}
