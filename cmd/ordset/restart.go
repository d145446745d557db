package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func restartCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "restart",
		Usage:     "restart statefulsets (in order, as a rollout) or single pods (docker compose restart)",
		ArgsUsage: "[SET|POD...]",
		Description: `A SET rolls as "ordset rollout restart" does: pods recreated from the highest ordinal
down, each Ready before the next. A POD is deleted and created again by its set (same
name, same volumes). Without arguments, every set of the namespace restarts.
Waits until everything is Ready unless --no-wait.

Examples:
   ordset restart                 # every set of ./ordset.yaml's namespace
   ordset restart redis
   ordset restart redis-2 -n demo`,
		Flags:  []cli.Flag{noWaitFlag, timeoutFlag, progressFlag},
		Action: action(s, runRestart),
	}
}

func runRestart(ctx context.Context, in invocation, s *streams) error {
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	sets, err := cl.StatefulSets(ctx, ns)
	if err != nil {
		return err
	}
	pods, err := cl.Pods(ctx, ns)
	if err != nil {
		return err
	}
	setNames, podNames, err := splitRestartTargets(in.args, sets, pods, ns)
	if err != nil {
		return err
	}
	for _, set := range setNames {
		if err := cl.Restart(ctx, api.RestartRequest{Namespace: ns, Set: set}); err != nil {
			return err
		}
		fmt.Fprintf(s.Err, "statefulset %s/%s restarted\n", ns, set)
	}
	wait := !in.Bool("no-wait")
	if len(podNames) > 0 {
		if err := recreatePods(ctx, cl, ns, podNames, nil, wait, in.Duration("timeout"), s); err != nil {
			return err
		}
	}
	if !wait || len(setNames) == 0 {
		return nil
	}
	return watchProgress(ctx, cl, ns, setNames, untilReady, in.Duration("timeout"), s.Err, progressTTY(in, s))
}

// splitRestartTargets sorts restart's arguments into set and pod names (every set when there
// are none); a name that is neither is an error.
func splitRestartTargets(args []string, sets []api.StatefulSet, pods []api.Pod, ns string) (setNames, podNames []string, err error) {
	isSet, isPod := map[string]bool{}, map[string]bool{}
	for _, st := range sets {
		isSet[st.Name] = true
	}
	for _, p := range pods {
		isPod[p.Name] = true
	}
	if len(args) == 0 {
		for _, st := range sets {
			setNames = append(setNames, st.Name)
		}
		if len(setNames) == 0 {
			return nil, nil, fmt.Errorf("namespace %s has no statefulsets: %w", ns, api.ErrNotFound)
		}
		return setNames, nil, nil
	}
	for _, a := range args {
		switch {
		case isSet[a]:
			setNames = append(setNames, a)
		case isPod[a]:
			podNames = append(podNames, a)
		default:
			return nil, nil, fmt.Errorf("no statefulset or pod %q in namespace %s (\"ordset ps -n %s\" lists them)", a, ns, ns)
		}
	}
	return setNames, podNames, nil
}
