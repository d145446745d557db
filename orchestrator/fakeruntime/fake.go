// Package fakeruntime is an in-memory orchestrator.Runtime for tests: containers, volumes and
// networks live in maps, every call is recorded, errors can be injected per operation and
// object, and tests flip container states (exit, health, IPs) to drive a controller.
// It behaves like the Docker runtime where the controller depends on it: List calls return only
// owned objects, mutating a foreign object fails with ErrNotOwned, a name clash yields
// ErrNameInUse, a failed start leaves the container "created" with State.Error set.
package fakeruntime

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/labels"
)

// Call is one recorded runtime call: the operation and the object name it concerned.
type Call struct {
	Op   string // e.g. "CreateContainer", "StartContainer", "RemoveVolume"
	Name string // container, volume or network name (containers are recorded by name, not ID)
}

func (c Call) String() string { return c.Op + " " + c.Name }

// Runtime is the fake. The zero value is not usable; call New.
type Runtime struct {
	mu         sync.Mutex
	now        func() time.Time
	containers map[string]*entry // by ID
	volumes    map[string]orchestrator.Volume
	networks   map[string]orchestrator.Network
	calls      []Call
	fail       map[string]failure
	subs       []chan orchestrator.Event
	seq        int

	// InitExitCode, when set, decides the exit code of an init container when it starts
	// (it exits immediately). Nil means every init container exits 0.
	InitExitCode func(name string) int
	// ExecFunc answers Exec; nil answers exit 0.
	ExecFunc func(id string, cmd []string) (orchestrator.ExecResult, error)
}

type entry struct {
	c    orchestrator.Container
	spec orchestrator.ContainerSpec
}

type failure struct {
	err  error
	once bool
}

// New returns an empty fake runtime whose clock is now (time.Now when nil).
func New(now func() time.Time) *Runtime {
	if now == nil {
		now = time.Now
	}
	return &Runtime{now: now, containers: map[string]*entry{}, volumes: map[string]orchestrator.Volume{},
		networks: map[string]orchestrator.Network{}, fail: map[string]failure{}}
}

// Fail makes every call op on name fail with err until Clear; FailOnce fails only the next one.
func (r *Runtime) Fail(op, name string, err error) { r.setFail(op, name, err, false) }

// FailOnce makes the next call op on name fail with err.
func (r *Runtime) FailOnce(op, name string, err error) { r.setFail(op, name, err, true) }

// Clear removes an injected failure.
func (r *Runtime) Clear(op, name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.fail, op+" "+name)
}

func (r *Runtime) setFail(op, name string, err error, once bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail[op+" "+name] = failure{err: err, once: once}
}

// record notes a call and returns the injected failure, if any. r.mu must be held.
func (r *Runtime) record(op, name string) error {
	r.calls = append(r.calls, Call{Op: op, Name: name})
	k := op + " " + name
	f, ok := r.fail[k]
	if !ok {
		return nil
	}
	if f.once {
		delete(r.fail, k)
	}
	return f.err
}

// Calls returns a copy of every recorded call, in order.
func (r *Runtime) Calls() []Call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.calls)
}

// CallsTo returns the names of the recorded calls of one operation, in order.
func (r *Runtime) CallsTo(op string) []string {
	var out []string
	for _, c := range r.Calls() {
		if c.Op == op {
			out = append(out, c.Name)
		}
	}
	return out
}

// ResetCalls forgets the recorded calls.
func (r *Runtime) ResetCalls() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = nil
}

// AddForeign creates a container that ordset does not own under name.
func (r *Runtime) AddForeign(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	id := fmt.Sprintf("foreign%04d", r.seq)
	r.containers[id] = &entry{c: orchestrator.Container{ID: id, Name: name, Labels: map[string]string{},
		State: orchestrator.StateRunning, CreatedAt: r.now()}}
}

// RemoveByName deletes a container behind ordset's back (foreign or not), emitting "destroy".
func (r *Runtime) RemoveByName(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.byName(name)
	if e == nil {
		return false
	}
	delete(r.containers, e.c.ID)
	r.emit(e.c, "destroy")
	return true
}

// Container returns the container named name.
func (r *Runtime) Container(name string) (orchestrator.Container, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.byName(name); e != nil {
		return clone(e.c), true
	}
	return orchestrator.Container{}, false
}

// Spec returns the spec a container was created from.
func (r *Runtime) Spec(name string) (orchestrator.ContainerSpec, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.byName(name); e != nil {
		return e.spec, true
	}
	return orchestrator.ContainerSpec{}, false
}

// ContainerNames returns the names of all containers, sorted.
func (r *Runtime) ContainerNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.containers {
		out = append(out, e.c.Name)
	}
	slices.Sort(out)
	return out
}

// VolumeNames returns the names of all volumes, sorted.
func (r *Runtime) VolumeNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(maps.Keys(r.volumes))
}

// Exit makes a running container exit with code, as a crash would, emitting "die".
func (r *Runtime) Exit(name string, code int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.byName(name)
	if e == nil || e.c.State != orchestrator.StateRunning {
		return false
	}
	r.stop(e, code)
	return true
}

// SetHealth sets a container's HEALTHCHECK status, emitting a health_status event.
func (r *Runtime) SetHealth(name, health string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.byName(name)
	if e == nil {
		return false
	}
	e.c.Health = health
	r.emit(e.c, "health_status: "+health)
	return true
}

func (r *Runtime) byName(name string) *entry {
	for _, e := range r.containers {
		if e.c.Name == name {
			return e
		}
	}
	return nil
}

func (r *Runtime) stop(e *entry, code int) {
	e.c.State = orchestrator.StateExited
	e.c.ExitCode = code
	e.c.FinishedAt = r.now()
	e.c.IP, e.c.IPv6 = "", ""
	r.emit(e.c, "die")
}

func (r *Runtime) emit(c orchestrator.Container, action string) {
	ev := orchestrator.Event{Type: "container", Action: action, ID: c.ID, Labels: maps.Clone(c.Labels), Time: r.now()}
	for _, ch := range r.subs {
		select {
		case ch <- ev:
		default: // a slow test subscriber loses events, like a broken stream would
		}
	}
}

func clone(c orchestrator.Container) orchestrator.Container {
	c.Labels = maps.Clone(c.Labels)
	return c
}

func nsMatch(l map[string]string, ns string) bool { return ns == "" || l[labels.Namespace] == ns }

// EnsureNetwork implements orchestrator.Runtime.
func (r *Runtime) EnsureNetwork(_ context.Context, namespace string) (orchestrator.Network, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := orchestrator.NetworkName(namespace)
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
	r.mu.Lock()
	defer r.mu.Unlock()
	name := orchestrator.NetworkName(namespace)
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
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("ListContainers", namespace); err != nil {
		return nil, err
	}
	var out []orchestrator.Container
	for _, e := range r.containers {
		if labels.Owned(e.c.Labels) && nsMatch(e.c.Labels, namespace) {
			out = append(out, clone(e.c))
		}
	}
	slices.SortFunc(out, func(a, b orchestrator.Container) int { return strings.Compare(a.Name, b.Name) })
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
		if labels.Owned(v.Labels) && nsMatch(v.Labels, namespace) {
			v.Labels = maps.Clone(v.Labels)
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b orchestrator.Volume) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// EnsureImage implements orchestrator.Runtime: every image is present.
func (r *Runtime) EnsureImage(_ context.Context, image, _ string, _ func(string)) (orchestrator.ImageInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("EnsureImage", image); err != nil {
		return orchestrator.ImageInfo{}, err
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
		if !labels.Owned(v.Labels) {
			return fmt.Errorf("volume %s: %w, %w", spec.Name, orchestrator.ErrNameInUse, orchestrator.ErrNotOwned)
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
	if !labels.Owned(v.Labels) {
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
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.record("CreateContainer", spec.Name); err != nil {
		return "", err
	}
	if e := r.byName(spec.Name); e != nil {
		if !labels.Owned(e.c.Labels) {
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
	r.containers[id] = &entry{spec: spec, c: orchestrator.Container{ID: id, Name: spec.Name,
		Labels: maps.Clone(spec.Labels), Image: spec.Image, State: orchestrator.StateCreated, CreatedAt: r.now()}}
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
	if err := r.record("StartContainer", e.c.Name); err != nil {
		e.c.Error = err.Error()
		e.c.ExitCode = 128
		e.c.FinishedAt = r.now()
		return err
	}
	e.c.State, e.c.Error, e.c.ExitCode = orchestrator.StateRunning, "", 0
	e.c.StartedAt = r.now()
	e.c.FinishedAt = time.Time{}
	r.seq++
	e.c.IP = fmt.Sprintf("10.1.%d.%d", r.seq/250, r.seq%250+2)
	r.emit(e.c, "start")
	if e.c.Labels[labels.Role] == labels.RoleInit {
		code := 0
		if r.InitExitCode != nil {
			code = r.InitExitCode(e.c.Name)
		}
		r.stop(e, code)
	}
	return nil
}

// StopContainer implements orchestrator.Runtime.
func (r *Runtime) StopContainer(_ context.Context, id string, _ time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, err := r.owned(id)
	if err != nil {
		return err
	}
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

// InspectContainer implements orchestrator.Runtime; it accepts an ID or a name, like Docker,
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
	if !labels.Owned(e.c.Labels) {
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

// Logs implements orchestrator.Runtime with an empty stream.
func (r *Runtime) Logs(context.Context, string, orchestrator.LogOptions) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader("")), nil
}

// Events implements orchestrator.Runtime: container events until ctx ends.
func (r *Runtime) Events(ctx context.Context) (<-chan orchestrator.Event, <-chan error) {
	ch := make(chan orchestrator.Event, 256)
	errc := make(chan error, 1)
	r.mu.Lock()
	r.subs = append(r.subs, ch)
	r.mu.Unlock()
	go func() {
		<-ctx.Done()
		r.mu.Lock()
		r.subs = slices.DeleteFunc(r.subs, func(c chan orchestrator.Event) bool { return c == ch })
		r.mu.Unlock()
		errc <- ctx.Err()
	}()
	return ch, errc
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

var _ orchestrator.Runtime = (*Runtime)(nil)
