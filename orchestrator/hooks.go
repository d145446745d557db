package orchestrator

import (
	"context"
	"fmt"
	"time"

	"github.com/ordset/ordset/compose"
)

// hookGraceFloor is the least time the stop signal gets after a preStop hook used up the
// grace period, as the kubelet grants a short extra period after the hook.
const hookGraceFloor = 2 * time.Second

// preStop runs the main container's preStop hook inside it before the stop signal, bounded
// by the grace period, and returns the grace left for the signal. A failing hook is logged
// by the caller's error path only in Kubernetes' sense: the stop goes on regardless.
func preStop(ctx context.Context, rt Runtime, tpl PodTemplate, id string, grace time.Duration) (time.Duration, error) {
	h := hook(tpl, func(l *compose.Lifecycle) *compose.LifecycleHandler { return l.PreStop })
	if h == nil || h.Exec == nil {
		return grace, nil
	}
	start := time.Now()
	hctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	res, err := rt.Exec(hctx, id, h.Exec.Command)
	left := max(grace-time.Since(start), hookGraceFloor)
	switch {
	case err != nil:
		return left, fmt.Errorf("preStop hook: %w", err)
	case res.ExitCode != 0:
		return left, fmt.Errorf("preStop hook exited %d", res.ExitCode)
	}
	return left, nil
}

// postStart runs the main container's postStart hook right after it starts. A failed hook
// kills the container, as the kubelet does, and the pod is replaced like any failed one.
func postStart(ctx context.Context, rt Runtime, tpl PodTemplate, id string) error {
	h := hook(tpl, func(l *compose.Lifecycle) *compose.LifecycleHandler { return l.PostStart })
	if h == nil || h.Exec == nil {
		return nil
	}
	res, err := rt.Exec(ctx, id, h.Exec.Command)
	if err == nil && res.ExitCode == 0 {
		return nil
	}
	if err == nil {
		err = fmt.Errorf("exited %d", res.ExitCode)
	}
	_ = rt.StopContainer(ctx, id, 0)
	return fmt.Errorf("postStart hook: %w (container stopped)", err)
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
