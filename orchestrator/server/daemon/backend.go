package daemon

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// RestartEnv is the variable "rollout restart" adds to the pod template: changing it changes
// the revision, so pods roll in order, the way kubectl bumps a pod-template annotation.
const RestartEnv = "ORDSET_RESTARTED_AT"

// effectiveSpec is the spec handed to the Manager: the stored one plus the restart marker.
func effectiveSpec(s store.Set) *compose.StatefulSet {
	return withRestart(s.Spec, s.Name, s.RestartedAt)
}

func mapStoreErr(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return &notFound{err}
	}
	if errors.Is(err, store.ErrDeleting) {
		return fmt.Errorf("%w: %w (wait for it, or apply it again)", api.ErrConflict, err)
	}
	return err
}

// notFound carries a store miss as api.ErrNotFound while keeping its message.
type notFound struct{ err error }

func (n *notFound) Error() string        { return n.err.Error() }
func (n *notFound) Is(target error) bool { return target == api.ErrNotFound }

// Apply implements api.Backend.
func (d *Daemon) Apply(ctx context.Context, req api.ApplyRequest) (api.ApplyResponse, error) {
	if req.Namespace == "" {
		return api.ApplyResponse{}, api.Invalidf("namespace is required")
	}
	if len(req.Sets) == 0 {
		return api.ApplyResponse{}, api.Invalidf("no statefulsets to apply")
	}
	// The loader's defaults and checks, whoever sent the spec: nothing invalid is stored.
	if err := compose.Normalize(&compose.Project{Namespace: req.Namespace, StatefulSets: req.Sets,
		ConfigMaps: req.ConfigMaps, Secrets: req.Secrets, Services: req.Services}); err != nil {
		return api.ApplyResponse{}, api.Invalidf("namespace %s:\n%s", req.Namespace, err)
	}
	for _, name := range slices.Sorted(maps.Keys(req.Sets)) { // all or nothing: check every set before storing one
		if gaps := orchestrator.Unsupported(req.Sets[name]); len(gaps) > 0 {
			return api.ApplyResponse{}, api.Invalidf("statefulset %s uses what this version of ordset cannot run yet: %s",
				name, strings.Join(gaps, "; "))
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	defer d.checkpoint()
	if err := d.objects.merge(req.Namespace, req.ConfigMaps, req.Secrets); err != nil {
		return api.ApplyResponse{}, err
	}
	if changed, err := d.objects.putServices(req.Namespace, req.Services, req.Prune); err != nil {
		return api.ApplyResponse{}, err
	} else if changed {
		defer d.republishDNS()
	}
	for _, name := range slices.Sorted(maps.Keys(req.Sets)) { // files first: a set whose files cannot be written is not stored
		if err := d.objects.writeVolumes(req.Namespace, req.Sets[name]); err != nil {
			return api.ApplyResponse{}, api.Invalidf("%v", err)
		}
	}
	now := d.now()
	resp := api.ApplyResponse{Namespace: req.Namespace}
	for _, name := range slices.Sorted(maps.Keys(req.Sets)) {
		spec := req.Sets[name]
		// The revision includes an earlier rollout restart's marker, which a file never has.
		prev, _ := d.store.Get(req.Namespace, name)
		rev := compose.Revision(withRestart(spec, name, prev.RestartedAt))
		replicas := spec.ReplicaCount()
		rec, res, err := d.store.Apply(req.Namespace, spec, rev, replicas, now)
		if err != nil {
			return resp, fmt.Errorf("store statefulset %s/%s: %w", req.Namespace, name, err)
		}
		action := applyAction(res)
		var changes []string
		if res.Previous != nil {
			changes = compose.Changes(res.Previous.Spec, spec)
			if res.ReplicasChanged {
				changes = append([]string{fmt.Sprintf("replicas %d → %d", res.Previous.Replicas, replicas)}, changes...)
			}
		}
		// Record first so the event precedes the controller's progress events.
		if action != api.Unchanged {
			msg := fmt.Sprintf("statefulset %s %s (revision %s, replicas %d)", name, action, rev, replicas)
			if len(changes) > 0 {
				msg += ": " + strings.Join(changes, ", ")
			}
			d.events.record(store.Event{Reason: "Applied", Namespace: req.Namespace, Object: "statefulset/" + name, Message: msg})
		}
		// Apply even when unchanged: the Manager treats it as a no-op, and it heals a
		// Manager that lost the set.
		d.submit(rec)
		resp.Sets = append(resp.Sets, api.SetResult{Name: name, Action: action, Revision: rev, Replicas: rec.Replicas,
			Changes: changes})
	}
	if req.Prune {
		if err := d.pruneLocked(req.Namespace, req.Sets, &resp); err != nil {
			return resp, err
		}
	}
	return resp, nil
}

// pruneLocked deletes the namespace's stored sets absent from keep, reporting each in resp as it
// goes so that a failure part way still tells the caller what was pruned. d.mu is held.
func (d *Daemon) pruneLocked(ns string, keep map[string]*compose.StatefulSet, resp *api.ApplyResponse) error {
	stored, err := d.store.List(ns)
	if err != nil {
		return err
	}
	for _, s := range stored {
		if _, ok := keep[s.Name]; ok || s.Deleting != nil {
			continue
		}
		if err := d.deleteLocked(ns, s.Name, false, nil); err != nil {
			return err
		}
		resp.Sets = append(resp.Sets, api.SetResult{Name: s.Name, Action: api.Pruned})
	}
	return nil
}

// applyAction names what an apply did, as kubectl apply does.
func applyAction(res store.ApplyResult) string {
	switch {
	case res.Created:
		return api.Created
	case res.SpecChanged, res.SettingsChanged:
		return api.Configured
	case res.ReplicasChanged:
		return api.Scaled
	}
	return api.Unchanged
}

// Scale implements api.Backend. Concurrent scales serialise on d.mu; the later one wins in
// the store and in the Manager alike.
func (d *Daemon) Scale(ctx context.Context, req api.ScaleRequest) error {
	if req.Replicas < 0 {
		return api.Invalidf("replicas must be >= 0, got %d", req.Replicas)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	defer d.checkpoint()
	prev, err := d.store.SetReplicas(req.Namespace, req.Set, req.Replicas, d.now())
	if err != nil {
		return mapStoreErr(err)
	}
	if prev != req.Replicas {
		d.events.record(store.Event{Reason: "Scaled", Namespace: req.Namespace, Object: "statefulset/" + req.Set,
			Message: fmt.Sprintf("scaled statefulset %s from %d to %d replicas", req.Set, prev, req.Replicas)})
	}
	if err := d.mgr.Scale(req.Namespace, req.Set, req.Replicas); err != nil {
		return fmt.Errorf("scale statefulset %s/%s: %w", req.Namespace, req.Set, err)
	}
	rec, err := d.store.Get(req.Namespace, req.Set)
	if err != nil {
		return mapStoreErr(err)
	}
	d.submit(rec) // the generation changed
	return nil
}

// Delete implements api.Backend.
func (d *Daemon) Delete(ctx context.Context, req api.DeleteRequest) (api.DeleteResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	defer d.checkpoint()
	if changed, err := d.objects.dropServices(req.Namespace, req.Services, len(req.Sets) == 0); err != nil {
		return api.DeleteResponse{}, err
	} else if changed {
		defer d.republishDNS()
	}
	names := req.Sets
	if len(names) == 0 {
		stored, err := d.store.List(req.Namespace)
		if err != nil {
			return api.DeleteResponse{}, err
		}
		for _, s := range stored {
			names = append(names, s.Name)
		}
	}
	var resp api.DeleteResponse
	if req.RemoveVolumes {
		// Volumes kept by an earlier down (or scale-down) belong to no set any more;
		// "down --volumes" (of the namespace, or of the file's sets) is the way to drop them.
		removed, err := d.removeRetainedVolumes(ctx, req.Namespace, req.Sets)
		if err != nil {
			return resp, err
		}
		resp.Volumes = removed
	}
	// A named set that is already gone is not an error: "ordset down" then
	// "ordset down --volumes" in the same directory must reach the volumes.
	var stored []string
	for _, n := range names {
		if _, err := d.store.Get(req.Namespace, n); errors.Is(err, store.ErrNotFound) {
			continue
		} else if err != nil {
			return resp, mapStoreErr(err)
		}
		stored = append(stored, n)
	}
	if len(stored) == 0 && len(resp.Volumes) == 0 {
		if len(req.Sets) > 0 {
			return resp, fmt.Errorf("namespace %s has none of the statefulsets %s (nor volumes of them): %w",
				req.Namespace, strings.Join(req.Sets, ", "), api.ErrNotFound)
		}
		return resp, fmt.Errorf("namespace %s has no statefulsets: %w", req.Namespace, api.ErrNotFound)
	}
	for _, n := range stored {
		if err := d.deleteLocked(req.Namespace, n, req.RemoveVolumes, req.GraceSeconds); err != nil {
			return resp, err
		}
		resp.Sets = append(resp.Sets, n)
	}
	return resp, nil
}

// deleteLocked records the deletion (with its grace override) in the store before the Manager
// acts on it; the set stays there, marked, until the Manager has removed its objects
// (onForget). d.mu is held.
func (d *Daemon) deleteLocked(ns, name string, removeVolumes bool, grace *int64) error {
	rec, err := d.store.MarkDeleting(ns, name, removeVolumes, grace, d.now())
	if err != nil {
		return fmt.Errorf("mark statefulset %s/%s deleted in the store: %w", ns, name, err)
	}
	removeVolumes = rec.Deleting.RemoveVolumes
	msg := "deleting statefulset " + name + " (volumes kept)"
	if removeVolumes {
		msg = "deleting statefulset " + name + " and its volumes"
	}
	d.events.record(store.Event{Reason: "Deleted", Namespace: ns, Object: "statefulset/" + name, Message: msg})
	if !d.holds(ns, name) { // a Manager that lost the set must still remove its objects
		d.mgr.Apply(ns, effectiveSpec(rec), rec.Replicas)
	}
	applyDeleteGrace(d.mgr, rec)
	d.mgr.Delete(ns, name, removeVolumes)
	return nil
}

// holds reports whether the Manager holds a set (applied, or still being deleted).
func (d *Daemon) holds(ns, name string) bool {
	for _, s := range d.mgr.Status(ns) {
		if s.Name == name {
			return true
		}
	}
	return false
}

// onForget drops a set marked for deletion from the store once the Manager has removed all
// of it (a set applied again meanwhile is no longer marked and stays). A daemon killed before
// this runs replays the marked set, and the next pass forgets it again.
func (d *Daemon) onForget(ns, name string) {
	if _, err := d.store.Forget(ns, name); err != nil {
		d.log.Error("forget deleted statefulset", "namespace", ns, "set", name, "err", err)
	}
}

// Restart implements api.Backend.
func (d *Daemon) Restart(ctx context.Context, req api.RestartRequest) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	defer d.checkpoint()
	prev, err := d.store.Get(req.Namespace, req.Set)
	if err != nil {
		return mapStoreErr(err)
	}
	now := d.now()
	rec, err := d.store.Restart(req.Namespace, req.Set, compose.Revision(withRestart(prev.Spec, req.Set, now)), now)
	if err != nil {
		return mapStoreErr(err)
	}
	d.events.record(store.Event{Reason: "Restarted", Namespace: req.Namespace, Object: "statefulset/" + req.Set,
		Message: "rollout restart of statefulset " + req.Set})
	d.submit(rec)
	return nil
}
