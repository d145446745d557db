package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func scaleCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "scale",
		Usage:     "change the number of replicas of a statefulset",
		ArgsUsage: "SET REPLICAS",
		Description: `Grows a set from its lowest missing ordinal up, or shrinks it from the highest ordinal
down, one pod at a time (OrderedReady). Volumes of removed ordinals are kept unless the
set's whenScaled policy is Delete. Waits until the set is Ready unless --no-wait.
The next "ordset up" applies the file's replicas again.

Examples:
   ordset scale redis 5
   ordset scale redis 2 -n demo --no-wait`,
		Flags:  []cli.Flag{noWaitFlag, timeoutFlag, progressFlag},
		Action: action(s, runScale),
	}
}

func runScale(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) != 2 {
		return usageErrorf("scale needs SET and REPLICAS (e.g. ordset scale redis 3)")
	}
	set := in.arg(0)
	n, err := strconv.Atoi(in.arg(1))
	if err != nil || n < 0 {
		return usageErrorf("replicas must be a number >= 0, got %q", in.arg(1))
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	if err := cl.Scale(ctx, api.ScaleRequest{Namespace: ns, Set: set, Replicas: n}); err != nil {
		return err
	}
	fmt.Fprintf(s.Err, "statefulset %s/%s scaled to %d\n", ns, set, n)
	if in.Bool("no-wait") {
		return nil
	}
	return watchProgress(ctx, cl, ns, []string{set}, untilReady, in.Duration("timeout"), s.Err, progressTTY(in, s))
}
