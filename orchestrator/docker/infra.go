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
	"os"

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
// is its pause subcommand. No registry is involved, so it works offline and in CI. The binary
// must be static (CGO_ENABLED=0, as `make build` builds it): a scratch image has no libc.
func (r *Runtime) EnsureInfraImage(ctx context.Context) (string, error) {
	r.infraMu.Lock()
	defer r.infraMu.Unlock()
	if r.infraRef != "" {
		return r.infraRef, nil
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
	if err := staticELF(bin); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	sum := sha256.Sum256(bin)
	ref := InfraRepository + ":" + hex.EncodeToString(sum[:])[:16]
	if _, err := r.cli.ImageInspect(ctx, ref); err == nil {
		r.infraRef = ref
		return ref, nil
	}
	if err := r.importInfra(ctx, ref, bin); err != nil {
		return "", err
	}
	r.log.Info("infrastructure image made", "image", ref)
	r.infraRef = ref
	return ref, nil
}

// importInfra imports a root filesystem of one file, the binary, as image ref.
func (r *Runtime) importInfra(ctx context.Context, ref string, bin []byte) error {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: "ordset", Mode: 0o755, Size: int64(len(bin)), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(bin); err != nil {
		return err
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

// staticELF refuses a dynamically linked executable (one that names an interpreter).
func staticELF(bin []byte) error {
	f, err := elf.NewFile(bytes.NewReader(bin))
	if err != nil {
		return fmt.Errorf("not an ELF executable: %w", err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return errors.New("dynamically linked: pods with several containers need a static ordset binary (build it with CGO_ENABLED=0, as make build does)")
		}
	}
	return nil
}
