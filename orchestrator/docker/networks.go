package docker

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// EnsureNetwork creates the namespace's bridge if missing and returns the one every container
// is attached to. It is idempotent: concurrent callers and daemon restarts get the same network.
// Docker 20.10 checks names only best effort, so a daemon killed mid-create can leave two
// networks of the name; the oldest owned one is kept (and used by ID, as the name is then
// ambiguous to Docker) and the owned duplicates without containers are removed.
func (r *Runtime) EnsureNetwork(ctx context.Context, namespace string) (orchestrator.Network, error) {
	name := identity.NetworkName(namespace)
	list, err := r.namedNetworks(ctx, name)
	if err != nil {
		return orchestrator.Network{}, err
	}
	if len(list) > 0 && r.ownedCount(list) == 0 {
		return orchestrator.Network{}, r.notMine("network", name, list[0].Labels)
	}
	if len(list) == 0 {
		if list, err = r.createNetwork(ctx, namespace); err != nil {
			return orchestrator.Network{}, err
		}
	}
	keep := r.settleDuplicates(ctx, name, list)
	if keep == "" {
		if len(list) > 0 {
			return orchestrator.Network{}, r.notMine("network", name, list[0].Labels)
		}
		return orchestrator.Network{}, fmt.Errorf("network %s: missing right after its creation", name)
	}
	nw, err := r.cli.NetworkInspect(ctx, keep, network.InspectOptions{})
	if err != nil {
		return orchestrator.Network{}, fmt.Errorf("inspect network %s (%s): %w", name, identity.ShortID(keep), err)
	}
	return toNetwork(nw), nil
}

// createNetwork creates the namespace's network and lists the networks of its name after.
func (r *Runtime) createNetwork(ctx context.Context, namespace string) ([]network.Summary, error) {
	name := identity.NetworkName(namespace)
	_, err := r.cli.NetworkCreate(ctx, name, network.CreateOptions{
		Driver: "bridge",
		Labels: r.objectLabels(identity.NetworkLabels(namespace)),
	})
	// A concurrent creator wins the race with a conflict: fall through to the listing either way.
	if err != nil && !cerrdefs.IsConflict(err) {
		return nil, fmt.Errorf("create network %s: %w", name, err)
	}
	if err == nil {
		r.log.Info("network created", "network", name)
	}
	return r.namedNetworks(ctx, name)
}

// namedNetworks lists the networks named exactly name (Docker's name filter matches substrings).
func (r *Runtime) namedNetworks(ctx context.Context, name string) ([]network.Summary, error) {
	list, err := r.cli.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		return nil, fmt.Errorf("list networks named %s: %w", name, err)
	}
	out := list[:0]
	for _, nw := range list {
		if nw.Name == name {
			out = append(out, nw)
		}
	}
	return out, nil
}

func (r *Runtime) ownedCount(list []network.Summary) int {
	n := 0
	for _, nw := range list {
		if r.mine(nw.Labels) {
			n++
		}
	}
	return n
}

// candidates describes the networks of one name for chooseNetwork; with count, the attached
// containers are counted (one inspect each) when there are duplicates to settle.
func (r *Runtime) candidates(ctx context.Context, list []network.Summary, count bool) []netCandidate {
	dup := count && r.ownedCount(list) > 1
	out := make([]netCandidate, 0, len(list))
	for _, nw := range list {
		c := netCandidate{ID: nw.ID, Created: nw.Created, Owned: r.mine(nw.Labels), Endpoints: -1}
		if dup && c.Owned {
			if in, err := r.cli.NetworkInspect(ctx, nw.ID, network.InspectOptions{}); err == nil {
				c.Endpoints = len(in.Containers)
			}
		}
		out = append(out, c)
	}
	return out
}

// settleDuplicates returns the ID of the network to use and removes the owned duplicates
// without containers; a duplicate with containers is left and logged, a foreign one untouched.
func (r *Runtime) settleDuplicates(ctx context.Context, name string, list []network.Summary) string {
	ch := chooseNetwork(r.candidates(ctx, list, true))
	for _, id := range ch.Remove {
		if err := r.cli.NetworkRemove(ctx, id); err != nil && !cerrdefs.IsNotFound(err) {
			r.log.Warn("cannot remove duplicate network", "network", name, "id", identity.ShortID(id), "err", err)
			continue
		}
		r.log.Warn("duplicate network removed", "network", name, "id", identity.ShortID(id), "kept", identity.ShortID(ch.Keep))
	}
	for _, id := range ch.Busy {
		r.log.Warn("duplicate network has containers; left in place, new containers join the kept one",
			"network", name, "id", identity.ShortID(id), "kept", identity.ShortID(ch.Keep))
	}
	return ch.Keep
}

// networkID resolves the network a container is created on to an ID: with duplicates
// Docker refuses the name as ambiguous. The controller's observed ID (known) is used as it
// is; otherwise the name is looked up. Joined ("container:...") and unknown names are kept.
func (r *Runtime) networkID(ctx context.Context, name, known string) (string, error) {
	if name == "" || strings.Contains(name, ":") {
		return name, nil
	}
	if known != "" {
		return known, nil
	}
	list, err := r.namedNetworks(ctx, name)
	if err != nil {
		return "", err
	}
	if keep := chooseNetwork(r.candidates(ctx, list, false)).Keep; keep != "" {
		return keep, nil
	}
	return name, nil
}

// RemoveNetwork removes the namespace's networks (duplicates too); a missing one is not an error.
func (r *Runtime) RemoveNetwork(ctx context.Context, namespace string) error {
	name := identity.NetworkName(namespace)
	list, err := r.namedNetworks(ctx, name)
	if err != nil {
		return err
	}
	if len(list) > 0 && r.ownedCount(list) == 0 {
		return r.notMine("network", name, list[0].Labels)
	}
	var errs []error
	for _, nw := range list {
		if !r.mine(nw.Labels) {
			continue
		}
		if err := r.cli.NetworkRemove(ctx, nw.ID); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, fmt.Errorf("remove network %s (%s): %w", name, identity.ShortID(nw.ID), err))
			continue
		}
		r.log.Info("network removed", "network", name, "id", identity.ShortID(nw.ID))
	}
	return errors.Join(errs...)
}

// ListNetworks returns every ordset network, one per name: of duplicates only the one
// EnsureNetwork keeps, so the DNS listeners and the planner see a single network per namespace.
func (r *Runtime) ListNetworks(ctx context.Context) ([]orchestrator.Network, error) {
	list, err := r.cli.NetworkList(ctx, network.ListOptions{
		Filters: filters.NewArgs(filters.Arg("label", identity.LabelManagedBy+"="+identity.ManagedByValue)),
	})
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	byName := map[string][]network.Summary{}
	var names []string
	for _, nw := range list {
		if r.mine(nw.Labels) {
			if byName[nw.Name] == nil {
				names = append(names, nw.Name)
			}
			byName[nw.Name] = append(byName[nw.Name], nw)
		}
	}
	out := make([]orchestrator.Network, 0, len(names))
	for _, name := range names {
		keep := chooseNetwork(r.candidates(ctx, byName[name], false)).Keep
		for _, nw := range byName[name] {
			if nw.ID == keep {
				out = append(out, toNetwork(nw))
			}
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
