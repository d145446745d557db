package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/server/api"
)

// podContainer resolves one container of a pod, as kubectl's -c does: "" or the first
// container's name is the pod's main container; an init container's name is its (possibly
// exited) container. missing is the error kind when the main container does not exist.
func (d *Daemon) podContainer(ctx context.Context, namespace, pod, container string, missing error) (string, error) {
	p, err := d.findPod(ctx, namespace, pod)
	if err != nil {
		return "", err
	}
	rec, err := d.store.Get(namespace, p.StatefulSet)
	var names, inits []string
	if err == nil && rec.Spec != nil {
		for _, c := range rec.Spec.Template.Spec.Containers {
			names = append(names, c.Name)
		}
		for _, c := range rec.Spec.Template.Spec.InitContainers {
			inits = append(inits, c.Name)
		}
	}
	if container == "" && len(names) > 0 {
		container = names[0]
	}
	switch {
	case contains(names, container):
		// A pod with an infrastructure container runs each app container under its own name;
		// a one-container pod's main container is the pod's.
		if c, err := d.rt.InspectContainer(ctx, identity.AppContainerName(namespace, p.StatefulSet, p.Ordinal, container)); err == nil {
			return c.ID, nil
		}
		if container != names[0] {
			return "", &userError{fmt.Sprintf("container %s of pod %s is not running yet", container, pod), api.ErrNotFound}
		}
		fallthrough
	case container == "":
		if p.ContainerID == "" {
			return "", noContainer(p, missing)
		}
		return p.ContainerID, nil
	case contains(inits, container):
		name := identity.InitContainerName(namespace, p.StatefulSet, p.Ordinal, container)
		c, err := d.rt.InspectContainer(ctx, name)
		if err != nil {
			return "", &userError{fmt.Sprintf("init container %s of pod %s has not run yet or was removed", container, pod), api.ErrNotFound}
		}
		return c.ID, nil
	}
	return "", &userError{fmt.Sprintf("pod %s has no container %q (containers: %s; init containers: %s)", pod, container,
		orNone(names), orNone(inits)), api.ErrNotFound}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func orNone(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	return strings.Join(list, ", ")
}

// errNoPrevious is previousContainer's answer for a pod without a kept terminated container.
var errNoPrevious = errors.New("no previous container")

// previousLogs streams the output of the pod's last terminated container, as kubectl's
// --previous: for a container started again in place (Docker keeps one log across restarts),
// what it wrote until its last exit; else the container the controller kept after a crash
// replaced it (see previousContainer). Neither is a clear not-found error.
func (d *Daemon) previousLogs(ctx context.Context, namespace, pod string, opts api.LogOptions) (io.ReadCloser, error) {
	lo := orchestrator.LogOptions{Tail: opts.Tail, Timestamps: opts.Timestamps} // a terminated run has nothing to follow
	c, ok, err := d.restartedInPlace(ctx, namespace, pod, opts.Container)
	if err != nil {
		return nil, err
	}
	if ok {
		// The engine keeps the last exit's time while the container runs again. The split is
		// there, not at the current start: a process can write before its StartedAt is recorded.
		lo.Until = c.FinishedAt
		rc, err := d.rt.Logs(ctx, c.ID, lo)
		if err != nil {
			return nil, fmt.Errorf("logs of pod %s/%s before its last start: %w", namespace, pod, err)
		}
		return rc, nil
	}
	id, err := d.previousContainer(ctx, namespace, pod, opts.Container)
	if errors.Is(err, errNoPrevious) {
		return nil, &userError{fmt.Sprintf("previous terminated container in pod %q not found", pod), api.ErrNotFound}
	}
	if err != nil {
		return nil, err
	}
	rc, err := d.rt.Logs(ctx, id, lo)
	if err != nil {
		return nil, fmt.Errorf("logs of the previous container of pod %s/%s: %w", namespace, pod, err)
	}
	return rc, nil
}

// restartedInPlace returns one container of a pod ("" its first, as podContainer resolves
// it) when it runs again after an earlier exit (restarted in place): its last run is the
// previous one, newer than any kept previous container. A container that cannot be resolved
// is not (previousContainer explains).
func (d *Daemon) restartedInPlace(ctx context.Context, namespace, pod, container string) (orchestrator.Container, bool, error) {
	id, err := d.podContainer(ctx, namespace, pod, container, api.ErrNotFound)
	if err != nil {
		return orchestrator.Container{}, false, nil
	}
	c, err := d.rt.InspectContainer(ctx, id)
	if errors.Is(err, orchestrator.ErrNotFound) {
		return orchestrator.Container{}, false, nil
	}
	if err != nil {
		return orchestrator.Container{}, false, fmt.Errorf("inspect the container of pod %s/%s: %w", namespace, pod, err)
	}
	ok := !c.FinishedAt.IsZero() && c.State == orchestrator.StateRunning && c.FinishedAt.Before(c.StartedAt)
	return c, ok, nil
}

// previousContainer resolves the last terminated container of a pod (container "": its first
// container), which the controller keeps under identity.PreviousName (retired, until its
// replacement exists) until the next crash replaces it or the pod is removed: a one-container
// pod's main container, or in a multi-container pod each app container and sidecar by name.
// errNoPrevious when there is none. Init containers that run to completion keep none.
func (d *Daemon) previousContainer(ctx context.Context, namespace, pod, container string) (string, error) {
	p, err := d.findPod(ctx, namespace, pod)
	if err != nil {
		return "", err
	}
	names, err := d.previousNames(namespace, p, container)
	if err != nil {
		return "", err
	}
	cs, err := d.rt.ListContainers(ctx, namespace)
	if err != nil {
		return "", fmt.Errorf("list containers of pod %s/%s: %w", namespace, pod, err)
	}
	var prev *orchestrator.Container
	for i, c := range cs {
		for _, canonical := range names {
			// A retired container is the last terminated one too, in the moment between its
			// replacement's creation and its rename to the previous name.
			kept := c.Name == identity.PreviousName(canonical, c.ID) || c.Name == identity.RetiredName(canonical, c.ID)
			if kept && (prev == nil || c.CreatedAt.After(prev.CreatedAt)) {
				prev = &cs[i]
			}
		}
	}
	if prev == nil {
		return "", errNoPrevious
	}
	return prev.ID, nil
}

// previousNames are the canonical names whose previous container "-c container" means: the
// pod's own name for its first container (a one-container pod), the app container's or
// sidecar's name in a multi-container pod.
func (d *Daemon) previousNames(namespace string, p api.Pod, container string) ([]string, error) {
	rec, err := d.store.Get(namespace, p.StatefulSet)
	if err != nil || rec.Spec == nil {
		return []string{identity.ContainerName(namespace, p.StatefulSet, p.Ordinal)}, nil
	}
	spec := rec.Spec.Template.Spec
	if container == "" && len(spec.Containers) > 0 {
		container = spec.Containers[0].Name
	}
	for i, c := range spec.Containers {
		if c.Name == container {
			names := []string{identity.AppContainerName(namespace, p.StatefulSet, p.Ordinal, container)}
			if i == 0 {
				names = append(names, identity.ContainerName(namespace, p.StatefulSet, p.Ordinal))
			}
			return names, nil
		}
	}
	for _, c := range spec.InitContainers {
		if c.Name == container && c.Sidecar() {
			return []string{identity.InitContainerName(namespace, p.StatefulSet, p.Ordinal, container)}, nil
		}
	}
	return nil, &userError{fmt.Sprintf("previous terminated container %q in pod %q not found (app containers and sidecars keep one)",
		container, p.Name), api.ErrNotFound}
}
