package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ordset/ordset/compose"
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
	spec := d.podSpec(req.Namespace, p)
	grace := defaultPodGrace
	if spec != nil && spec.Template.Spec.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*spec.Template.Spec.TerminationGracePeriodSeconds) * time.Second
	}
	if req.GraceSeconds != nil {
		grace = time.Duration(*req.GraceSeconds) * time.Second
	}
	err = d.mgr.Exclusive(ctx, req.Namespace, p.StatefulSet, func() error {
		// The containers of a multi-container pod go first (each with its own preStop hook);
		// then the pod's container: the main one of a one-container pod, whose preStop hook
		// runs first and counts in the grace period, as for a stop the controller decides; a
		// failing hook is logged and the stop goes on.
		joined, err := d.removeMembers(ctx, p, spec, grace)
		if err != nil {
			return fmt.Errorf("delete pod %s/%s: %w", req.Namespace, p.Name, err)
		}
		if !joined {
			tpl := orchestrator.PodTemplate{Namespace: req.Namespace, Set: spec}
			var herr error
			grace, herr = orchestrator.PreStop(ctx, d.rt, tpl, orchestrator.HookTarget{Namespace: req.Namespace,
				ContainerID: p.ContainerID, IP: p.IP}, grace)
			if herr != nil {
				d.log.Warn("preStop hook", "namespace", req.Namespace, "pod", p.Name, "err", herr)
			}
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

// podSpec is the template a pod runs: its own revision's from the set's history when it is
// not the set's latest (a pod below the partition runs the current one), else the latest;
// nil when the set's record cannot be read.
func (d *Daemon) podSpec(namespace string, p api.Pod) *compose.StatefulSet {
	rec, err := d.store.Get(namespace, p.StatefulSet)
	if err != nil {
		return nil
	}
	spec := effectiveSpec(rec)
	if p.Revision == "" || p.Revision == compose.Revision(spec) {
		return spec
	}
	for _, r := range rec.Revisions {
		if r.Revision == p.Revision && r.Spec != nil {
			return withRestart(r.Spec, rec.Name, r.RestartedAt)
		}
	}
	return spec
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
