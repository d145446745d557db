package docker

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// Options configure a Runtime.
type Options struct {
	Logger *slog.Logger
	// Host is the engine address (unix:///var/run/docker.sock, tcp://...); "" uses DOCKER_HOST and friends.
	Host string
	// ExtraLabels are added to every object the runtime creates. Tests and CI use them to mark
	// their objects (io.ordset.test.object=1) so a crashed run's leftovers can be swept.
	ExtraLabels map[string]string
	// InfraBinary is the static ordset binary the infrastructure image is made from ("": the
	// running executable, which is that binary in the daemon; tests point it at a build).
	InfraBinary string
	// Owner is the id of the daemon's state directory: put on every object created, and required
	// (or absent, on objects of older versions) on every object acted on. "" acts on every ordset object.
	Owner string
}

// Runtime implements orchestrator.Runtime over the Docker Engine API. It is safe for concurrent use.
type Runtime struct {
	cli   *client.Client
	log   *slog.Logger
	extra map[string]string
	owner string

	// owned remembers full container IDs known to carry ordset's labels. Labels never change
	// during a container's life, so mutating calls (and every probe exec) skip an inspect.
	owned sync.Map // id -> struct{}
	// details caches what only an inspect tells (timestamps, OOM, error) per container; see list.go.
	details detailCache
	// cache answers the lists of containers and volumes while events keep it synced (cache.go).
	cache *objectCache
	// images remembers recent image inspects (see imageReuse).
	images imageCache
	// execs delivers exec exit codes from the engine's events (see execwatch.go).
	execs *execWatch
	// starting holds the IDs of the containers a StartContainer call is starting. The engine
	// holds a container's lock for its whole start, so an inspect waits for it: with 200
	// starts at once an observe pass spent 35 s in such waits. A list entry says all there is
	// to know about a container not started yet, so ListContainers does not inspect these.
	starting sync.Map // id -> struct{}

	// infraBinary is the binary the infrastructure image holds ("" is this executable);
	// infraRef the image once made (see EnsureInfraImage).
	infraBinary string
	infraMu     sync.Mutex
	infraRef    string
}

var _ orchestrator.Runtime = (*Runtime)(nil) // and InspectContainer, Logs for the daemon

// New connects to the engine described by opts (or the environment), negotiating the API
// version on first use so Docker 20.10 (API 1.41) works.
func New(opts Options) (*Runtime, error) {
	clientOpts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if opts.Host != "" {
		clientOpts = append(clientOpts, client.WithHost(opts.Host))
	}
	cli, err := client.NewClientWithOpts(clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Runtime{
		cli:     cli,
		log:     log.With("component", "docker"),
		extra:   maps.Clone(opts.ExtraLabels),
		owner:   opts.Owner,
		details: detailCache{m: map[string]detail{}},
		cache:   newObjectCache(),

		infraBinary: opts.InfraBinary,
	}
	r.execs = &execWatch{r: r, waiters: map[string]chan int{}}
	return r, nil
}

// Client exposes the underlying Docker client (for tests and diagnostics).
func (r *Runtime) Client() *client.Client { return r.cli }

// Close releases the client's connections.
func (r *Runtime) Close() error {
	r.execs.close()
	return r.cli.Close()
}

// APIVersion negotiates (if not done yet) and returns the API version in use.
func (r *Runtime) APIVersion(ctx context.Context) string {
	r.cli.NegotiateAPIVersion(ctx)
	return r.cli.ClientVersion()
}

// objectLabels returns the labels for a new object: the caller's, the extra ones and managed-by.
func (r *Runtime) objectLabels(base map[string]string) map[string]string {
	l := make(map[string]string, len(base)+len(r.extra)+1)
	maps.Copy(l, r.extra)
	maps.Copy(l, base)
	l[identity.LabelManagedBy] = identity.ManagedByValue
	if r.owner != "" {
		l[identity.LabelOwner] = r.owner
	}
	return l
}

// mine reports whether the runtime may act on an object with these labels (identity.OwnedBy).
func (r *Runtime) mine(l map[string]string) bool { return identity.OwnedBy(l, r.owner) }

// conflictError reports an object that already exists under a wanted name. It matches
// orchestrator.ErrNameInUse, and orchestrator.ErrNotOwned as well when the object is foreign.
type conflictError struct {
	kind, name, id string
	owned          bool
	// holder names the ordset identity a volume belongs to when it is not the wanted one
	// (then owned is false: the object is not this caller's to use).
	holder string
	// otherOwner and self are set when another ordset daemon (another state directory) made
	// the object: the user must be told which daemon to ask, not that ordset did not make it.
	otherOwner, self string
}

func (e *conflictError) Error() string {
	if e.holder != "" {
		return fmt.Sprintf("%s %s: %v by %s", e.kind, e.name, orchestrator.ErrNameInUse, e.holder)
	}
	if e.otherOwner != "" {
		return fmt.Sprintf("%s %s: %v by another ordset daemon (owner %s; this state directory's is %s), so it is %v here: use that daemon's ORDSET_STATE_DIR",
			e.kind, e.name, orchestrator.ErrNameInUse, e.otherOwner, e.self, orchestrator.ErrNotOwned)
	}
	if e.owned {
		return fmt.Sprintf("%s %s: %v", e.kind, e.name, orchestrator.ErrNameInUse)
	}
	return fmt.Sprintf("%s %s: %v by an object %v", e.kind, e.name, orchestrator.ErrNameInUse, orchestrator.ErrNotOwned)
}

func (e *conflictError) Is(target error) bool {
	return target == orchestrator.ErrNameInUse || (!e.owned && target == orchestrator.ErrNotOwned)
}

// notMine reports an existing object this daemon refuses to touch: a foreign one, or one that
// another ordset daemon (another state directory) made.
func (r *Runtime) notMine(kind, name string, l map[string]string) error {
	if identity.Owned(l) {
		return fmt.Errorf("%s %s belongs to another ordset daemon (owner %s; this state directory's is %s), so it is %w here: use that daemon's ORDSET_STATE_DIR",
			kind, name, l[identity.LabelOwner], r.owner, orchestrator.ErrNotOwned)
	}
	return fmt.Errorf("%s %s exists and is %w (no %s=%s label); remove or rename it",
		kind, name, orchestrator.ErrNotOwned, identity.LabelManagedBy, identity.ManagedByValue)
}

// wrapNotFound maps the engine's not-found errors to orchestrator.ErrNotFound, keeping the cause.
func wrapNotFound(err error) error {
	if cerrdefs.IsNotFound(err) {
		return fmt.Errorf("%w: %w", orchestrator.ErrNotFound, err)
	}
	return err
}
