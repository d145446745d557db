package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
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
		if g := effectiveSpec(rec).Template.Spec.TerminationGracePeriodSeconds; g != nil {
			grace = time.Duration(*g) * time.Second
		}
	}
	if req.GraceSeconds != nil {
		grace = time.Duration(*req.GraceSeconds) * time.Second
	}
	err = d.mgr.Exclusive(ctx, req.Namespace, p.StatefulSet, func() error {
		if err := d.removeMembers(ctx, p, grace); err != nil {
			return fmt.Errorf("delete pod %s/%s: %w", req.Namespace, p.Name, err)
		}
		if err := d.rt.StopContainer(ctx, p.ContainerID, grace); err != nil && !errors.Is(err, orchestrator.ErrNotFound) {
			return fmt.Errorf("stop pod %s/%s: %w", req.Namespace, p.Name, err)
		}
		if err := d.removeStopped(ctx, p.ContainerID); err != nil {
			return fmt.Errorf("remove pod %s/%s: %w", req.Namespace, p.Name, err)
		}
		return d.removePrevious(ctx, p)
	})
	if err != nil {
		return err
	}
	d.events.record(store.Event{Reason: "Deleted", Namespace: req.Namespace, Object: "pod/" + p.Name,
		Message: fmt.Sprintf("pod %s deleted by the user; the controller creates it again", p.Name)})
	return nil
}

// removePrevious removes the deleted pod's kept previous container: the pod created again is a
// new pod with no past, as in Kubernetes. A daemon dying before this leaves it until the
// pod's next crash replaces it, which loses nothing.
func (d *Daemon) removePrevious(ctx context.Context, p api.Pod) error {
	cs, err := d.rt.ListContainers(ctx, p.Namespace)
	if err != nil {
		return fmt.Errorf("list containers of pod %s/%s: %w", p.Namespace, p.Name, err)
	}
	canonical := identity.ContainerName(p.Namespace, p.StatefulSet, p.Ordinal)
	for _, c := range cs {
		if c.Name != identity.PreviousName(canonical, c.ID) {
			continue
		}
		if err := d.rt.RemoveContainer(ctx, c.ID); err != nil && !errors.Is(err, orchestrator.ErrNotFound) {
			return fmt.Errorf("remove previous container %s of pod %s/%s: %w", c.Name, p.Namespace, p.Name, err)
		}
	}
	return nil
}

// removeStopped removes a container the user deleted. The controller sees it stopped at the
// same time and may retire or remove it itself; two removals at once make the engine fail one
// ("removal in progress", "directory not empty"). So a failed removal is retried until the
// container is gone, whoever removed it.
func (d *Daemon) removeStopped(ctx context.Context, id string) error {
	err := d.rt.RemoveContainer(ctx, id)
	for deadline := time.Now().Add(15 * time.Second); err != nil && time.Now().Before(deadline); {
		if _, ierr := d.rt.InspectContainer(ctx, id); errors.Is(ierr, orchestrator.ErrNotFound) {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(250 * time.Millisecond):
		}
		err = d.rt.RemoveContainer(ctx, id)
	}
	if errors.Is(err, orchestrator.ErrNotFound) {
		return nil
	}
	return err
}
