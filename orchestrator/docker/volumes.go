package docker

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/volume"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/volumes"
)

// ListVolumes returns every volume of a namespace ("" means all) that this daemon provably made
// (identity.ProvablyOwnedBy). A volume of an older version without an owner id is left out, so
// nothing plans its removal; it is still mounted when its pod asks for it (CreateVolume).
// It answers from the observation cache when that is synced (cache.go).
func (r *Runtime) ListVolumes(ctx context.Context, namespace string) ([]orchestrator.Volume, error) {
	if vs, ok := r.cache.volumesOf(namespace, time.Now()); ok {
		return vs, nil
	}
	epoch, begun := r.cache.begin()
	vs, err := r.listVolumes(ctx, namespace)
	if err == nil && namespace == "" {
		r.cache.fillVolumes(vs, epoch, begun)
	}
	return vs, err
}

// listVolumes lists the engine's volumes of a namespace that this daemon provably made.
func (r *Runtime) listVolumes(ctx context.Context, namespace string) ([]orchestrator.Volume, error) {
	resp, err := r.cli.VolumeList(ctx, volume.ListOptions{Filters: ownedFilter(namespace)})
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	out := make([]orchestrator.Volume, 0, len(resp.Volumes))
	for _, v := range resp.Volumes {
		if v == nil || !identity.ProvablyOwnedBy(v.Labels, r.owner) {
			continue
		}
		out = append(out, toVolume(*v))
	}
	return out, nil
}

// CreateVolume creates a labelled volume. An existing ordset volume of that name is success
// (level-triggered callers may repeat themselves); a foreign one is refused.
func (r *Runtime) CreateVolume(ctx context.Context, spec orchestrator.VolumeSpec) error {
	if v, err := r.cli.VolumeInspect(ctx, spec.Name); err == nil {
		if err := r.existingVolume(spec, v.Labels); err != nil {
			return err
		}
		return r.volumeMode(spec, v) // a daemon killed between the create and the chmod
	} else if !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("inspect volume %s: %w", spec.Name, err)
	}
	begun := time.Now()
	v, err := r.cli.VolumeCreate(ctx, volume.CreateOptions{
		Name:       spec.Name,
		Driver:     spec.Driver,
		DriverOpts: spec.DriverOpts,
		Labels:     r.objectLabels(spec.Labels),
	})
	if err != nil {
		return fmt.Errorf("create volume %s: %w", spec.Name, err)
	}
	// The engine returns an existing volume instead of failing; it may have appeared meanwhile.
	if !r.mine(v.Labels) || !volumes.SameClaim(v.Labels, spec.Labels) {
		return r.existingVolume(spec, v.Labels)
	}
	r.noteVolume(v, begun)
	r.log.Info("volume created", "volume", spec.Name)
	return r.volumeMode(spec, v)
}

// volumeMode makes a WorldWritable volume's directory 0777 as the kubelet makes a disk
// emptyDir, adding to the bits it has (an fsGroup's setgid stays). Where ordset cannot reach
// the directory (another driver, a remote engine, a daemon that may not read it) the volume
// keeps the engine's 0755, which only root containers can write, and a warning says so.
func (r *Runtime) volumeMode(spec orchestrator.VolumeSpec, v volume.Volume) error {
	if !spec.WorldWritable {
		return nil
	}
	dir, err := r.volumeDir(v, "mode 0777 (emptyDir)")
	if err != nil {
		r.log.Warn("emptyDir left writable by root only", "volume", spec.Name, "err", err)
		return nil
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("volume %s: %w", spec.Name, err)
	}
	if want := fi.Mode() | 0o777; want != fi.Mode() {
		if err := os.Chmod(dir, want&(fs.ModePerm|fs.ModeSetgid|fs.ModeSetuid|fs.ModeSticky)); err != nil {
			return fmt.Errorf("volume %s: mode 0777: %w", spec.Name, err)
		}
	}
	return nil
}

// existingVolume judges a volume found under a wanted name: the same claim is success; a foreign
// volume, or another set's claim under a colliding name, is refused (ErrNameInUse, ErrNotOwned).
func (r *Runtime) existingVolume(spec orchestrator.VolumeSpec, have map[string]string) error {
	switch {
	case !r.mine(have) && identity.Owned(have):
		return &conflictError{kind: "volume", name: spec.Name, otherOwner: have[identity.LabelOwner], self: r.owner}
	case !r.mine(have):
		return &conflictError{kind: "volume", name: spec.Name}
	case !volumes.SameClaim(have, spec.Labels):
		return &conflictError{kind: "volume", name: spec.Name, holder: volumes.Owner(have)}
	}
	return nil
}

// RemoveVolume removes a volume this daemon provably made (identity.ProvablyOwnedBy): data is
// never removed on the strength of labels an older version or another daemon wrote. A missing
// volume is not an error.
func (r *Runtime) RemoveVolume(ctx context.Context, name string) error {
	v, err := r.cli.VolumeInspect(ctx, name)
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("inspect volume %s: %w", name, err)
	}
	if !r.mine(v.Labels) {
		return r.notMine("volume", name, v.Labels)
	}
	if !identity.ProvablyOwnedBy(v.Labels, r.owner) {
		return fmt.Errorf("volume %s is %w: an ordset without owner ids made it, so it may be another daemon's data; kept (remove it with: docker volume rm %s)",
			name, orchestrator.ErrNotOwned, name)
	}
	if err := r.cli.VolumeRemove(ctx, name, false); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	r.forgetVolume(name)
	r.log.Info("volume removed", "volume", name)
	return nil
}

// ownedFilter selects ordset objects, optionally of one namespace.
func ownedFilter(namespace string) filters.Args {
	f := filters.NewArgs(filters.Arg("label", identity.LabelManagedBy+"="+identity.ManagedByValue))
	if namespace != "" {
		f.Add("label", identity.LabelNamespace+"="+namespace)
	}
	return f
}
