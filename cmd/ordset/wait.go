package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/ordset/ordset/orchestrator/api"
)

// waitFor says what a progress watch waits for.
type waitFor int

const (
	untilReady waitFor = iota // every watched set converged: all pods exist, updated and Ready
	untilGone                 // every watched set deleted and its pods gone
)

// watchProgress streams the daemon's progress frames for sets of ns, drawing per-pod lines,
// until the goal is reached, a pod fails, or timeout passes.
func watchProgress(ctx context.Context, c *api.Client, ns string, sets []string, goal waitFor, timeout time.Duration, out io.Writer, tty bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := newProgress(out, tty)
	var last api.WatchFrame
	reached := false
	var failure string
	err := c.Watch(ctx, ns, sets, func(f api.WatchFrame) error {
		last = f
		p.update(f, time.Now())
		if goal == untilReady {
			if msg := p.firstFailure(); msg != "" {
				failure = msg
				return api.ErrStop
			}
		}
		if goalReached(f, sets, goal) {
			reached = true
			return api.ErrStop
		}
		return nil
	})
	switch {
	case reached:
		return nil
	case failure != "":
		return fmt.Errorf("%s%s", failure, waitingReasons(last))
	case errors.Is(err, context.DeadlineExceeded) || (err == nil && ctx.Err() != nil):
		return fmt.Errorf("timed out after %s%s", timeout, waitingReasons(last))
	case err != nil:
		return err
	}
	return fmt.Errorf("the daemon ended the progress stream%s", waitingReasons(last))
}

func goalReached(f api.WatchFrame, sets []string, goal waitFor) bool {
	byName := map[string]api.StatefulSet{}
	for _, s := range f.Sets {
		byName[s.Name] = s
	}
	gone := map[string]bool{}
	for _, g := range f.Gone {
		_, name, _ := strings.Cut(g, "/")
		gone[name] = true
	}
	names := sets
	if len(names) == 0 {
		for n := range byName {
			names = append(names, n)
		}
	}
	for _, n := range names {
		s, ok := byName[n]
		switch goal {
		case untilReady:
			if !ok || !s.Converged() {
				return false
			}
		case untilGone:
			// A deleted set stays listed until its pods and (when asked) volumes are gone.
			if ok || !gone[n] {
				return false
			}
		}
	}
	return true
}

func waitingReasons(f api.WatchFrame) string {
	var parts []string
	for _, s := range f.Sets {
		if !s.Converged() {
			r := s.Waiting
			if r == "" {
				r = fmt.Sprintf("%d/%d ready, %d/%d updated", s.Ready, s.Desired, s.Updated, s.Desired)
			}
			parts = append(parts, fmt.Sprintf("statefulset %s/%s: %s", s.Namespace, s.Name, r))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return ""
	}
	return "\n  " + strings.Join(parts, "\n  ")
}
