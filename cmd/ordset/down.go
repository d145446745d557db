package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func downCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "down",
		Usage: "delete the statefulsets of a file or namespace (volumes are kept unless --volumes)",
		Description: `Stops pods from the highest ordinal down, removes them and the namespace's network.
Per-ordinal volumes are kept, so a later "ordset up" finds its data again, unless
--volumes is given; "down --volumes" after a plain "down" removes the kept volumes.
The file's Services (of the whole namespace, with -n) go too.
Nothing to delete is not an error (exit 0), so a second run succeeds. The deletion (with
-t and --volumes) is recorded before anything stops: a daemon killed mid-down finishes it,
with the same grace period, when it starts again.

Examples:
   ordset down
   ordset down -n demo
   ordset down -t 0                # no grace period: SIGKILL right after SIGTERM
   ordset down -f examples/redis/ordset.yaml --volumes`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "volumes", Aliases: []string{"v"}, Usage: "also remove the per-ordinal volumes (data is lost)"},
			&cli.IntFlag{Name: "grace", Aliases: []string{"t"}, Value: -1, Usage: "seconds each pod gets to stop after SIGTERM, instead of the set's terminationGracePeriodSeconds (docker compose down -t)"},
			noWaitFlag, timeoutFlag, progressFlag, imageFlag,
		},
		Action: action(s, runDown),
	}
}

func runDown(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) > 0 {
		return usageErrorf("down takes no arguments (got %q); use -f FILE or -n NS", in.arg(0))
	}
	var ns string
	var sets, services []string
	if in.String("namespace") == "" {
		proj, _, err := s.loadProject(in)
		if err != nil && len(fileFlag(in)) > 0 {
			return err
		}
		if proj != nil {
			ns = proj.Namespace
			sets = proj.SetNames()
			services = slices.Sorted(maps.Keys(proj.Services))
		}
	}
	if ns == "" {
		var err error
		if ns, err = resolveNamespace(in, s); err != nil {
			return err
		}
	}
	cl, err := connect(ctx, s)
	if err != nil {
		return err
	}
	req := api.DeleteRequest{Namespace: ns, Sets: sets, Services: services, RemoveVolumes: in.Bool("volumes")}
	if g := in.Int("grace"); g >= 0 {
		g64 := int64(g)
		req.GraceSeconds = &g64
	}
	resp, err := cl.Delete(ctx, req)
	if errors.Is(err, api.ErrNotFound) {
		// Like "docker compose down", down is idempotent: scripts and a second run succeed.
		fmt.Fprintf(s.Err, "nothing to delete: %s\n", strings.TrimSuffix(err.Error(), ": "+api.ErrNotFound.Error()))
		return nil
	}
	if err != nil {
		return err
	}
	for _, set := range resp.Sets {
		fmt.Fprintf(s.Err, "statefulset %s/%s deleted\n", ns, set)
	}
	for _, v := range resp.Volumes {
		fmt.Fprintf(s.Err, "volume %s removed\n", v)
	}
	if len(resp.Sets) == 0 {
		return nil
	}
	if in.Bool("no-wait") {
		return nil
	}
	return watchProgress(ctx, cl, ns, resp.Sets, untilGone, in.Duration("timeout"), s.Err, progressTTY(in, s))
}
