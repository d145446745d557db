package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/store"
)

// Pods implements api.Backend from the Manager's status alone: a set only the store knows has
// no pods yet, so reading and decoding every stored record (spec and revision history), as
// StatefulSets must, would change nothing but the time `ordset ps` takes.
func (d *Daemon) Pods(ctx context.Context, namespace string) ([]api.Pod, error) {
	return podsOf(d.managerStatus(ctx, namespace, observeGrace)), nil
}

// podsOf lists the pods of sets (sorted by namespace and name, as the Manager returns them),
// each set's by ordinal: the order StatefulSets lists them in.
func podsOf(sets []orchestrator.SetStatus) []api.Pod {
	var out []api.Pod
	for _, ss := range sets {
		first := len(out)
		for _, p := range ss.Pods {
			out = append(out, toAPIPod(p))
		}
		pods := out[first:]
		sort.Slice(pods, func(i, j int) bool { return pods[i].Ordinal < pods[j].Ordinal })
	}
	return out
}

// StatefulSets implements api.Backend: the Manager's view, completed from the store for
// sets the Manager has not reported yet, plus sets still being deleted.
func (d *Daemon) StatefulSets(ctx context.Context, namespace string) ([]api.StatefulSet, error) {
	return d.statefulSets(ctx, namespace, observeGrace)
}

// statefulSets is StatefulSets waiting at most grace for sets not observed yet. A watch
// passes 0: it sends a new frame when they are, and must not stall its event stream.
func (d *Daemon) statefulSets(ctx context.Context, namespace string, grace time.Duration) ([]api.StatefulSet, error) {
	stored, err := d.store.List(namespace)
	if err != nil {
		return nil, err
	}
	byKey := map[string]store.Set{}
	for _, s := range stored {
		byKey[s.Namespace+"/"+s.Name] = s
	}
	var out []api.StatefulSet
	seen := map[string]bool{}
	for _, ss := range d.managerStatus(ctx, namespace, grace) {
		key := ss.Namespace + "/" + ss.Name
		seen[key] = true
		rec, ok := byKey[key]
		out = append(out, toAPISet(ss, rec, ok))
	}
	for _, s := range stored {
		if !seen[s.Namespace+"/"+s.Name] {
			waiting := "waiting for the controller"
			if s.Deleting != nil { // the set disappears once the store has forgotten it
				waiting = "deleting"
			}
			out = append(out, api.StatefulSet{Namespace: s.Namespace, Name: s.Name, Image: s.Spec.Main().Image,
				Desired: s.Replicas, Revision: s.Revision, CreatedAt: s.CreatedAt, Waiting: waiting, Pods: []api.Pod{}})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Namespace != out[j].Namespace {
			return out[i].Namespace < out[j].Namespace
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// observeGrace bounds how long a read waits for the Manager's first pass over a set, so
// `ordset ps` right after a daemon (re)start shows the pods Docker already runs, not none.
const observeGrace = 3 * time.Second

// managerStatus returns the Manager's status for one namespace or, for "", all of them,
// waiting up to grace for sets the Manager has not observed since their last change.
func (d *Daemon) managerStatus(ctx context.Context, namespace string, grace time.Duration) []orchestrator.SetStatus {
	if grace <= 0 {
		return d.mgr.Status(namespace)
	}
	ctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	return d.mgr.WaitObserved(ctx, namespace)
}

func toAPISet(ss orchestrator.SetStatus, rec store.Set, stored bool) api.StatefulSet {
	out := api.StatefulSet{
		Namespace: ss.Namespace, Name: ss.Name,
		Desired: ss.Desired, Current: ss.Current, Ready: ss.Ready, Updated: ss.Updated,
		Revision: ss.Revision, Waiting: ss.Waiting, Pods: []api.Pod{},
	}
	out.Status = api.SetStatus{ObservedGeneration: ss.ObservedGeneration, Replicas: ss.Current, ReadyReplicas: ss.Ready,
		AvailableReplicas: ss.Available, CurrentReplicas: ss.AtCurrent, UpdatedReplicas: ss.Updated,
		CurrentRevision: ss.CurrentRevision, UpdateRevision: ss.Revision}
	if stored {
		out.Image, out.CreatedAt = rec.Spec.Main().Image, rec.CreatedAt
		u := rec.Spec.UpdateStrategy
		out.Rollout = api.Rollout{Generation: rec.Generation, UpdateStrategy: u.Type, Partition: u.Partition,
			MaxUnavailable: string(u.MaxUnavailable), Paused: rec.Paused}
	}
	out.Pods = append(out.Pods, podsOf([]orchestrator.SetStatus{ss})...)
	return out
}

func toAPIPod(p orchestrator.PodStatus) api.Pod {
	vols := p.Volumes
	if vols == nil {
		vols = []string{}
	}
	ports := p.Ports
	if ports == nil {
		ports = []compose.Port{}
	}
	var cs []api.PodContainer
	for _, m := range p.Containers {
		cs = append(cs, api.PodContainer{Name: m.Name, Image: m.Image, Sidecar: m.Sidecar, ContainerID: m.ID,
			State: orWaiting(string(m.State)), Ready: m.Ready, Restarts: m.Restarts})
	}
	return api.Pod{
		Containers: cs,
		Name:       p.Name, Namespace: p.Namespace, StatefulSet: p.Set, Service: p.Service, Ordinal: p.Ordinal,
		Container: p.Container, ContainerID: p.ContainerID, IP: p.IP, IPv6: p.IPv6,
		Ready: p.Ready, Status: p.Status, Restarts: p.Restarts, Revision: p.Revision,
		Volumes: vols, Ports: ports, CreatedAt: p.CreatedAt, StartedAt: p.StartedAt, Reason: p.Reason,
	}
}

// findPod resolves a pod name ("redis-1") of a namespace.
func (d *Daemon) findPod(ctx context.Context, namespace, pod string) (api.Pod, error) {
	pods, err := d.Pods(ctx, namespace)
	if err != nil {
		return api.Pod{}, err
	}
	for _, p := range pods {
		if p.Name == pod || p.Container == pod {
			return p, nil
		}
	}
	return api.Pod{}, &userError{fmt.Sprintf("no pod %q in namespace %s (\"ordset ps -n %s\" lists them)", pod, namespace, namespace), api.ErrNotFound}
}

// Describe implements api.Backend for a set name or a pod name.
func (d *Daemon) Describe(ctx context.Context, namespace, name string) (api.Description, error) {
	var desc api.Description
	setName := name
	rec, err := d.store.Get(namespace, name)
	if errors.Is(err, store.ErrNotFound) {
		pod, perr := d.findPod(ctx, namespace, name)
		if perr != nil {
			return desc, &userError{fmt.Sprintf("no statefulset or pod %q in namespace %s (\"ordset get sts -n %s\" lists the sets)", name, namespace, namespace), api.ErrNotFound}
		}
		desc.Pod = &pod
		setName = pod.StatefulSet
		rec, err = d.store.Get(namespace, setName)
	}
	if err == nil {
		desc.Spec = effectiveSpec(rec)
		desc.Revisions = apiRevisions(rec.Revisions)
		desc.RestartedAt = rec.RestartedAt
	}
	sets, err := d.StatefulSets(ctx, namespace)
	if err != nil {
		return desc, err
	}
	for _, s := range sets {
		if s.Name == setName {
			desc.StatefulSet = s
		}
	}
	d.events.flush()
	events, err := d.store.Events(0)
	if err != nil {
		return desc, err
	}
	for _, e := range events {
		if e.Namespace != namespace {
			continue
		}
		if describedEvent(e, setName, desc.Pod) {
			desc.Events = append(desc.Events, apiEvent(e))
		}
	}
	if desc.Pod != nil && desc.Pod.ContainerID != "" {
		desc.ContainerState = d.containerState(ctx, desc.Pod.ContainerID)
	}
	if desc.Pod != nil {
		desc.LastState = d.lastState(ctx, namespace, *desc.Pod)
	}
	if n := len(desc.Events); n > 20 {
		desc.Events = desc.Events[n-20:]
	}
	return desc, nil
}

// lastState is how the pod's previous run ended: its container's last exit when the
// controller restarted it in place (its restart record keeps how it ended; the engine forgets
// the exit code at the start), else its kept previous container's state; nil when neither.
func (d *Daemon) lastState(ctx context.Context, namespace string, pod api.Pod) *api.ContainerState {
	if c, ok, err := d.restartedInPlace(ctx, namespace, pod.Name, ""); err == nil && ok {
		if rs, err := d.store.Restarts(); err == nil {
			if r, ok := rs[c.ID]; ok && r.Failure.Equal(c.FinishedAt) {
				return &api.ContainerState{State: string(orchestrator.StateExited), ExitCode: r.ExitCode,
					OOMKilled: r.OOMKilled, FinishedAt: c.FinishedAt}
			}
		}
	}
	if id, err := d.previousContainer(ctx, namespace, pod.Name, ""); err == nil {
		return d.containerState(ctx, id)
	}
	return nil
}

// containerState is what the engine says of one container now; nil when it cannot say.
func (d *Daemon) containerState(ctx context.Context, id string) *api.ContainerState {
	c, err := d.rt.InspectContainer(ctx, id)
	if err != nil {
		return nil
	}
	return &api.ContainerState{State: string(c.State), ExitCode: c.ExitCode, OOMKilled: c.OOMKilled,
		Error: c.Error, StartedAt: c.StartedAt, FinishedAt: c.FinishedAt}
}

// Events implements api.Backend.
func (d *Daemon) Events(ctx context.Context, q api.EventsQuery, send func(api.Event) error) error {
	match := func(e store.Event) bool {
		return (q.Namespace == "" || e.Namespace == q.Namespace) && (q.Object == "" || e.Object == q.Object)
	}
	return d.events.follow(ctx, q.Since, match, q.Follow, func(e store.Event) error { return send(apiEvent(e)) })
}

// Logs implements api.Backend.
func (d *Daemon) Logs(ctx context.Context, namespace, pod string, opts api.LogOptions) (io.ReadCloser, error) {
	if opts.Previous {
		return d.previousLogs(ctx, namespace, pod, opts)
	}
	id, err := d.podContainer(ctx, namespace, pod, opts.Container, api.ErrNotFound)
	if err != nil {
		return nil, err
	}
	rc, err := d.rt.Logs(ctx, id, orchestrator.LogOptions{Follow: opts.Follow, Tail: opts.Tail, Timestamps: opts.Timestamps})
	if err != nil {
		return nil, fmt.Errorf("logs of pod %s/%s: %w", namespace, pod, err)
	}
	return rc, nil
}

// ExecTarget implements api.Backend.
func (d *Daemon) ExecTarget(ctx context.Context, namespace, pod, container string) (api.ExecTarget, error) {
	id, err := d.podContainer(ctx, namespace, pod, container, api.ErrConflict)
	if err != nil {
		return api.ExecTarget{}, err
	}
	c, err := d.rt.InspectContainer(ctx, id)
	if err != nil {
		return api.ExecTarget{}, fmt.Errorf("inspect pod %s/%s: %w", namespace, pod, err)
	}
	return api.ExecTarget{ContainerID: c.ID, Container: c.Name, Running: c.State == orchestrator.StateRunning}, nil
}

// orphans lists this daemon's containers and volumes (carrying its owner id) whose namespace/set
// the store does not hold. Another daemon's objects, and old ones without an owner id, are never
// this daemon's orphans: it cannot prove they are its own.
func (d *Daemon) orphans(ctx context.Context) ([]api.Orphan, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	stored, err := d.store.List("")
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, s := range stored {
		known[s.Namespace+"/"+s.Name] = true
	}
	for _, s := range d.mgr.Status("") { // sets being deleted are not orphans yet
		known[s.Namespace+"/"+s.Name] = true
	}
	var out []api.Orphan
	add := func(kind, name string, l map[string]string) {
		ns, set := l[identity.LabelNamespace], l[identity.LabelSet]
		if set == "" || known[ns+"/"+set] || !identity.ProvablyOwnedBy(l, d.opts.Owner) {
			return
		}
		out = append(out, api.Orphan{Kind: kind, Name: name, Namespace: ns, Set: set})
	}
	cs, err := d.rt.ListContainers(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	for _, c := range cs {
		add("container", c.Name, c.Labels)
	}
	vs, err := d.rt.ListVolumes(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	for _, v := range vs {
		add("volume", v.Name, v.Labels)
	}
	return out, nil
}

// removeRetainedVolumes removes the namespace's labelled volumes (of sets, when given) whose set is neither stored
// nor still being deleted by the Manager.
func (d *Daemon) removeRetainedVolumes(ctx context.Context, namespace string, sets []string) ([]string, error) {
	orphans, err := d.orphans(ctx)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, o := range orphans {
		if o.Kind != "volume" || o.Namespace != namespace || len(sets) > 0 && !slices.Contains(sets, o.Set) {
			continue
		}
		if err := d.rt.RemoveVolume(ctx, o.Name); err != nil {
			return removed, fmt.Errorf("remove retained volume %s: %w", o.Name, err)
		}
		removed = append(removed, o.Name)
		d.events.record(store.Event{Reason: "VolumeRemoved", Namespace: namespace, Object: "volume/" + o.Name,
			Message: fmt.Sprintf("removed volume %s retained from statefulset %s", o.Name, o.Set)})
	}
	return removed, nil
}

// userError reads as a complete sentence for the CLI user while errors.Is still matches
// its API sentinel (which would otherwise end the message as ": not found").
type userError struct {
	msg  string
	kind error
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.kind }

// noContainer is the error for logs or exec of a pod whose container does not exist yet.
func noContainer(p api.Pod, kind error) error {
	return &userError{fmt.Sprintf("pod %s/%s is %s and has no container yet (\"ordset describe %s -n %s\" says why)",
		p.Namespace, p.Name, p.Status, p.Name, p.Namespace), kind}
}

func orWaiting(s string) string {
	if s == "" {
		return "waiting"
	}
	return s
}
