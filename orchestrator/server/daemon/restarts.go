package daemon

import (
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// restartLedger keeps the controller's restart records (orchestrator.RestartLedger) in the
// store, so a restarted daemon continues each crash loop and `ps` keeps counting.
type restartLedger struct{ st *store.Store }

func (l restartLedger) LoadRestarts() (map[string]orchestrator.RestartRecord, error) {
	rs, err := l.st.Restarts()
	if err != nil {
		return nil, err
	}
	out := make(map[string]orchestrator.RestartRecord, len(rs))
	for id, r := range rs {
		out[id] = orchestrator.RestartRecord(r)
	}
	return out, nil
}

func (l restartLedger) RecordRestart(id string, r orchestrator.RestartRecord) error {
	return l.st.PutRestart(id, store.Restart(r))
}

func (l restartLedger) ForgetRestarts(ids []string) error { return l.st.DeleteRestarts(ids) }
