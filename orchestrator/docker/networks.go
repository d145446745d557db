package docker

import (
	"context"
	"fmt"
	"net/netip"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// EnsureNetwork creates the namespace's bridge if missing. It is idempotent: concurrent callers
// and daemon restarts get the same network.
func (r *Runtime) EnsureNetwork(ctx context.Context, namespace string) (orchestrator.Network, error) {
	name := identity.NetworkName(namespace)
	nw, err := r.cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if err == nil {
		if !r.mine(nw.Labels) {
			return orchestrator.Network{}, r.notMine("network", name, nw.Labels)
		}
		return toNetwork(nw), nil
	}
	if !cerrdefs.IsNotFound(err) {
		return orchestrator.Network{}, fmt.Errorf("inspect network %s: %w", name, err)
	}
	_, err = r.cli.NetworkCreate(ctx, name, network.CreateOptions{
		Driver: "bridge",
		Labels: r.objectLabels(identity.NetworkLabels(namespace)),
	})
	// A concurrent creator wins the race with a conflict: fall through to inspect either way.
	if err != nil && !cerrdefs.IsConflict(err) {
		return orchestrator.Network{}, fmt.Errorf("create network %s: %w", name, err)
	}
	if err == nil {
		r.log.Info("network created", "network", name)
	}
	nw, err = r.cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if err != nil {
		return orchestrator.Network{}, fmt.Errorf("inspect network %s: %w", name, err)
	}
	if !r.mine(nw.Labels) {
		return orchestrator.Network{}, r.notMine("network", name, nw.Labels)
	}
	return toNetwork(nw), nil
}

// RemoveNetwork removes the namespace's network; a missing one is not an error.
func (r *Runtime) RemoveNetwork(ctx context.Context, namespace string) error {
	name := identity.NetworkName(namespace)
	nw, err := r.cli.NetworkInspect(ctx, name, network.InspectOptions{})
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inspect network %s: %w", name, err)
	}
	if !r.mine(nw.Labels) {
		return r.notMine("network", name, nw.Labels)
	}
	if err := r.cli.NetworkRemove(ctx, nw.ID); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("remove network %s: %w", name, err)
	}
	r.log.Info("network removed", "network", name)
	return nil
}

// ListNetworks returns every ordset network.
func (r *Runtime) ListNetworks(ctx context.Context) ([]orchestrator.Network, error) {
	list, err := r.cli.NetworkList(ctx, network.ListOptions{
		Filters: filters.NewArgs(filters.Arg("label", identity.LabelManagedBy+"="+identity.ManagedByValue)),
	})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	out := make([]orchestrator.Network, 0, len(list))
	for _, nw := range list {
		if r.mine(nw.Labels) {
			out = append(out, toNetwork(nw))
		}
	}
	return out, nil
}

func toNetwork(nw network.Inspect) orchestrator.Network {
	n := orchestrator.Network{ID: nw.ID, Name: nw.Name, Namespace: nw.Labels[identity.LabelNamespace]}
	for _, c := range nw.IPAM.Config {
		p, err := netip.ParsePrefix(c.Subnet)
		if err != nil || !p.Addr().Is4() {
			continue
		}
		n.Subnet = p.Masked().String()
		n.Gateway = c.Gateway
		if n.Gateway == "" {
			n.Gateway = firstHost(p)
		}
		break
	}
	return n
}

// firstHost derives the gateway Docker's bridge driver uses when IPAM does not report one:
// the first address after the network address.
func firstHost(p netip.Prefix) string {
	return p.Masked().Addr().Next().String()
}
