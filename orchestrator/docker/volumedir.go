package docker

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/volume"

	"github.com/ordset/ordset/orchestrator"
)

// Docker 20.10 (API 1.41) can neither mount part of a volume (subPath, API 1.45) nor set a
// volume's group (fsGroup). Both are done here the way the kubelet does them, on the volume's
// own directory: the `local` driver without options keeps a volume's files in a plain host
// directory (its Mountpoint), which a daemon running on the engine's host can reach. Every
// other case is refused with the reason, never approximated.

// volumeDir is the host directory holding a volume's files, or why ordset cannot use it.
func (r *Runtime) volumeDir(v volume.Volume, need string) (string, error) {
	switch {
	case v.Driver != "local":
		return "", fmt.Errorf("volume %s: %s needs the local driver, not %q (Docker 20.10 cannot do it itself)", v.Name, need, v.Driver)
	case len(v.Options) > 0:
		return "", fmt.Errorf("volume %s: %s needs a local volume without driver options (its files are mounted from elsewhere)", v.Name, need)
	case !r.localEngine():
		return "", fmt.Errorf("volume %s: %s needs the engine on this host, not %s", v.Name, need, r.cli.DaemonHost())
	}
	fi, err := os.Stat(v.Mountpoint)
	if err != nil {
		return "", fmt.Errorf("volume %s: %s needs the volume's directory on this host: %w (run the daemon as a user that can read %s)",
			v.Name, need, err, v.Mountpoint)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("volume %s: %s: %s is not a directory", v.Name, need, v.Mountpoint)
	}
	return v.Mountpoint, nil
}

// localEngine reports whether the engine listens on a local socket, so its host paths are ours.
func (r *Runtime) localEngine() bool {
	h := r.cli.DaemonHost()
	return strings.HasPrefix(h, "unix://") || strings.HasPrefix(h, "npipe://")
}

// subPathDir returns dir/sub, creating the missing directories of sub as the kubelet does. No
// component may be a symbolic link: a pod could otherwise point its own volume at any host
// path and have the engine bind it. A new directory inherits a setgid parent's group and
// group write (an fsGroup volume), else it is 0755.
func subPathDir(dir, sub string) (string, error) {
	cur := dir
	for _, part := range strings.Split(filepath.Clean(sub), string(filepath.Separator)) {
		if part == "" || part == "." {
			continue
		}
		if part == ".." {
			return "", fmt.Errorf("subPath %q leaves the volume", sub)
		}
		parent := cur
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		switch {
		case err == nil && fi.Mode()&fs.ModeSymlink != 0:
			return "", fmt.Errorf("subPath %q: %s is a symbolic link, which ordset does not follow out of the volume", sub, part)
		case err == nil:
			continue
		case !errors.Is(err, fs.ErrNotExist):
			return "", fmt.Errorf("subPath %q: %w", sub, err)
		}
		if err := mkdirLike(parent, cur); err != nil {
			return "", fmt.Errorf("subPath %q: %w", sub, err)
		}
	}
	return cur, nil
}

func mkdirLike(parent, dir string) error {
	pi, err := os.Stat(parent)
	if err != nil {
		return err
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if pi.Mode()&fs.ModeSetgid == 0 {
		return nil
	}
	return os.Chmod(dir, 0o775|fs.ModeSetgid) // the group (inherited with setgid) writes, as in its parent
}

// setVolumeGroup gives a volume's files to group gid as the kubelet's fsGroup does: every file
// and directory owned by the group and readable and writable by it (executable where the
// owner may execute), directories setgid so files created later join the group too. Symbolic
// links are re-grouped but not followed.
func setVolumeGroup(dir string, gid int64) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(p, -1, int(gid)); err != nil {
			return fmt.Errorf("fsGroup: %w", err)
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		mode := fi.Mode()
		want := mode | 0o060
		if mode&0o100 != 0 || d.IsDir() {
			want |= 0o010
		}
		if d.IsDir() {
			want |= fs.ModeSetgid
		}
		if want == mode {
			return nil
		}
		if err := os.Chmod(p, want&(fs.ModePerm|fs.ModeSetgid|fs.ModeSetuid|fs.ModeSticky)); err != nil {
			return fmt.Errorf("fsGroup: %w", err)
		}
		return nil
	})
}

// namedVolumes checks every named volume a container mounts exists (the engine would silently
// create a missing one without labels, which ordset would then refuse to manage forever:
// volumes are created by CreateVolume first), gives fsGroup volumes their group, and turns a
// subPath mount into a bind of that part of the volume's directory.
func (r *Runtime) namedVolumes(ctx context.Context, spec orchestrator.ContainerSpec) (orchestrator.ContainerSpec, error) {
	ms := slices.Clone(spec.Mounts)
	grouped := map[string]bool{}
	for i, m := range ms {
		if (m.Type != "volume" && m.Type != "") || m.Source == "" { // anonymous volumes are the engine's to make
			continue
		}
		v, err := r.mountedVolume(ctx, m.Source)
		if err != nil {
			return spec, err
		}
		if m.Group != nil && v.Driver == "local" && v.Options["type"] == "tmpfs" {
			m.Group = nil // a memory emptyDir, which ordset makes world-writable (1777); claims with options are refused earlier
		}
		if m.Group == nil && m.SubPath == "" {
			continue
		}
		need := "subPath " + m.SubPath
		if m.Group != nil {
			need = "fsGroup"
		}
		dir, err := r.volumeDir(v, need)
		if err != nil {
			return spec, err
		}
		if m.Group != nil && !grouped[m.Source] {
			grouped[m.Source] = true
			if err := setVolumeGroup(dir, *m.Group); err != nil {
				return spec, fmt.Errorf("volume %s: %w", m.Source, err)
			}
		}
		if m.SubPath != "" {
			src, err := subPathDir(dir, m.SubPath)
			if err != nil {
				return spec, fmt.Errorf("volume %s: %w", m.Source, err)
			}
			ms[i] = orchestrator.Mount{Type: "bind", Source: src, Target: m.Target, ReadOnly: m.ReadOnly}
		}
	}
	spec.Mounts = ms
	return spec, nil
}

// mountedVolume is the volume a container is about to mount: as its create answered moments
// ago (see freshVolumes), or as an inspect says.
func (r *Runtime) mountedVolume(ctx context.Context, name string) (volume.Volume, error) {
	if v, ok := r.fresh.take(name); ok {
		return v, nil
	}
	v, err := r.cli.VolumeInspect(ctx, name)
	if err != nil {
		return v, fmt.Errorf("volume %s: %w", name, wrapNotFound(err))
	}
	return v, nil
}

// groupAnonymous gives fsGroup emptyDirs (anonymous volumes the engine made with the
// container) their group, between the create and the start.
func (r *Runtime) groupAnonymous(ctx context.Context, id string, spec orchestrator.ContainerSpec) error {
	var targets []orchestrator.Mount
	for _, m := range spec.Mounts {
		if m.Type == "volume" && m.Source == "" && m.Group != nil {
			targets = append(targets, m)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	c, err := r.cli.ContainerInspect(ctx, id)
	if err != nil {
		return err
	}
	for _, m := range targets {
		for _, mp := range c.Mounts {
			if mp.Destination != m.Target || mp.Type != mount.TypeVolume {
				continue
			}
			dir, err := r.volumeDir(volume.Volume{Name: "emptyDir " + m.Target, Driver: mp.Driver, Mountpoint: mp.Source}, "fsGroup")
			if err != nil {
				return err
			}
			if err := setVolumeGroup(dir, *m.Group); err != nil {
				return fmt.Errorf("emptyDir %s: %w", m.Target, err)
			}
		}
	}
	return nil
}
