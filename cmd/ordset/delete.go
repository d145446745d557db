package main

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func deleteCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "delete",
		Usage: "delete objects (kubectl delete)",
		Description: `Examples:
   ordset delete pod redis-1               # created again, same name and volumes
   ordset delete pods redis-1 redis-2 -n demo`,
		Subcommands: []*cli.Command{{
			Name:      "pod",
			Aliases:   []string{"pods", "po"},
			Usage:     "delete pods; their set creates them again, same name, same volumes",
			ArgsUsage: "POD...",
			Description: `Runs each pod's preStop hook, stops its container (SIGTERM, then SIGKILL when the
grace period, which the hook's time counts in, runs out) and removes it.
The controller sees the ordinal missing and creates it again from the set's current
template, with the same name and volumes: the way out for a pod stuck on a broken
template. To remove a pod for good, scale the set down ("ordset scale").

Examples:
   ordset delete pod redis-1
   ordset delete pod redis-1 redis-2 --grace-period 0
   ordset delete pod web-0 --wait          # until it is back and Ready`,
			Flags: []cli.Flag{
				&cli.IntFlag{Name: "grace-period", Value: -1, Usage: "seconds for the preStop hook and SIGTERM before SIGKILL (-1: the set's terminationGracePeriodSeconds; 0 skips the hook)"},
				&cli.BoolFlag{Name: "wait", Usage: "wait until each pod is back and Ready"},
				timeoutFlag,
			},
			Action: action(s, runDeletePod),
		}},
	}
}

func runDeletePod(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) == 0 {
		return usageErrorf("delete pod needs at least one POD (e.g. ordset delete pod redis-1)")
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	var grace *int64
	if g := in.Int("grace-period"); g >= 0 {
		g64 := int64(g)
		grace = &g64
	}
	return recreatePods(ctx, cl, ns, in.args, grace, in.Bool("wait"), in.Duration("timeout"), s)
}

// recreatePods deletes pods (their set creates them again) and, with wait, waits until each
// runs a new container and is Ready.
func recreatePods(ctx context.Context, cl *api.Client, ns string, pods []string, grace *int64, wait bool, timeout time.Duration, s *streams) error {
	before, err := cl.Pods(ctx, ns)
	if err != nil {
		return err
	}
	old := map[string]string{}
	for _, p := range before {
		old[p.Name] = p.ContainerID
	}
	for _, name := range pods {
		if err := cl.DeletePod(ctx, api.DeletePodRequest{Namespace: ns, Pod: name, GraceSeconds: grace}); err != nil {
			return err
		}
		fmt.Fprintf(s.Err, "pod %s/%s deleted\n", ns, name)
	}
	if !wait {
		return nil
	}
	return pollUntil(ctx, timeout, func() ([]string, error) {
		now, err := cl.Pods(ctx, ns)
		if err != nil {
			return nil, err
		}
		return notRecreated(pods, old, now), nil
	})
}

// notRecreated lists the pods that do not yet run a new, Ready container.
func notRecreated(names []string, oldIDs map[string]string, now []api.Pod) []string {
	var pending []string
	for _, n := range names {
		ok := false
		for _, p := range now {
			if p.Name == n && p.ContainerID != "" && p.ContainerID != oldIDs[n] && p.Ready {
				ok = true
			}
		}
		if !ok {
			pending = append(pending, "pod "+n+" not back and Ready yet")
		}
	}
	return pending
}
