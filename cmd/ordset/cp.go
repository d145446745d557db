package main

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/docker/docker/api/types/container"
	"github.com/urfave/cli/v2"
)

func cpCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "cp",
		Usage:     "copy files or directories between a pod and the host (kubectl cp, docker compose cp)",
		ArgsUsage: "POD:SRC DEST | SRC POD:DEST",
		Description: `Talks to the Docker engine directly (DOCKER_HOST applies), as exec does. A directory is
copied with everything under it. When DEST is an existing directory the source lands inside
it under its own name; otherwise it is created as DEST.

Examples:
   ordset cp redis-0:/data/dump.rdb ./dump.rdb
   ordset cp ./redis.conf redis-1:/etc/redis.conf
   ordset cp web-0:/var/log ./logs -n demo`,
		Action: action(s, runCp),
	}
}

// podPathRE is POD:PATH; a pod name is a DNS label followed by -ordinal.
var podPathRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?):(.*)$`) })

// splitPodPath parses POD:PATH; ok is false for a host path.
func splitPodPath(arg string) (pod, p string, ok bool) {
	m := podPathRE().FindStringSubmatch(arg)
	if m == nil || m[3] == "" {
		return "", "", false
	}
	return m[1], m[3], true
}

func runCp(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) != 2 {
		return usageErrorf("cp needs SRC and DEST, one of them POD:PATH")
	}
	srcPod, srcPath, fromPod := splitPodPath(in.arg(0))
	dstPod, dstPath, toPod := splitPodPath(in.arg(1))
	if fromPod == toPod {
		return usageErrorf("cp copies between a pod and the host: exactly one of SRC and DEST is POD:PATH")
	}
	pod := srcPod
	if toPod {
		pod = dstPod
	}
	ns, target, err := podContainer(ctx, in, s, pod, "")
	if err != nil {
		return err
	}
	dc, err := engineClient()
	if err != nil {
		return err
	}
	defer dc.Close()
	if fromPod {
		rc, _, err := dc.CopyFromContainer(ctx, target.ContainerID, srcPath)
		if err != nil {
			return fmt.Errorf("copy %s from pod %s/%s: %w", srcPath, ns, pod, err)
		}
		defer rc.Close()
		return untarTo(rc, in.arg(1))
	}
	dir, name := dstPath, filepath.Base(in.arg(0))
	if st, err := dc.ContainerStatPath(ctx, target.ContainerID, dstPath); err != nil || !st.Mode.IsDir() {
		dir, name = path.Dir(dstPath), path.Base(dstPath) // DEST is the new name
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarFrom(in.arg(0), name, pw)) }()
	if err := dc.CopyToContainer(ctx, target.ContainerID, dir, pr, container.CopyToContainerOptions{}); err != nil {
		return fmt.Errorf("copy %s to pod %s/%s:%s: %w", in.arg(0), ns, pod, dstPath, err)
	}
	return nil
}

// tarFrom writes src (a file or a directory tree) as a tar stream whose top entry is name.
func tarFrom(src, name string, w io.Writer) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		link := ""
		if info.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		hdr.Name = filepath.ToSlash(filepath.Join(name, rel))
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(tw, f)
		return err
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", src, err)
	}
	return tw.Close()
}

// untarTo extracts a tar stream from the engine: into dest when dest is a directory,
// else with its top entry renamed to dest. Entries cannot escape the destination.
func untarTo(r io.Reader, dest string) error {
	tr := tar.NewReader(r)
	base, rename := dest, ""
	if st, err := os.Stat(dest); err != nil || !st.IsDir() {
		base, rename = filepath.Dir(dest), filepath.Base(dest)
	}
	top := ""
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("copy to %s: %w", dest, err)
		}
		name := path.Clean(hdr.Name)
		if top == "" {
			top = strings.SplitN(name, "/", 2)[0]
		}
		if rename != "" {
			name = rename + strings.TrimPrefix(name, top)
		}
		target := filepath.Join(base, filepath.FromSlash(name))
		if rel, err := filepath.Rel(base, target); err != nil || strings.HasPrefix(rel, "..") {
			return fmt.Errorf("copy to %s: entry %q leaves the destination", dest, hdr.Name)
		}
		if err := writeEntry(tr, hdr, target); err != nil {
			return fmt.Errorf("copy to %s: %w", target, err)
		}
	}
}

func writeEntry(tr *tar.Reader, hdr *tar.Header, target string) error {
	mode := fs.FileMode(hdr.Mode).Perm()
	switch hdr.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(target, mode|0o700)
	case tar.TypeSymlink:
		return os.Symlink(hdr.Linkname, target)
	case tar.TypeReg:
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	return nil // devices, fifos: not copied
}
