// Package fakeruntime is an in-memory orchestrator.Runtime for tests: containers, volumes and
// networks live in maps, every call is recorded, errors can be injected per operation and
// object, and tests flip container states (exit, health, IPs) to drive a controller.
// It behaves like the Docker runtime where the controller depends on it: List calls return only
// owned objects, mutating a foreign object fails with ErrNotOwned, a name clash yields
// ErrNameInUse, EnsureImage applies the pull policy (an absent image under Never is refused),
// a failed start leaves the container "created" with State.Error set, and so
// does a start on a network that does not exist (the create succeeds, as Docker's does).
package fakeruntime

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// Call is one recorded runtime call: the operation and the object name it concerned.
type Call struct {
	Op   string // e.g. "CreateContainer", "StartContainer", "RemoveVolume"
	Name string // container, volume or network name (containers are recorded by name, not ID)
}

func (c Call) String() string { return c.Op + " " + c.Name }

// ImageRequest is one EnsureImage call: the image, the pull policy the runtime was given, and
// whether that policy made it pull.
type ImageRequest struct {
	Image, Policy string
	Pulled        bool
}

func (q ImageRequest) String() string {
	s := q.Image + " " + q.Policy
	if q.Pulled {
		s += " pulled"
	}
	return s
}

// Runtime is the fake. The zero value is not usable; call New.
type Runtime struct {
	mu         sync.Mutex
	now        func() time.Time
	containers map[string]*entry // by ID
	volumes    map[string]orchestrator.Volume
	networks   map[string]orchestrator.Network
	calls      []Call
	fail       map[string]failure
	subs       []sub
	seq        int
	images     []ImageRequest
	graces     map[string]time.Duration // last StopContainer timeout, by container name

	// InitExitCode, when set, decides the exit code of an init container when it starts
	// (it exits immediately). Nil means every init container exits 0.
	InitExitCode func(name string) int
	// StartIP, when set, is the address every start assigns (a test serving a pod's port on
	// loopback); otherwise each start takes a fresh 10.1.x.y.
	StartIP string
	// Healthchecks lists images that define a HEALTHCHECK: their containers start with Health
	// "starting" (when the spec keeps the image healthcheck) until SetHealth.
	Healthchecks map[string]bool
	// PullLines are the progress lines EnsureImage reports when it pulls an image (set before use).
	PullLines map[string][]string
	// Absent lists the images the engine does not have until pulled; every other image is
	// present. Unpullable lists the images a pull cannot fetch (no registry has them). Set
	// both before use.
	Absent, Unpullable map[string]bool
	// LogFunc, when set, gives the output Logs serves for a container name; nil serves none.
	LogFunc func(name string, opts orchestrator.LogOptions) string
	// ExecFunc answers Exec; nil answers exit 0.
	ExecFunc func(id string, cmd []string) (orchestrator.ExecResult, error)
	// Hook, when set, runs unlocked with the operation and object name at the start of
	// CreateContainer and RemoveNetwork, and at the end of ListContainers (after its snapshot
	// is taken), so a test can make a call slow or stale and widen the window of a race it
	// wants to prove closed. Set it before the Manager runs.
	Hook func(op, name string)
}

func (r *Runtime) hook(op, name string) {
	if r.Hook != nil {
		r.Hook(op, name)
	}
}

type sub struct {
	ch   chan orchestrator.Event
	errc chan error
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

// StopGrace returns the timeout of the last StopContainer call for a container name.
func (r *Runtime) StopGrace(name string) (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	g, ok := r.graces[name]
	return g, ok
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

// ImageRequests returns every EnsureImage call's image and policy, in order.
func (r *Runtime) ImageRequests() []ImageRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.images)
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

// AddForged adds a running container made behind ordset's back with copied labels (and
// whatever name, network mode and volumes c says), as someone forging a pod would.
func (r *Runtime) AddForged(c orchestrator.Container) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addForged(c)
}

func (r *Runtime) addForged(c orchestrator.Container) {
	r.seq++
	c.ID = fmt.Sprintf("forged%04d", r.seq)
	c.State, c.CreatedAt, c.StartedAt = orchestrator.StateRunning, r.now(), r.now()
	r.containers[c.ID] = &entry{c: clone(c)}
	r.emit(c, "start")
}

// ReplaceWithForged removes the container named c.Name and adds c, forged, in one step, as
// someone else removing a pod and taking its name before ordset recreates it would. Removing
// and adding in two calls races the controller's recreation (and the fake, unlike Docker,
// would then hold two containers of the name).
func (r *Runtime) ReplaceWithForged(c orchestrator.Container) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e := r.byName(c.Name); e != nil {
		delete(r.containers, e.c.ID)
		r.emit(e.c, "destroy")
	}
	r.addForged(c)
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

// Pause freezes a running container (docker pause), emitting "pause"; paused false thaws a
// paused one (docker unpause), emitting "unpause".
func (r *Runtime) Pause(name string, paused bool) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	from, to, action := orchestrator.StateRunning, orchestrator.StatePaused, "pause"
	if !paused {
		from, to, action = to, from, "unpause"
	}
	e := r.byName(name)
	if e == nil || e.c.State != from {
		return false
	}
	e.c.State = to
	r.emit(e.c, action)
	return true
}

// DropNetwork removes a namespace's network as a user would by hand (disconnecting every
// container first): its containers keep running without an address, Detached.
func (r *Runtime) DropNetwork(namespace string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := identity.NetworkName(namespace)
	delete(r.networks, name)
	for _, e := range r.containers {
		if e.spec.Network == name {
			e.c.IP, e.c.IPv6, e.c.Detached = "", "", true
			r.emit(e.c, "network disconnect")
		}
	}
}

// BreakEvents ends every event stream with err, as a dropped engine connection would.
func (r *Runtime) BreakEvents(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.subs {
		s.errc <- err
		close(s.ch)
	}
	r.subs = nil
}

// Subscribers returns how many event streams are open.
func (r *Runtime) Subscribers() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.subs)
}

// SetIP sets a container's addresses (a start assigns an IPv4 address already).
func (r *Runtime) SetIP(name, ip, ipv6 string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.byName(name)
	if e == nil {
		return false
	}
	e.c.IP, e.c.IPv6 = ip, ipv6
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
	for _, s := range r.subs {
		select {
		case s.ch <- ev:
		default: // a slow test subscriber loses events, like a broken stream would
		}
	}
}

func clone(c orchestrator.Container) orchestrator.Container {
	c.Labels = maps.Clone(c.Labels)
	return c
}

func nsMatch(l map[string]string, ns string) bool {
	return ns == "" || l[identity.LabelNamespace] == ns
}
