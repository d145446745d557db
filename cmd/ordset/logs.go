package main

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func logsCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "logs",
		Usage:     "print a pod's logs",
		ArgsUsage: "POD",
		Description: `Examples:
   ordset logs redis-0
   ordset logs redis-1 -f --tail 20
   ordset logs -n demo redis-2 --timestamps`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep streaming new output"},
			&cli.IntFlag{Name: "tail", Value: -1, Usage: "lines from the end to show (-1: all)"},
			&cli.BoolFlag{Name: "timestamps", Usage: "prefix each line with its time"},
		},
		Action: action(s, runLogs),
	}
}

func runLogs(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) != 1 {
		return usageErrorf("logs needs one POD name (e.g. ordset logs redis-0)")
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	tail := "all"
	if n := in.Int("tail"); n >= 0 {
		tail = strconv.Itoa(n)
	}
	rc, err := cl.Logs(ctx, ns, in.arg(0), api.LogOptions{Follow: in.Bool("follow"), Tail: tail, Timestamps: in.Bool("timestamps")})
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = io.Copy(s.Out, rc)
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return nil
	}
	return err
}
