package daemon

import (
	"context"
	"fmt"
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

// previousContainer resolves the pod's last terminated main container, which the controller
// keeps under identity.PreviousName (retired, until its replacement exists) until the next
// crash replaces it or the pod is removed.
// Init containers keep no previous one. The error text is kubectl's, for users who grep it.
func (d *Daemon) previousContainer(ctx context.Context, namespace, pod, container string, _ error) (string, error) {
	p, err := d.findPod(ctx, namespace, pod)
	if err != nil {
		return "", err
	}
	if rec, err := d.store.Get(namespace, p.StatefulSet); err == nil && rec.Spec != nil && container != "" {
		if cs := rec.Spec.Template.Spec.Containers; len(cs) == 0 || cs[0].Name != container {
			return "", &userError{fmt.Sprintf("previous terminated container %q in pod %q not found (only the pod's main container keeps one)",
				container, pod), api.ErrNotFound}
		}
	}
	cs, err := d.rt.ListContainers(ctx, namespace)
	if err != nil {
		return "", fmt.Errorf("list containers of pod %s/%s: %w", namespace, pod, err)
	}
	canonical := identity.ContainerName(namespace, p.StatefulSet, p.Ordinal)
	var prev *orchestrator.Container
	for i, c := range cs {
		// A retired container is the last terminated one too, in the moment between its
		// replacement's creation and its rename to the previous name.
		kept := c.Name == identity.PreviousName(canonical, c.ID) || c.Name == identity.RetiredName(canonical, c.ID)
		if kept && (prev == nil || c.CreatedAt.After(prev.CreatedAt)) {
			prev = &cs[i]
		}
	}
	if prev == nil {
		return "", &userError{fmt.Sprintf("previous terminated container in pod %q not found", pod), api.ErrNotFound}
	}
	return prev.ID, nil
}
