package fakeruntime

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/volumes"
)

// EnsureNetwork implements orchestrator.Runtime.
func (r *Runtime) EnsureNetwork(_ context.Context, namespace string) (orchestrator.Network, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := identity.NetworkName(namespace)
	if err := r.record("EnsureNetwork", name); err != nil {
		return orchestrator.Network{}, err
	}
	if n, ok := r.networks[name]; ok {
		return n, nil
	}
	r.seq++
	n := orchestrator.Network{ID: fmt.Sprintf("net%04d", r.seq), Name: name, Namespace: namespace,
		Gateway: fmt.Sprintf("10.%d.0.1", len(r.networks)+1), Subnet: fmt.Sprintf("10.%d.0.0/16", len(r.networks)+1)}
	r.networks[name] = n
	return n, nil
}

// RemoveNetwork implements orchestrator.Runtime.
func (r *Runtime) RemoveNetwork(_ context.Context, namespace string) error {
	r.hook("RemoveNetwork", namespace)
	r.mu.Lock()
	defer r.mu.Unlock()
	name := identity.NetworkName(namespace)
	if err := r.record("RemoveNetwork", name); err != nil {
		return err
	}
	delete(r.networks, name)
	return nil
}

// ListNetworks implements orchestrator.Runtime.
func (r *Runtime) ListNetworks(context.Context) ([]orchestrator.Network, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("ListNetworks", ""); err != nil {
		return nil, err
	}
	return slices.Collect(maps.Values(r.networks)), nil
}

// ListContainers implements orchestrator.Runtime.
func (r *Runtime) ListContainers(_ context.Context, namespace string) ([]orchestrator.Container, error) {
	defer r.hook("ListContainers", namespace)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("ListContainers", namespace); err != nil {
		return nil, err
	}
	var out []orchestrator.Container
	for _, e := range r.containers {
		if identity.Owned(e.c.Labels) && nsMatch(e.c.Labels, namespace) {
			out = append(out, clone(e.c))
		}
	}
	slices.SortFunc(out, func(a, b orchestrator.Container) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ListForeignNames implements orchestrator.Runtime.
func (r *Runtime) ListForeignNames(context.Context) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("ListForeignNames", ""); err != nil {
		return nil, err
	}
	var out []string
	for _, e := range r.containers {
		if !identity.Owned(e.c.Labels) {
			out = append(out, e.c.Name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// ListVolumes implements orchestrator.Runtime.
func (r *Runtime) ListVolumes(_ context.Context, namespace string) ([]orchestrator.Volume, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("ListVolumes", namespace); err != nil {
		return nil, err
	}
	var out []orchestrator.Volume
	for _, v := range r.volumes {
		if identity.Owned(v.Labels) && nsMatch(v.Labels, namespace) {
			v.Labels = maps.Clone(v.Labels)
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b orchestrator.Volume) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// EnsureImage implements orchestrator.Runtime as the Docker runtime does: the pull policy
// decides (orchestrator.PullDecision, then PullFailed after a failed pull). Every image is
// present unless listed in Absent; a pull makes it present (unless Unpullable lists it) after
// "pulling" the lines of PullLines[image] through progress. Every call's image and policy is
// kept for ImageRequests.
// FakeInfraImage is the infrastructure image the fake runtime reports.
const FakeInfraImage = "ordset-infra:fake"

// EnsureInfraImage records the call and reports FakeInfraImage.
func (r *Runtime) EnsureInfraImage(context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("EnsureInfraImage", FakeInfraImage); err != nil {
		return "", err
	}
	return FakeInfraImage, nil
}

func (r *Runtime) EnsureImage(_ context.Context, image, policy string, progress func(string)) (orchestrator.ImageInfo, error) {
	r.mu.Lock()
	err := r.record("EnsureImage", image)
	present := !r.Absent[image]
	req := ImageRequest{Image: image, Policy: policy}
	var step orchestrator.ImageStep
	if err == nil {
		step, err = orchestrator.PullDecision(image, policy, present)
	}
	var pullErr error
	if err == nil && step == orchestrator.Pull {
		req.Pulled = true
		if r.Unpullable[image] {
			pullErr = fmt.Errorf("pull access denied for %s: repository does not exist", image)
		} else {
			delete(r.Absent, image)
		}
	}
	r.images = append(r.images, req)
	lines := r.PullLines[image]
	r.mu.Unlock()
	if err != nil {
		return orchestrator.ImageInfo{}, err
	}
	if req.Pulled && pullErr == nil && progress != nil {
		for _, l := range lines {
			progress(l)
		}
	}
	if pullErr != nil {
		if _, ferr := orchestrator.PullFailed(image, present, pullErr); ferr != nil {
			return orchestrator.ImageInfo{}, ferr
		}
	}
	return orchestrator.ImageInfo{ID: "sha256:" + image}, nil
}

// CreateVolume implements orchestrator.Runtime.
func (r *Runtime) CreateVolume(_ context.Context, spec orchestrator.VolumeSpec) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("CreateVolume", spec.Name); err != nil {
		return err
	}
	if v, ok := r.volumes[spec.Name]; ok {
		if !identity.Owned(v.Labels) {
			return fmt.Errorf("volume %s: %w, %w", spec.Name, orchestrator.ErrNameInUse, orchestrator.ErrNotOwned)
		}
		if !volumes.SameClaim(v.Labels, spec.Labels) { // a colliding name of another set's claim
			return fmt.Errorf("volume %s: %w by %s (%w)", spec.Name, orchestrator.ErrNameInUse, volumes.Owner(v.Labels),
				orchestrator.ErrNotOwned)
		}
		return fmt.Errorf("volume %s: %w", spec.Name, orchestrator.ErrNameInUse)
	}
	r.volumes[spec.Name] = orchestrator.Volume{Name: spec.Name, Driver: orDefault(spec.Driver, "local"),
		Labels: maps.Clone(spec.Labels), CreatedAt: r.now()}
	return nil
}

// RemoveVolume implements orchestrator.Runtime.
func (r *Runtime) RemoveVolume(_ context.Context, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("RemoveVolume", name); err != nil {
		return err
	}
	v, ok := r.volumes[name]
	if !ok {
		return nil
	}
	if !identity.Owned(v.Labels) {
		return fmt.Errorf("volume %s: %w", name, orchestrator.ErrNotOwned)
	}
	for _, e := range r.containers {
		for _, m := range e.spec.Mounts {
			if m.Type == "volume" && m.Source == name {
				return fmt.Errorf("volume %s is in use by %s", name, e.c.Name)
			}
		}
	}
	delete(r.volumes, name)
	return nil
}

// CreateContainer implements orchestrator.Runtime.
func (r *Runtime) CreateContainer(_ context.Context, spec orchestrator.ContainerSpec) (string, error) {
	r.hook("CreateContainer", spec.Name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("CreateContainer", spec.Name); err != nil {
		return "", err
	}
	if e := r.byName(spec.Name); e != nil {
		if !identity.Owned(e.c.Labels) {
			return e.c.ID, fmt.Errorf("container %s: %w by an object %w", spec.Name, orchestrator.ErrNameInUse, orchestrator.ErrNotOwned)
		}
		return e.c.ID, fmt.Errorf("container %s: %w", spec.Name, orchestrator.ErrNameInUse)
	}
	for _, m := range spec.Mounts {
		if m.Type == "volume" {
			if _, ok := r.volumes[m.Source]; !ok {
				// Docker would create an unlabelled volume; the controller must never rely on that.
				return "", fmt.Errorf("container %s: volume %s does not exist", spec.Name, m.Source)
			}
		}
	}
	r.seq++
	id := fmt.Sprintf("c%04d", r.seq)
	var vols []string
	for _, m := range spec.Mounts {
		if m.Type == "volume" {
			vols = append(vols, m.Source)
		}
	}
	r.containers[id] = &entry{spec: spec, c: orchestrator.Container{ID: id, Name: spec.Name,
		Labels: maps.Clone(spec.Labels), Image: spec.Image, State: orchestrator.StateCreated, CreatedAt: r.now(),
		NetworkMode: spec.Network, NetworkID: r.networks[spec.Network].ID, VolumeNames: vols}}
	r.emit(r.containers[id].c, "create")
	return id, nil
}

// StartContainer implements orchestrator.Runtime. A started init container exits at once
// with InitExitCode.
func (r *Runtime) StartContainer(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, err := r.owned(id)
	if err != nil {
		return err
	}
	err = r.record("StartContainer", e.c.Name)
	n, ok := r.networks[e.spec.Network]
	if err == nil && e.spec.Network != "" && (!ok || e.c.NetworkID != "" && e.c.NetworkID != n.ID) {
		// Like Docker: the create succeeds, the start finds the network missing (or recreated
		// under the same name since: the container still names the old one's ID).
		err = fmt.Errorf("container %s: network %s: %w", e.c.Name, e.spec.Network, orchestrator.ErrNotFound)
	}
	if err != nil {
		// Like Docker: a container that ran before keeps its last exit (code and time).
		e.c.Error = err.Error()
		if e.c.StartedAt.IsZero() {
			e.c.ExitCode = 128
			e.c.FinishedAt = r.now()
		}
		return err
	}
	e.c.State, e.c.Error, e.c.ExitCode, e.c.Detached = orchestrator.StateRunning, "", 0, false
	if e.spec.Network != "" {
		e.c.NetworkID = n.ID
	}
	e.c.StartedAt = r.now() // FinishedAt stays: Docker keeps the last exit's time while running
	r.seq++
	e.c.IP = fmt.Sprintf("10.1.%d.%d", r.seq/250, r.seq%250+2)
	if r.StartIP != "" {
		e.c.IP = r.StartIP
	}
	if e.spec.UseImageHealthcheck && r.Healthchecks[e.c.Image] {
		e.c.Health = "starting"
	}
	r.emit(e.c, "start")
	if e.c.Labels[identity.LabelRole] == identity.RoleInit {
		code := 0
		if r.InitExitCode != nil {
			code = r.InitExitCode(e.c.Name)
		}
		r.stop(e, code)
	}
	return nil
}

// StopContainer implements orchestrator.Runtime.
func (r *Runtime) StopContainer(_ context.Context, id string, grace time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, err := r.owned(id)
	if err != nil {
		return err
	}
	if r.graces == nil {
		r.graces = map[string]time.Duration{}
	}
	r.graces[e.c.Name] = grace
	if err := r.record("StopContainer", e.c.Name); err != nil {
		return err
	}
	if e.c.State == orchestrator.StateRunning {
		r.stop(e, 143)
	}
	return nil
}

// RemoveContainer implements orchestrator.Runtime; a missing container is not an error.
func (r *Runtime) RemoveContainer(_ context.Context, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, err := r.owned(id)
	if err != nil {
		if e == nil {
			return nil
		}
		return err
	}
	if err := r.record("RemoveContainer", e.c.Name); err != nil {
		return err
	}
	delete(r.containers, id)
	r.emit(e.c, "destroy")
	return nil
}

// RenameContainer implements orchestrator.Runtime (recorded under the old name).
func (r *Runtime) RenameContainer(_ context.Context, id, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, err := r.owned(id)
	if err != nil {
		return err
	}
	if err := r.record("RenameContainer", e.c.Name); err != nil {
		return err
	}
	if r.byName(name) != nil {
		return fmt.Errorf("container %s: %w", name, orchestrator.ErrNameInUse)
	}
	e.c.Name = name
	e.spec.Name = name
	r.emit(e.c, "rename")
	return nil
}

// InspectContainer serves the daemon (and tests); it accepts an ID or a name, like Docker,
// and inspects foreign containers too.
func (r *Runtime) InspectContainer(_ context.Context, id string) (orchestrator.Container, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.containers[id]
	if e == nil {
		e = r.byName(id)
	}
	if err := r.record("InspectContainer", id); err != nil {
		return orchestrator.Container{}, err
	}
	if e == nil {
		return orchestrator.Container{}, fmt.Errorf("container %s: %w", id, orchestrator.ErrNotFound)
	}
	return clone(e.c), nil
}

func (r *Runtime) owned(id string) (*entry, error) {
	e := r.containers[id]
	if e == nil {
		return nil, fmt.Errorf("container %s: %w", id, orchestrator.ErrNotFound)
	}
	if !identity.Owned(e.c.Labels) {
		return e, fmt.Errorf("container %s: %w", e.c.Name, orchestrator.ErrNotOwned)
	}
	return e, nil
}

// Exec implements orchestrator.Runtime.
func (r *Runtime) Exec(_ context.Context, id string, cmd []string) (orchestrator.ExecResult, error) {
	r.mu.Lock()
	f := r.ExecFunc
	e := r.containers[id]
	name := id
	if e != nil {
		name = e.c.Name
	}
	err := r.record("Exec", name)
	r.mu.Unlock()
	if err != nil {
		return orchestrator.ExecResult{}, err
	}
	if e == nil {
		return orchestrator.ExecResult{}, fmt.Errorf("container %s: %w", id, orchestrator.ErrNotFound)
	}
	if f != nil {
		return f(id, cmd)
	}
	return orchestrator.ExecResult{}, nil
}

// Logs serves the daemon with LogFunc's output (none without it) and records the call under the container's
// current name, so tests see which container's logs were asked for.
func (r *Runtime) Logs(_ context.Context, id string, opts orchestrator.LogOptions) (io.ReadCloser, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := id
	if e := r.containers[id]; e != nil {
		name = e.c.Name
	}
	if err := r.record("Logs", name); err != nil {
		return nil, err
	}
	out := ""
	if r.LogFunc != nil {
		out = r.LogFunc(name, opts)
	}
	return io.NopCloser(strings.NewReader(out)), nil
}

// Events implements orchestrator.Runtime: container events until ctx ends or BreakEvents.
func (r *Runtime) Events(ctx context.Context) (<-chan orchestrator.Event, <-chan error) {
	s := sub{ch: make(chan orchestrator.Event, 256), errc: make(chan error, 1)}
	r.mu.Lock()
	r.subs = append(r.subs, s)
	r.mu.Unlock()
	go func() {
		<-ctx.Done()
		r.mu.Lock()
		defer r.mu.Unlock()
		for i, x := range r.subs {
			if x.ch == s.ch {
				r.subs = slices.Delete(r.subs, i, i+1)
				close(s.ch)
				break
			}
		}
	}()
	return s.ch, s.errc
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

var _ orchestrator.Runtime = (*Runtime)(nil)
