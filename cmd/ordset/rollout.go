package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func rolloutCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "rollout",
		Usage: "watch or restart a statefulset's rollout",
		Subcommands: []*cli.Command{
			{
				Name:      "status",
				Usage:     "wait until a set's pods all run the current revision and are Ready",
				ArgsUsage: "SET",
				Description: `Examples:
   ordset rollout status redis
   ordset rollout status redis -n demo --timeout 1m
   ordset rollout status redis -o json     # the set's status once rolled out`,
				Flags:  []cli.Flag{timeoutFlag, progressFlag},
				Action: action(s, runRolloutStatus),
			},
			{
				Name:      "restart",
				Usage:     "recreate a set's pods in order (highest ordinal first), each Ready before the next",
				ArgsUsage: "SET",
				Description: `Changes the pod template (an ` + "`ORDSET_RESTARTED_AT`" + ` environment variable, as kubectl
bumps an annotation), so the set rolls like after an image change. A later "ordset up"
with an unchanged file keeps the marker and does not roll again.

Examples:
   ordset rollout restart redis
   ordset rollout restart redis --no-wait`,
				Flags:  []cli.Flag{noWaitFlag, timeoutFlag, progressFlag},
				Action: action(s, runRolloutRestart),
			},
		},
	}
}

func runRolloutStatus(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) != 1 {
		return usageErrorf("rollout status needs one SET")
	}
	set := in.arg(0)
	out, err := in.outputFormat("text", dataFormats("text")...)
	if err != nil {
		return err
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	d, err := cl.Describe(ctx, ns, set)
	if err != nil {
		return err
	}
	if d.Pod != nil { // describe also knows pods; a rollout is a set's
		return fmt.Errorf("%s is a pod of statefulset %s: run \"ordset rollout status %s\"", set, d.StatefulSet.Name, d.StatefulSet.Name)
	}
	if err := watchProgress(ctx, cl, ns, []string{set}, untilReady, in.Duration("timeout"), s.Err, progressTTY(in, s)); err != nil {
		return err
	}
	if isData(out) {
		d, err = cl.Describe(ctx, ns, set)
		if err != nil {
			return err
		}
		return writeData(s.Out, out, d.StatefulSet)
	}
	fmt.Fprintf(s.Out, "statefulset %s/%s rolled out\n", ns, set)
	return nil
}

func runRolloutRestart(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) != 1 {
		return usageErrorf("rollout restart needs one SET")
	}
	set := in.arg(0)
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	if err := cl.Restart(ctx, api.RestartRequest{Namespace: ns, Set: set}); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "statefulset %s/%s restarted\n", ns, set)
	if in.Bool("no-wait") {
		return nil
	}
	return watchProgress(ctx, cl, ns, []string{set}, untilReady, in.Duration("timeout"), s.Err, progressTTY(in, s))
}
