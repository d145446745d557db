package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ordset/ordset/orchestrator/identity"
)

// Executor carries out planned actions, one runtime call (or one logical create+start /
// stop+remove step) per action. It holds no policy: what to do, and in which order, is the
// planner's decision. Actions of one pod run in order and stop at that pod's first error;
// different pods run concurrently so one slow graceful stop does not hold up the others.
type Executor struct {
	RT Runtime
	// PullProgress, when set, receives the image pull progress lines of a container about to be
	// created (a first `up` with a real image can spend most of its time there).
	PullProgress func(spec ContainerSpec, line string)
	// Log, when set, gets a debug line as each action begins (with the engine's event times it
	// shows how long the controller took from an observation to its next call; the scale
	// benchmark reads it) and a warning for each failed preStop hook.
	Log *slog.Logger
	// Slots, when set (see newSlots), bounds the create and start calls in flight; it is
	// shared by every execution, so a burst of one set and the steps of the others share it.
	Slots slots
	// Record makes the counters of a restart in place durable before the start (nil: not
	// kept, as in tests of the executor alone).
	Record func(containerID string, r RestartRecord) error
}

// Result is the outcome of one executed action.
type Result struct {
	Action Action
	// ID is the container created (create-pod, run-init), or the existing one on a name clash.
	ID  string
	Err error
}

// Execute runs the actions and returns one result per action that was attempted.
func (e Executor) Execute(ctx context.Context, tpl PodTemplate, actions []Action) []Result {
	var order []string
	byPod := map[string][]Action{}
	for _, a := range actions {
		lane := a.Pod + "\x00" + a.Lane
		if _, ok := byPod[lane]; !ok {
			order = append(order, lane)
		}
		byPod[lane] = append(byPod[lane], a)
	}
	results := make([][]Result, len(order))
	var wg sync.WaitGroup
	for i, pod := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, a := range byPod[pod] {
				if e.Log != nil {
					e.Log.Debug("action start", "action", a.String(), "pod", a.Pod)
				}
				id, err := e.Do(ctx, tpl, a)
				results[i] = append(results[i], Result{Action: a, ID: id, Err: err})
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	var out []Result
	for _, r := range results {
		out = append(out, r...)
	}
	return out
}

// Do executes one action. Errors name the object acted on.
func (e Executor) Do(ctx context.Context, tpl PodTemplate, a Action) (string, error) {
	switch a.Kind {
	case ActCreateVolume, ActRemoveVolume:
		return "", e.volume(ctx, a)
	case ActCreatePod, ActPreparePod:
		tpl = tpl.forAction(a)
		spec, err := tpl.Pod(a.Ordinal, a.Restarts, a.Backoff)
		if err != nil {
			return "", err
		}
		return e.run(ctx, tpl, spec, -1, a.Kind == ActCreatePod)
	case ActRunInit, ActPrepareInit:
		tpl = tpl.forAction(a)
		spec, err := tpl.Init(a.Ordinal, a.Init, a.Restarts, a.Backoff)
		if err != nil {
			return "", err
		}
		if tpl.InfraID != "" && tpl.Set.Template.Spec.InitContainers[a.Init].Sidecar() {
			return e.runMember(ctx, tpl, spec, a.Init, a.Target)
		}
		return e.run(ctx, tpl, spec, a.Init, a.Kind == ActRunInit)
	case ActCreateInfra:
		return e.createInfra(ctx, tpl.forAction(a), a)
	case ActRunContainer:
		tpl = tpl.forAction(a)
		spec, err := tpl.Member(a.Ordinal, a.Container, a.Restarts, a.Backoff)
		if err != nil {
			return "", err
		}
		return e.runMember(ctx, tpl, spec, -1, a.Container)
	case ActStartPod:
		return "", e.startPod(ctx, tpl.At(a.Revision), a)
	case ActRestartInPlace:
		return "", e.restartInPlace(ctx, tpl.forAction(a), a)
	case ActStartContainer, ActStopPod, ActDeletePod, ActRemoveContainer, ActRetireContainer, ActDeleteContainer, ActKeepPrevious:
		return "", e.container(ctx, tpl.forAction(a), a)
	}
	return "", fmt.Errorf("%s %s: unknown action", a.Kind, a.Target)
}

// volume creates or removes one claim volume.
func (e Executor) volume(ctx context.Context, a Action) error {
	if a.Kind == ActRemoveVolume {
		if err := e.RT.RemoveVolume(ctx, a.Target); err != nil {
			return fmt.Errorf("remove volume %s: %w", a.Target, err)
		}
		return nil
	}
	err := e.Slots.do(ctx, func() error { return e.RT.CreateVolume(ctx, a.Volume) })
	if errors.Is(err, ErrNameInUse) && !errors.Is(err, ErrNotOwned) {
		return nil // ours already: the snapshot was older than the volume
	}
	if err != nil {
		return fmt.Errorf("create volume %s: %w", a.Target, err)
	}
	return nil
}

// preStop runs the preStop hook of the action's container and returns the grace left for
// the stop signal. The stop goes on whatever the hook did; a failed hook is logged, as the
// kubelet reports FailedPreStopHook, so that a user can see why a graceful stop was not.
func (e Executor) preStop(ctx context.Context, tpl PodTemplate, a Action) time.Duration {
	grace, err := PreStop(ctx, e.RT, tpl, HookTarget{Namespace: tpl.Namespace, ContainerID: a.ContainerID, IP: tpl.PodIP}, a.Grace)
	if err != nil && e.Log != nil {
		e.Log.Warn("preStop hook failed; stopping the container anyway", "pod", a.Pod, "container", a.Target, "err", err)
	}
	return grace
}

// container starts, stops, removes or renames an existing container; a stop runs the
// preStop hook of the pod's own revision first (a pod below the partition runs the current
// revision's, as its kubelet would).
func (e Executor) container(ctx context.Context, tpl PodTemplate, a Action) error {
	var err error
	verb := ""
	switch a.Kind {
	case ActStartContainer:
		verb, err = "start", e.start(ctx, a.ContainerID)
	case ActStopPod:
		verb, err = "stop", e.RT.StopContainer(ctx, a.ContainerID, e.preStop(ctx, tpl, a))
	case ActDeletePod, ActDeleteContainer:
		if err := e.RT.StopContainer(ctx, a.ContainerID, e.preStop(ctx, tpl, a)); err != nil && !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("stop container %s: %w", a.Target, err)
		}
		verb, err = "remove", e.RT.RemoveContainer(ctx, a.ContainerID)
	case ActRemoveContainer:
		verb, err = "remove", e.RT.RemoveContainer(ctx, a.ContainerID)
	case ActRetireContainer, ActKeepPrevious:
		if err := e.RT.RenameContainer(ctx, a.ContainerID, a.RenameTo); err != nil {
			return fmt.Errorf("rename container %s to %s: %w", a.Target, a.RenameTo, err)
		}
	}
	if err != nil {
		return fmt.Errorf("%s container %s: %w", verb, a.Target, err)
	}
	return nil
}

// startPod starts a main container created ahead of its turn and runs its postStart hook,
// as create-pod does after its create.
func (e Executor) startPod(ctx context.Context, tpl PodTemplate, a Action) error {
	if err := e.start(ctx, a.ContainerID); err != nil {
		return fmt.Errorf("start container %s: %w", a.Target, err)
	}
	if err := postStart(ctx, e.RT, tpl, a.ContainerID); err != nil {
		return fmt.Errorf("container %s: %w", a.Target, err)
	}
	return nil
}

// restartInPlace records the restart's counters, then starts the failed container again and
// runs its postStart hook. The record comes first, so a daemon killed before the start finds
// it and starts the container without counting its failure twice.
func (e Executor) restartInPlace(ctx context.Context, tpl PodTemplate, a Action) error {
	if e.Record != nil {
		if err := e.Record(a.ContainerID, a.Record); err != nil {
			return fmt.Errorf("restart container %s: %w", a.Target, err)
		}
	}
	if err := e.start(ctx, a.ContainerID); err != nil {
		return fmt.Errorf("restart container %s: %w", a.Target, err)
	}
	if err := postStart(ctx, e.RT, tpl, a.ContainerID); err != nil {
		return fmt.Errorf("container %s: %w", a.Target, err)
	}
	return nil
}

// run makes the image present, then creates one container and, with start, starts it (and
// runs a main container's postStart hook). Without start it only prepares the container:
// nothing of it runs until a later start-pod or start-container.
func (e Executor) run(ctx context.Context, tpl PodTemplate, spec ContainerSpec, init int, start bool) (string, error) {
	image, policy := tpl.PullPolicy(init)
	if app := findContainer(tpl.Set, spec.Labels[identity.LabelContainer]); app != nil && init < 0 {
		image, policy = app.Image, app.ImagePullPolicy
	}
	var progress func(string)
	if e.PullProgress != nil {
		progress = func(line string) { e.PullProgress(spec, line) }
	}
	info, err := e.RT.EnsureImage(ctx, image, policy, progress)
	if err != nil {
		return "", fmt.Errorf("container %s: %w", spec.Name, err)
	}
	if spec.RunAsNonRoot {
		user := spec.User
		if user == "" {
			user = info.User
		}
		if p := rootUserProblem(user); p != "" {
			return "", fmt.Errorf("container %s: runAsNonRoot, but it %s (set runAsUser)", spec.Name, p)
		}
	}
	id, err := e.create(ctx, spec)
	if err != nil {
		return id, fmt.Errorf("create container %s: %w", spec.Name, err)
	}
	if !start {
		return id, nil
	}
	if err := e.start(ctx, id); err != nil {
		return id, fmt.Errorf("start container %s: %w", spec.Name, err)
	}
	if init < 0 || tpl.hookOf != "" { // a main container, app container or sidecar
		if err := postStart(ctx, e.RT, tpl, id); err != nil {
			return id, fmt.Errorf("container %s: %w", spec.Name, err)
		}
	}
	return id, nil
}

// createInfra makes the pod's infrastructure image present (built from the daemon's own
// binary on first use), then creates and starts the infrastructure container.
func (e Executor) createInfra(ctx context.Context, tpl PodTemplate, a Action) (string, error) {
	image, err := e.RT.EnsureInfraImage(ctx)
	if err != nil {
		return "", fmt.Errorf("container %s: infrastructure image: %w", a.Target, err)
	}
	spec := tpl.Infra(a.Ordinal, image, a.Restarts)
	id, err := e.create(ctx, spec)
	if err != nil {
		return id, fmt.Errorf("create container %s: %w", spec.Name, err)
	}
	if err := e.start(ctx, id); err != nil {
		return id, fmt.Errorf("start container %s: %w", spec.Name, err)
	}
	return id, nil
}

// runMember runs an app container or native sidecar of a multi-container pod; its
// postStart hook (its own) runs as for a one-container pod's main container.
func (e Executor) runMember(ctx context.Context, tpl PodTemplate, spec ContainerSpec, init int, name string) (string, error) {
	tpl.hookOf = name
	if init >= 0 {
		tpl.hookOf = tpl.Set.Template.Spec.InitContainers[init].Name
	}
	return e.run(ctx, tpl, spec, init, true)
}

// create creates a container in one of the executor's slots.
func (e Executor) create(ctx context.Context, spec ContainerSpec) (id string, err error) {
	err = e.Slots.do(ctx, func() error {
		id, err = e.RT.CreateContainer(ctx, spec)
		return err
	})
	return id, err
}

// start starts a container in one of the executor's slots.
func (e Executor) start(ctx context.Context, id string) error {
	return e.Slots.do(ctx, func() error { return e.RT.StartContainer(ctx, id) })
}
