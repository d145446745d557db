package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"

	"github.com/ordset/ordset/orchestrator/identity"
)

// InfraRepository is the repository of the image that pods' infrastructure containers run.
// The tag is a hash of the binary the image holds, so each ordset build makes (once) and
// reuses its own.
const InfraRepository = "ordset-infra"

// InfraCommand is the hidden subcommand of the ordset binary the infrastructure container
// runs: it holds the pod's namespaces and sleeps until told to stop.
const InfraCommand = "pause"

// EnsureInfraImage returns the infrastructure image, importing it on first use: a
// one-file image (FROM scratch in effect) holding this very ordset binary, whose entry point
// is its pause subcommand. No registry is involved, so it works offline and in CI. `make build`
// makes a static binary (CGO_ENABLED=0); a dynamically linked one brings its loader and libc.
// The image made earlier is inspected again on each use (once per infrastructure container
// created): a user who removed it (docker image prune, as FORMAT.md suggests for old builds'
// images) costs at most one failed create, retried, instead of failing every pod until the
// daemon restarts.
func (r *Runtime) EnsureInfraImage(ctx context.Context) (string, error) {
	r.infraMu.Lock()
	defer r.infraMu.Unlock()
	if r.infraRef != "" {
		if _, err := r.cli.ImageInspect(ctx, r.infraRef); err == nil {
			return r.infraRef, nil
		} else if !cerrdefs.IsNotFound(err) {
			return "", fmt.Errorf("inspect image %s: %w", r.infraRef, err)
		}
		r.log.Info("infrastructure image removed meanwhile; making it again", "image", r.infraRef)
		r.infraRef = ""
	}
	path := r.infraBinary
	if path == "" {
		exe, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("find the ordset binary: %w", err)
		}
		path = exe
	}
	bin, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read the ordset binary: %w", err)
	}
	files := []infraFile{{path: "ordset", data: bin}}
	if libs, err := loaderFiles(bin); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	} else {
		files = append(files, libs...)
	}
	sum := sha256.Sum256(bin)
	ref := InfraRepository + ":" + hex.EncodeToString(sum[:])[:16]
	if _, err := r.cli.ImageInspect(ctx, ref); err == nil {
		r.infraRef = ref
		return ref, nil
	}
	if err := r.importInfra(ctx, ref, files); err != nil {
		return "", err
	}
	r.log.Info("infrastructure image made", "image", ref)
	r.infraRef = ref
	return ref, nil
}

// infraFile is one file of the infrastructure image's root filesystem.
type infraFile struct {
	path string // relative to /
	data []byte
}

// importInfra imports a root filesystem of the binary (and, for a dynamically linked one, its
// loader and libraries) as image ref.
func (r *Runtime) importInfra(ctx context.Context, ref string, files []infraFile) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, f := range files {
		for d := filepath.Dir(f.path); d != "." && !dirs[d]; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if err := tw.WriteHeader(&tar.Header{Name: d + "/", Mode: 0o755, Typeflag: tar.TypeDir}); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.path, Mode: 0o755, Size: int64(len(f.data)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	rc, err := r.cli.ImageImport(ctx, image.ImportSource{Source: &buf, SourceName: "-"}, ref, image.ImportOptions{
		Message: "ordset infrastructure container",
		Changes: []string{
			fmt.Sprintf(`ENTRYPOINT ["/ordset", %q]`, InfraCommand),
			"LABEL " + identity.LabelManagedBy + "=" + identity.ManagedByValue,
		},
	})
	if err != nil {
		return fmt.Errorf("import image %s: %w", ref, err)
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var msg struct {
			Error string `json:"error"`
		}
		if err := dec.Decode(&msg); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("import image %s: %w", ref, err)
		}
		if msg.Error != "" {
			return fmt.Errorf("import image %s: %s", ref, msg.Error)
		}
	}
}

// libDirs are where a dynamically linked binary's libraries are looked for.
var libDirs = []string{"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
	"/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"}

// loaderFiles returns nothing for a static executable (what `make build` makes). A
// dynamically linked one (a plain `go build` with a C compiler around) gets its loader and
// the libraries it names, read from this host, so a scratch image can still run it; a
// library that cannot be found is an error naming the way out.
func loaderFiles(bin []byte) ([]infraFile, error) {
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return nil, fmt.Errorf("not an ELF executable: %w", err)
	}
	var out []infraFile
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		raw, err := io.ReadAll(p.Open())
		if err != nil {
			return nil, err
		}
		interp := strings.TrimRight(string(raw), "\x00")
		if out, err = addHostFile(out, interp); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, nil // static
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return nil, err
	}
	for _, lib := range libs {
		found := false
		for _, d := range libDirs {
			if _, err := os.Stat(filepath.Join(d, lib)); err == nil {
				if out, err = addHostFile(out, filepath.Join(d, lib)); err != nil {
					return nil, err
				}
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("dynamically linked against %s, which is not on this host: build ordset with CGO_ENABLED=0 (as make build does)", lib)
		}
	}
	return out, nil
}

// addHostFile adds the content of a host file (symlinks followed) under its own path.
func addHostFile(files []infraFile, path string) ([]infraFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dynamically linked: %w (build ordset with CGO_ENABLED=0, as make build does)", err)
	}
	return append(files, infraFile{path: strings.TrimPrefix(path, "/"), data: data}), nil
}
