package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"

	"github.com/ordset/ordset/orchestrator"
)

// EnsureImage makes image present as the pull policy says; orchestrator.PullDecision and
// orchestrator.PullFailed decide, this only inspects and pulls.
func (r *Runtime) EnsureImage(ctx context.Context, ref, pullPolicy string, progress func(line string)) (orchestrator.ImageInfo, error) {
	if progress == nil {
		progress = func(string) {}
	}
	local, lerr := r.localImage(ctx, ref)
	if lerr != nil && !errors.Is(lerr, orchestrator.ErrNotFound) {
		return orchestrator.ImageInfo{}, lerr
	}
	present := lerr == nil
	step, err := orchestrator.PullDecision(ref, pullPolicy, present)
	if err != nil || step == orchestrator.UseLocal {
		return local, err
	}
	if err := r.pull(ctx, ref, progress); err != nil {
		if ctx.Err() != nil {
			return orchestrator.ImageInfo{}, fmt.Errorf("pull image %s: %w", ref, err)
		}
		useLocal, ferr := orchestrator.PullFailed(ref, present, err)
		if useLocal {
			progress(fmt.Sprintf("pull failed, using the local image: %v", err))
			return local, nil
		}
		return orchestrator.ImageInfo{}, ferr
	}
	return r.inspectImage(ctx, ref)
}

// localImage is the local image of a reference, from a recent inspect (see imageReuse) or a
// new one. One inspect of a reference runs at a time: the 200 pods of a Parallel set share
// the first one's answer instead of asking the engine 200 times at once.
func (r *Runtime) localImage(ctx context.Context, ref string) (orchestrator.ImageInfo, error) {
	unlock := r.images.lockRef(ref)
	defer unlock()
	if info, ok := r.images.get(ref); ok {
		return info, nil
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
	if img.Config != nil {
		info.User = img.Config.User
	}
	if img.Config != nil && img.Config.Healthcheck != nil {
		t := img.Config.Healthcheck.Test
		info.HasHealthcheck = len(t) > 0 && t[0] != "NONE"
	}
	r.images.put(ref, info)
	return info, nil
}

// imageReuse is how long a local image's inspect answers for it: a crash replacement or the
// next pod of a set then skips the round trip. Docker resolves the reference again at
// create, so a tag moved meanwhile only delays what the inspect reports (USER, HEALTHCHECK)
// by this much, and a removed image fails the create as before.
const imageReuse = 5 * time.Second

// imageCache holds recent image inspects by reference.
type imageCache struct {
	mu   sync.Mutex
	m    map[string]imageSeen
	refs sync.Map // ref -> *sync.Mutex, held while the reference is inspected
}

// lockRef serialises the work on one reference and returns its unlock.
func (c *imageCache) lockRef(ref string) func() {
	l, _ := c.refs.LoadOrStore(ref, &sync.Mutex{})
	mu := l.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

type imageSeen struct {
	info orchestrator.ImageInfo
	at   time.Time
}

func (c *imageCache) get(ref string) (orchestrator.ImageInfo, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.m[ref]
	if !ok || time.Since(s.at) > imageReuse {
		return orchestrator.ImageInfo{}, false
	}
	return s.info, true
}

func (c *imageCache) put(ref string, info orchestrator.ImageInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]imageSeen{}
	}
	for k, s := range c.m { // keep it small: drop what is stale anyway
		if time.Since(s.at) > imageReuse {
			delete(c.m, k)
		}
	}
	c.m[ref] = imageSeen{info, time.Now()}
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
