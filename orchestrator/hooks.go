package orchestrator

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/probe"
)

// hookGraceFloor is the least time the stop signal gets after a preStop hook used up the
// grace period, as the kubelet grants a short extra period after the hook.
const hookGraceFloor = 2 * time.Second

// HookTarget is the container a hook runs in (exec) or is sent to (httpGet: its IP on the
// namespace network; "" looks it up).
type HookTarget struct {
	Namespace, ContainerID, IP string
}

// PreStop runs the preStop hook of the template's container (the first one, or the one
// ForContainer names) (exec inside it, or httpGet from the daemon
// to the pod's IP) before the stop signal, and returns the grace left for the signal: the hook's
// time counts in terminationGracePeriodSeconds, as in Kubernetes. A failing hook is returned
// for the caller's log only: the stop goes on regardless. A zero grace (a forced stop) skips
// the hook: there is no time to run it in.
func PreStop(ctx context.Context, rt Runtime, tpl PodTemplate, t HookTarget, grace time.Duration) (time.Duration, error) {
	h := hook(tpl, func(l *compose.Lifecycle) *compose.LifecycleHandler { return l.PreStop })
	if h == nil || grace <= 0 {
		return grace, nil
	}
	start := time.Now()
	hctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	err := runHook(hctx, rt, h, t)
	left := max(grace-time.Since(start), hookGraceFloor)
	if err != nil {
		return left, fmt.Errorf("preStop hook: %w", err)
	}
	return left, nil
}

// postStartLimit bounds a postStart hook, which Kubernetes does not bound at all: the pod's
// other actions wait for it, so a hook that never returns must not hold them forever.
const postStartLimit = 5 * time.Minute

// postStart runs the main container's postStart hook right after it starts. A failed hook
// kills the container, as the kubelet does, and the pod is replaced like any failed one.
func postStart(ctx context.Context, rt Runtime, tpl PodTemplate, id string) error {
	h := hook(tpl, func(l *compose.Lifecycle) *compose.LifecycleHandler { return l.PostStart })
	if h == nil {
		return nil
	}
	hctx, cancel := context.WithTimeout(ctx, postStartLimit)
	defer cancel()
	err := runHook(hctx, rt, h, HookTarget{Namespace: tpl.Namespace, ContainerID: id, IP: tpl.PodIP})
	if err == nil {
		return nil
	}
	_ = rt.StopContainer(ctx, id, 0)
	return fmt.Errorf("postStart hook: %w (container stopped)", err)
}

// runHook runs one hook action: exec in the container, or a GET to it.
func runHook(ctx context.Context, rt Runtime, h *compose.LifecycleHandler, t HookTarget) error {
	switch {
	case h.Exec != nil:
		res, err := rt.Exec(ctx, t.ContainerID, h.Exec.Command)
		if err != nil {
			return err
		}
		if res.ExitCode != 0 {
			return fmt.Errorf("exited %d: %s", res.ExitCode, strings.TrimSpace(string(res.Output)))
		}
		return nil
	case h.HTTPGet != nil:
		if t.IP == "" && h.HTTPGet.Host == "" {
			ip, err := containerIP(ctx, rt, t.Namespace, t.ContainerID)
			if err != nil {
				return err
			}
			t.IP = ip
		}
		_, err := probe.Hook(ctx, h.HTTPGet, probe.Target{ContainerID: t.ContainerID, IP: t.IP})
		return err
	}
	return errors.New("hook has no action")
}

// containerIP finds a container's address on its namespace network, as observed now.
func containerIP(ctx context.Context, rt Runtime, namespace, id string) (string, error) {
	cs, err := rt.ListContainers(ctx, namespace)
	if err != nil {
		return "", fmt.Errorf("find the pod's IP: %w", err)
	}
	for _, c := range cs {
		if c.ID == id && c.IP != "" {
			return c.IP, nil
		}
	}
	return "", fmt.Errorf("container %.12s has no IP on the namespace network", id)
}

func hook(tpl PodTemplate, pick func(*compose.Lifecycle) *compose.LifecycleHandler) *compose.LifecycleHandler {
	if tpl.Set == nil || tpl.hookless {
		return nil
	}
	c := tpl.Set.Main()
	if tpl.hookOf != "" {
		if c = findContainer(tpl.Set, tpl.hookOf); c == nil {
			return nil
		}
	}
	l := c.Lifecycle
	if l == nil {
		return nil
	}
	return pick(l)
}
