package daemon

import (
	"context"
	"fmt"
	"time"

	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// defaultPodGrace is Kubernetes' terminationGracePeriodSeconds default, for a set whose
// record cannot be read.
const defaultPodGrace = 30 * time.Second

// DeletePod implements api.Backend: it stops and removes the pod's container, and the
// controller, seeing the ordinal missing, creates it again with the same name and volumes.
// It is the way out for a pod stuck on a broken template.
func (d *Daemon) DeletePod(ctx context.Context, req api.DeletePodRequest) error {
	p, err := d.findPod(ctx, req.Namespace, req.Pod)
	if err != nil {
		return err
	}
	if p.ContainerID == "" {
		return noContainer(p, api.ErrNotFound)
	}
	grace := defaultPodGrace
	if rec, err := d.store.Get(req.Namespace, p.StatefulSet); err == nil {
		if g := effectiveSpec(rec).TerminationGracePeriodSeconds; g != nil {
			grace = time.Duration(*g) * time.Second
		}
	}
	if req.GraceSeconds != nil {
		grace = time.Duration(*req.GraceSeconds) * time.Second
	}
	if err := d.rt.StopContainer(ctx, p.ContainerID, grace); err != nil {
		return fmt.Errorf("stop pod %s/%s: %w", req.Namespace, p.Name, err)
	}
	if err := d.rt.RemoveContainer(ctx, p.ContainerID); err != nil {
		return fmt.Errorf("remove pod %s/%s: %w", req.Namespace, p.Name, err)
	}
	d.events.record(store.Event{Reason: "Deleted", Namespace: req.Namespace, Object: "pod/" + p.Name,
		Message: fmt.Sprintf("pod %s deleted by the user; the controller creates it again", p.Name)})
	return nil
}
