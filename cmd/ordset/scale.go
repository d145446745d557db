package main

import (
	"fmt"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func scaleCommand(env *cliEnv) *cli.Command {
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
		Action: func(c *cli.Context) error { return runScale(c, env) },
	}
}

func runScale(c *cli.Context, env *cliEnv) error {
	if c.NArg() != 2 {
		return usageErrorf("scale needs SET and REPLICAS (e.g. ordset scale redis 3)")
	}
	set := c.Args().Get(0)
	n, err := strconv.Atoi(c.Args().Get(1))
	if err != nil || n < 0 {
		return usageErrorf("replicas must be a number >= 0, got %q", c.Args().Get(1))
	}
	ns, cl, err := connectNamespace(c, env)
	if err != nil {
		return err
	}
	if err := cl.Scale(c.Context, api.ScaleRequest{Namespace: ns, Set: set, Replicas: n}); err != nil {
		return err
	}
	fmt.Fprintf(c.App.ErrWriter, "statefulset %s/%s scaled to %d\n", ns, set, n)
	if c.Bool("no-wait") {
		return nil
	}
	return watchProgress(c.Context, cl, ns, []string{set}, untilReady, c.Duration("timeout"), c.App.ErrWriter, progressTTY(c, env))
}
