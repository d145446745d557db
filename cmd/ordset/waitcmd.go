package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func waitCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "wait",
		Usage:     "wait until pods or statefulsets meet a condition (kubectl wait)",
		ArgsUsage: "[pod/|statefulset/]NAME...",
		Description: `Conditions: condition=Ready (a pod Ready; a set rolled out as "rollout status" decides:
every desired pod Ready and at least replicas - partition on the update revision) and delete (gone). A bare NAME is a set when one
has that name, else a pod. Exits 0 when every object meets the condition, 1 at --timeout.

Examples:
   ordset wait --for=condition=Ready redis
   ordset wait --for=condition=Ready pod/redis-1 --timeout 30s
   ordset wait --for=delete redis-2`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "for", Value: "condition=Ready", Usage: "condition=Ready or delete"},
			&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "give up after this long (exit 1)"},
		},
		Action: action(s, runWait),
	}
}

// waitTarget is one object of wait: a pod or a set ("" kind: whichever has the name).
type waitTarget struct{ kind, name string }

func parseWaitTargets(args []string) ([]waitTarget, error) {
	if len(args) == 0 {
		return nil, usageErrorf("wait needs at least one NAME (e.g. ordset wait --for=condition=Ready redis)")
	}
	var ts []waitTarget
	for _, a := range args {
		kind, name, ok := strings.Cut(a, "/")
		if !ok {
			kind, name = "", a
		}
		switch kind {
		case "", "pod":
		case "statefulset", "statefulsets", "sts":
			kind = "statefulset"
		default:
			return nil, usageErrorf("wait: unknown kind %q (pod or statefulset)", kind)
		}
		ts = append(ts, waitTarget{kind, name})
	}
	return ts, nil
}

func runWait(ctx context.Context, in invocation, s *streams) error {
	targets, err := parseWaitTargets(in.args)
	if err != nil {
		return err
	}
	cond := in.String("for")
	if cond != "condition=Ready" && cond != "delete" {
		return usageErrorf("wait: unsupported --for=%s (condition=Ready or delete)", cond)
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	if err := pollUntil(ctx, in.Duration("timeout"), func() ([]string, error) {
		return unmet(ctx, cl, ns, targets, cond == "delete")
	}); err != nil {
		return err
	}
	for _, t := range targets {
		fmt.Fprintf(s.Out, "%s condition met\n", t.name)
	}
	return nil
}

// unmet lists the targets not yet meeting the condition, each with the reason.
func unmet(ctx context.Context, cl *api.Client, ns string, targets []waitTarget, gone bool) ([]string, error) {
	sets, err := cl.StatefulSets(ctx, ns)
	if err != nil {
		return nil, err
	}
	pods, err := cl.Pods(ctx, ns)
	if err != nil {
		return nil, err
	}
	return waitPending(targets, sets, pods, gone), nil
}

// waitPending is wait's decision, pure: which targets are not there yet, and why.
func waitPending(targets []waitTarget, sets []api.StatefulSet, pods []api.Pod, gone bool) []string {
	var out []string
	for _, t := range targets {
		var set *api.StatefulSet
		var pod *api.Pod
		for i := range sets {
			if sets[i].Name == t.name && t.kind != "pod" {
				set = &sets[i]
			}
		}
		for i := range pods {
			if pods[i].Name == t.name && t.kind != "statefulset" && set == nil {
				pod = &pods[i]
			}
		}
		switch {
		case gone && (set != nil || pod != nil):
			out = append(out, t.name+" still exists")
		case gone:
		case set != nil && !set.Converged():
			out = append(out, fmt.Sprintf("statefulset %s: %d/%d ready, %d updated%s", set.Name, set.Ready, set.Desired, set.Updated, prefixed(": ", set.Waiting)))
		case pod != nil && !pod.Ready:
			out = append(out, fmt.Sprintf("pod %s: %s%s", pod.Name, pod.Status, prefixed(": ", pod.Reason)))
		case set == nil && pod == nil:
			out = append(out, t.name+" does not exist")
		}
	}
	return out
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// pollUntil calls check until it reports nothing pending or timeout passes; it polls (the
// CLI's job: the daemon decides, the client only asks again).
func pollUntil(ctx context.Context, timeout time.Duration, check func() ([]string, error)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var pending []string
	for {
		p, err := check()
		if err != nil && ctx.Err() == nil {
			return err
		}
		if err == nil {
			pending = p
			if len(pending) == 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return fmt.Errorf("timed out after %s: %s", timeout, strings.Join(pending, "; "))
			}
			return &interruptedError{what: "stopped waiting"}
		case <-time.After(200 * time.Millisecond):
		}
	}
}
