package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func downCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:  "down",
		Usage: "delete the statefulsets of a file or namespace (volumes are kept unless --volumes)",
		Description: `Stops pods from the highest ordinal down, removes them and the namespace's network.
Per-ordinal volumes are kept, so a later "ordset up" finds its data again, unless
--volumes is given; "down --volumes" after a plain "down" removes the kept volumes.
Nothing to delete is not an error (exit 0), so a second run succeeds.

Examples:
   ordset down
   ordset down -n demo
   ordset down -f examples/redis/ordset.yaml --volumes`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "volumes", Aliases: []string{"v"}, Usage: "also remove the per-ordinal volumes (data is lost)"},
			noWaitFlag, timeoutFlag, progressFlag,
		},
		Action: func(c *cli.Context) error { return runDown(c, env) },
	}
}

func runDown(c *cli.Context, env *cliEnv) error {
	if c.NArg() > 0 {
		return usageErrorf("down takes no arguments (got %q); use -f FILE or -n NS", c.Args().First())
	}
	var ns string
	var sets []string
	if c.String("namespace") == "" {
		proj, _, err := env.loadProject(c)
		if err != nil && c.String("file") != "" {
			return err
		}
		if proj != nil {
			ns = proj.Namespace
			sets = proj.SetNames()
		}
	}
	if ns == "" {
		var err error
		if ns, err = resolveNamespace(c, env); err != nil {
			return err
		}
	}
	cl, err := connect(c)
	if err != nil {
		return err
	}
	resp, err := cl.Delete(c.Context, api.DeleteRequest{Namespace: ns, Sets: sets, RemoveVolumes: c.Bool("volumes")})
	if errors.Is(err, api.ErrNotFound) {
		// Like "docker compose down", down is idempotent: scripts and a second run succeed.
		fmt.Fprintf(c.App.ErrWriter, "nothing to delete: %s\n", strings.TrimSuffix(err.Error(), ": "+api.ErrNotFound.Error()))
		return nil
	}
	if err != nil {
		return err
	}
	for _, s := range resp.Sets {
		fmt.Fprintf(c.App.ErrWriter, "statefulset %s/%s deleted\n", ns, s)
	}
	for _, v := range resp.Volumes {
		fmt.Fprintf(c.App.ErrWriter, "volume %s removed\n", v)
	}
	if len(resp.Sets) == 0 {
		return nil
	}
	if c.Bool("no-wait") {
		return nil
	}
	return watchProgress(c.Context, cl, ns, resp.Sets, untilGone, c.Duration("timeout"), c.App.ErrWriter, progressTTY(c, env))
}
