package daemon

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// withRestart is spec plus the restart marker of restartedAt (none when zero).
func withRestart(spec *compose.StatefulSet, name string, restartedAt time.Time) *compose.StatefulSet {
	out := *spec
	out.Name = name
	if !restartedAt.IsZero() && len(out.Template.Spec.Containers) > 0 {
		cs := slices.Clone(out.Template.Spec.Containers)
		cs[0].Env = append(slices.Clone(cs[0].Env), compose.EnvVar{Name: RestartEnv, Value: restartedAt.UTC().Format(time.RFC3339Nano)})
		out.Template.Spec.Containers = cs
	}
	return &out
}

// submit hands a stored set to the Manager with its revision state: the current revision's
// template from the history (pods below the partition are created from it), paused, and
// the generation. The files of both templates' configMap and secret volumes are written
// first (once per content).
func (d *Daemon) submit(rec store.Set) {
	spec := effectiveSpec(rec)
	rev := compose.Revision(spec)
	r := orchestrator.Rollout{Paused: rec.Paused, Generation: rec.Generation}
	if cur, ok := rec.Current(); ok && cur.Spec != nil && cur.Revision != rev {
		r.CurrentRevision, r.Current = cur.Revision, withRestart(cur.Spec, rec.Name, cur.RestartedAt)
	}
	for _, t := range []*compose.StatefulSet{spec, r.Current} { // configMap and secret volume files, both revisions
		if t == nil {
			continue
		}
		if err := d.objects.writeVolumes(rec.Namespace, t); err != nil {
			d.log.Warn("write volume files", "namespace", rec.Namespace, "statefulset", rec.Name, "err", err)
		}
	}
	d.mgr.ApplyRollout(rec.Namespace, spec, rec.Replicas, rev, r)
	applyDeleteGrace(d.mgr, rec) // every submit replaces the Manager's spec: keep a down -t
}

// applyDeleteGrace gives the Manager a set's recorded "down -t" grace override, if any.
func applyDeleteGrace(m *orchestrator.Manager, rec store.Set) {
	if rec.Deleting != nil && rec.Deleting.GraceSeconds != nil {
		m.SetDeleteGrace(rec.Namespace, rec.Name, time.Duration(*rec.Deleting.GraceSeconds)*time.Second)
	}
}

// onRollout records a completed rollout (Manager's OnRollout).
func (d *Daemon) onRollout(namespace, set, revision string) {
	if err := d.store.SetCurrentRevision(namespace, set, revision); err != nil {
		d.log.Warn("record current revision", "namespace", namespace, "set", set, "revision", revision, "err", err)
		return
	}
	d.events.record(store.Event{Reason: "RolledOut", Namespace: namespace, Object: "statefulset/" + set,
		Message: "rollout complete: current revision " + revision})
}

// Undo implements api.Backend: the set's template becomes the one of an earlier revision
// (the previous one by default), which then rolls out like any template change. The record
// is reused under the next number, as Kubernetes reuses the ControllerRevision.
func (d *Daemon) Undo(ctx context.Context, req api.UndoRequest) (api.UndoResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	rec, err := d.store.Get(req.Namespace, req.Set)
	if err != nil {
		return api.UndoResponse{}, mapStoreErr(err)
	}
	target, err := rec.Find(req.ToRevision)
	if err != nil {
		return api.UndoResponse{}, mapStoreErr(err)
	}
	if target.Spec == nil {
		return api.UndoResponse{}, api.Invalidf("revision %d of statefulset %s was recorded by an older ordset without its template", target.Number, req.Set)
	}
	if target.Revision == compose.Revision(effectiveSpec(rec)) {
		return api.UndoResponse{Revision: target.Number, Hash: target.Revision, Unchanged: true}, nil
	}
	spec := compose.WithTemplate(rec.Spec, target.Spec)
	spec.Name = req.Set
	rev := compose.Revision(withRestart(spec, req.Set, target.RestartedAt))
	rec, err = d.store.Rollback(req.Namespace, req.Set, spec, target.RestartedAt, rev, d.now())
	if err != nil {
		return api.UndoResponse{}, mapStoreErr(err)
	}
	number := rec.Revisions[len(rec.Revisions)-1].Number
	d.events.record(store.Event{Reason: "RolledBack", Namespace: req.Namespace, Object: "statefulset/" + req.Set,
		Message: fmt.Sprintf("rolled back statefulset %s to the template of revision %d (%s), now revision %d", req.Set, target.Number, rev, number)})
	d.submit(rec)
	return api.UndoResponse{Revision: number, Hash: rev, From: target.Number}, nil
}

// Pause implements api.Backend: a paused set creates and scales but does not roll.
func (d *Daemon) Pause(ctx context.Context, req api.PauseRequest) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	rec, changed, err := d.store.SetPaused(req.Namespace, req.Set, req.Paused, d.now())
	if err != nil {
		return false, mapStoreErr(err)
	}
	if changed {
		verb := "resumed"
		if req.Paused {
			verb = "paused"
		}
		d.events.record(store.Event{Reason: "Rollout" + verb, Namespace: req.Namespace, Object: "statefulset/" + req.Set,
			Message: "rollout of statefulset " + req.Set + " " + verb})
		d.submit(rec)
	}
	return changed, nil
}
