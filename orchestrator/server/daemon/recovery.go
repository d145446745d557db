package daemon

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// rebuildFromEngine reconciles a store restored from a damaged file with what Docker runs:
// pods are the truth for what exists. A set whose replica count differs from the pods it runs
// (a scale after the last good copy, or every count when the store starts empty) keeps the
// pods, and sets whose pods run but whose spec was lost are named: only their file can bring
// the spec back. The report goes to the events and `daemon status`.
func (d *Daemon) rebuildFromEngine(ctx context.Context, sets []store.Set) []store.Set {
	notes := []string{"the state store was damaged: " + d.recovered.String()}
	running, err := d.runningOrdinals(ctx)
	if err != nil {
		notes = append(notes, "the engine could not be listed to check replica counts: "+err.Error())
		running = nil
	}
	known := map[string]bool{}
	for i, s := range sets {
		key := s.Namespace + "/" + s.Name
		known[key] = true
		n := len(running[key])
		if s.Deleting != nil || n == 0 || n == s.Replicas {
			continue
		}
		if _, err := d.store.SetReplicas(s.Namespace, s.Name, n, d.now()); err != nil {
			notes = append(notes, fmt.Sprintf("statefulset %s: keep %d replicas: %v", key, n, err))
			continue
		}
		notes = append(notes, fmt.Sprintf("statefulset %s had %d replicas in the restored store but runs %d pods: keeping %d (scale it if that is wrong)", key, s.Replicas, n, n))
		sets[i].Replicas = n
	}
	var lost []string
	for key := range running {
		if !known[key] {
			lost = append(lost, key)
		}
	}
	slices.Sort(lost)
	if len(lost) > 0 {
		notes = append(notes, fmt.Sprintf("the spec of %s was lost while their pods run (left untouched): run `ordset up` with their file to manage them again",
			strings.Join(lost, ", ")))
	}
	msg := strings.Join(notes, "; ")
	d.log.Warn("state store recovered", "report", msg)
	d.events.record(store.Event{Type: "Warning", Reason: "StoreRecovered", Message: msg})
	return sets
}

// runningOrdinals lists the ordinals of this daemon's pod containers per namespace/set.
func (d *Daemon) runningOrdinals(ctx context.Context) (map[string]map[int]bool, error) {
	cs, err := d.rt.ListContainers(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[string]map[int]bool{}
	for _, c := range cs {
		ord, ok := identity.OrdinalOf(c.Labels)
		if c.Labels[identity.LabelRole] != identity.RolePod || !ok || !identity.ProvablyOwnedBy(c.Labels, d.opts.Owner) {
			continue
		}
		key := c.Labels[identity.LabelNamespace] + "/" + c.Labels[identity.LabelSet]
		if out[key] == nil {
			out[key] = map[int]bool{}
		}
		out[key][ord] = true
	}
	return out, nil
}

// checkpoint keeps a last good copy of the store after a change of desired state; a failure
// is reported like any failed store write.
func (d *Daemon) checkpoint() {
	if err := d.store.Checkpoint(); err != nil {
		d.events.record(store.Event{Type: "Warning", Reason: "StoreCheckpointFailed", Message: err.Error()})
	}
}
