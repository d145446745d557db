package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func upCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:  "up",
		Usage: "create or update the statefulsets of an ordset file and wait until they are Ready",
		Description: `Validates the file (every problem is printed, nothing is created when there is one),
submits it to the daemon (started in the background if needed) and shows per-pod progress
until every set is Ready. Re-running with an unchanged file is a no-op; a changed pod
template rolls the pods from the highest ordinal down; the file's replicas override an
earlier "ordset scale", as kubectl apply does.

Examples:
   ordset up
   ordset up -f examples/redis/ordset.yaml --timeout 2m
   ordset up --no-wait
   ordset up --prune           # sets removed from the file are deleted too`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "prune", Usage: "also delete the namespace's statefulsets that are no longer in the file (volumes kept)"},
			noWaitFlag, timeoutFlag, progressFlag,
		},
		Action: func(c *cli.Context) error { return runUp(c, env) },
	}
}

func runUp(c *cli.Context, env *cliEnv) error {
	if c.NArg() > 0 {
		return usageErrorf("up takes no arguments (got %q); use -f FILE", c.Args().First())
	}
	proj, _, err := env.loadProject(c)
	if err != nil {
		return err // a ValidationError prints every problem; nothing was submitted
	}
	env.printWarnings(proj)
	cl, err := connect(c)
	if err != nil {
		return err
	}
	resp, err := cl.Apply(c.Context, api.ApplyRequest{Namespace: proj.Namespace, Sets: proj.StatefulSets, Prune: c.Bool("prune")})
	if err != nil {
		return err
	}
	var names, pruned []string
	for _, s := range resp.Sets {
		fmt.Fprintf(c.App.ErrWriter, "statefulset %s/%s %s\n", resp.Namespace, s.Name, s.Action)
		if s.Action == api.Pruned {
			pruned = append(pruned, s.Name)
		} else {
			names = append(names, s.Name)
		}
	}
	if c.Bool("no-wait") {
		return nil
	}
	start := time.Now()
	if err := watchProgress(c.Context, cl, proj.Namespace, names, untilReady, c.Duration("timeout"), c.App.ErrWriter, progressTTY(c, env)); err != nil {
		return err
	}
	if len(pruned) == 0 {
		return nil
	}
	// Pruned sets wind down too before up returns, so a next command finds them gone.
	return watchProgress(c.Context, cl, proj.Namespace, pruned, untilGone, c.Duration("timeout")-time.Since(start), c.App.ErrWriter, progressTTY(c, env))
}
