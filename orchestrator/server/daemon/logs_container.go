package daemon

import (
	"context"
	"fmt"
	"strings"

	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/server/api"
)

// initContainerID resolves "logs POD -c NAME" to the pod's init container of that name, which
// the controller keeps while the pod lives. An unknown name lists the pod's containers.
func (d *Daemon) initContainerID(ctx context.Context, p api.Pod, name string) (string, error) {
	rec, err := d.store.Get(p.Namespace, p.StatefulSet)
	if err != nil {
		return "", mapStoreErr(err)
	}
	var inits []string
	for _, ic := range effectiveSpec(rec).InitContainers {
		inits = append(inits, ic.Name)
		if ic.Name != name {
			continue
		}
		c, err := d.rt.InspectContainer(ctx, identity.InitContainerName(p.Namespace, p.StatefulSet, p.Ordinal, name))
		if err != nil {
			return "", &userError{fmt.Sprintf("init container %s of pod %s/%s has no container now (it runs before the pod starts and goes with the pod): %v",
				name, p.Namespace, p.Name, err), api.ErrNotFound}
		}
		return c.ID, nil
	}
	return "", &userError{fmt.Sprintf("pod %s/%s has no container %q (containers: %s; init containers: %s)",
		p.Namespace, p.Name, name, p.StatefulSet, orNoneList(inits)), api.ErrNotFound}
}

func orNoneList(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
