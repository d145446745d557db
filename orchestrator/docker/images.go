package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"

	"github.com/ordset/ordset/orchestrator"
)

// Pull policies, as Kubernetes spells them ("" means IfNotPresent).
const (
	pullAlways       = "Always"
	pullIfNotPresent = "IfNotPresent"
	pullNever        = "Never"
)

// EnsureImage makes image present according to the pull policy. With Always, a failed pull
// falls back to a local copy (reported through progress): ordset targets laptops and CI
// machines that are often offline, where refusing a present image helps nobody.
func (r *Runtime) EnsureImage(ctx context.Context, ref, pullPolicy string, progress func(line string)) (orchestrator.ImageInfo, error) {
	if progress == nil {
		progress = func(string) {}
	}
	local, lerr := r.inspectImage(ctx, ref)
	if lerr != nil && !errors.Is(lerr, orchestrator.ErrNotFound) {
		return orchestrator.ImageInfo{}, lerr
	}
	present := lerr == nil
	switch pullPolicy {
	case pullNever:
		if !present {
			return orchestrator.ImageInfo{}, fmt.Errorf("image %s not present and imagePullPolicy is Never: build or load it locally: %w",
				ref, orchestrator.ErrNotFound)
		}
		return local, nil
	case pullIfNotPresent, "":
		if present {
			return local, nil
		}
	case pullAlways:
	default:
		return orchestrator.ImageInfo{}, fmt.Errorf("image %s: unknown imagePullPolicy %q", ref, pullPolicy)
	}

	if err := r.pull(ctx, ref, progress); err != nil {
		if present && ctx.Err() == nil {
			progress(fmt.Sprintf("pull failed, using the local image: %v", err))
			return local, nil
		}
		return orchestrator.ImageInfo{}, fmt.Errorf("image %s not present and pull failed: %w; build it locally or set imagePullPolicy: Never", ref, err)
	}
	return r.inspectImage(ctx, ref)
}

func (r *Runtime) inspectImage(ctx context.Context, ref string) (orchestrator.ImageInfo, error) {
	img, err := r.cli.ImageInspect(ctx, ref)
	if err != nil {
		if cerrdefs.IsNotFound(err) {
			return orchestrator.ImageInfo{}, fmt.Errorf("image %s: %w", ref, orchestrator.ErrNotFound)
		}
		return orchestrator.ImageInfo{}, fmt.Errorf("inspect image %s: %w", ref, err)
	}
	info := orchestrator.ImageInfo{ID: img.ID}
	if img.Config != nil && img.Config.Healthcheck != nil {
		t := img.Config.Healthcheck.Test
		info.HasHealthcheck = len(t) > 0 && t[0] != "NONE"
	}
	return info, nil
}

// pull streams the engine's pull progress as one line per message.
func (r *Runtime) pull(ctx context.Context, ref string, progress func(string)) error {
	rc, err := r.cli.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return err
	}
	defer rc.Close()
	dec := json.NewDecoder(rc)
	for {
		var m jsonmessage.JSONMessage
		if err := dec.Decode(&m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read pull progress: %w", err)
		}
		if m.Error != nil {
			return errors.New(m.Error.Message)
		}
		line := strings.TrimSpace(strings.Join(nonEmpty(m.ID, m.Status), " "))
		if m.Progress != nil && m.Progress.Total > 0 {
			line += fmt.Sprintf(" %d/%d", m.Progress.Current, m.Progress.Total)
		}
		if line != "" {
			progress(line)
		}
	}
}

func nonEmpty(parts ...string) []string {
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
