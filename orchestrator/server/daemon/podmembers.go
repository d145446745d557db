package daemon

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/server/api"
)

// removeMembers stops and removes the containers that joined a multi-container pod's
// infrastructure container before that one goes, as the controller tears a pod down: the app
// containers at once, each with its preStop hook and the grace period, then the init
// containers and sidecars in reverse order. It reports whether the pod had such containers (a
// one-container pod has none).
func (d *Daemon) removeMembers(ctx context.Context, p api.Pod, spec *compose.StatefulSet, grace time.Duration) (bool, error) {
	cs, err := d.rt.ListContainers(ctx, p.Namespace)
	if err != nil {
		return false, fmt.Errorf("list containers of pod %s/%s: %w", p.Namespace, p.Name, err)
	}
	var apps, inits []orchestrator.Container
	for _, c := range cs {
		if c.Labels[identity.LabelSet] != p.StatefulSet || c.Labels[identity.LabelPod] != p.Name {
			continue
		}
		switch c.Labels[identity.LabelRole] {
		case identity.RoleContainer:
			apps = append(apps, c)
		case identity.RoleInit:
			inits = append(inits, c)
		}
	}
	errs := make([]error, len(apps))
	var wg sync.WaitGroup
	for i, c := range apps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.stopRemove(ctx, p, spec, c, grace)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return true, err
	}
	slices.Reverse(inits)
	for _, c := range inits {
		if err := d.stopRemove(ctx, p, spec, c, grace); err != nil {
			return true, err
		}
	}
	return len(apps)+len(inits) > 0, nil
}

// stopRemove stops one container of a multi-container pod (its preStop hook first, if it is
// running and has one) and removes it.
func (d *Daemon) stopRemove(ctx context.Context, p api.Pod, spec *compose.StatefulSet, c orchestrator.Container, grace time.Duration) error {
	// An app container carries its name in one label, an init container or sidecar in the other.
	if name := cmp.Or(c.Labels[identity.LabelContainer], c.Labels[identity.LabelInit]); spec != nil && c.State == orchestrator.StateRunning {
		tpl := orchestrator.PodTemplate{Namespace: p.Namespace, Set: spec}.ForContainer(name)
		var herr error
		grace, herr = orchestrator.PreStop(ctx, d.rt, tpl, orchestrator.HookTarget{Namespace: p.Namespace, ContainerID: c.ID, IP: p.IP}, grace)
		if herr != nil {
			d.log.Warn("preStop hook failed; stopping the container anyway", "namespace", p.Namespace, "pod", p.Name, "container", name, "err", herr)
		}
	}
	if err := d.rt.StopContainer(ctx, c.ID, grace); err != nil && !errors.Is(err, orchestrator.ErrNotFound) {
		return fmt.Errorf("stop container %s: %w", c.Name, err)
	}
	if err := d.removeStopped(ctx, c.ID); err != nil {
		return fmt.Errorf("remove container %s: %w", c.Name, err)
	}
	return nil
}
