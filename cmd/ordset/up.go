package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func upCommand(s *streams) *cli.Command {
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
   ordset up --no-wait            # or -d: return once the daemon accepted the file
   ordset up --prune              # sets removed from the file are deleted too
   ordset up -f web.yaml -f svc.yaml --strict                # Kubernetes manifests; warnings fail
   ordset up -f k8s/ --image registry.k8s.io/nginx-slim:0.21=myorg/nginx:local`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "prune", Usage: "also delete the namespace's statefulsets that are no longer in the file (volumes kept)"},
			noWaitFlag, timeoutFlag, progressFlag, strictFlag, imageFlag,
			&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "same as --no-wait (the docker compose habit)"},
		},
		Action: action(s, runUp),
	}
}

func runUp(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) > 0 {
		return usageErrorf("up takes no arguments (got %q); use -f FILE", in.arg(0))
	}
	proj, _, err := s.loadProject(in)
	if err != nil {
		return err // a ValidationError prints every problem; nothing was submitted
	}
	cl, err := connect(ctx, s)
	if err != nil {
		return err
	}
	resp, err := cl.Apply(ctx, api.ApplyRequest{Namespace: proj.Namespace, Sets: proj.StatefulSets, Prune: in.Bool("prune"),
		ConfigMaps: proj.ConfigMaps, Secrets: proj.Secrets, Services: proj.Services})
	if err != nil {
		return err
	}
	var names, pruned []string
	for _, set := range resp.Sets {
		line := fmt.Sprintf("statefulset %s/%s %s", resp.Namespace, set.Name, set.Action)
		if len(set.Changes) > 0 {
			line += " (" + strings.Join(set.Changes, ", ") + ")"
		}
		fmt.Fprintln(s.Err, line)
		if set.Action == api.Pruned {
			pruned = append(pruned, set.Name)
		} else {
			names = append(names, set.Name)
		}
	}
	if in.Bool("no-wait") || in.Bool("detach") {
		return nil
	}
	start := time.Now()
	if err := watchProgress(ctx, cl, proj.Namespace, names, untilReady, in.Duration("timeout"), s.Err, progressTTY(in, s)); err != nil {
		return err
	}
	if len(pruned) == 0 {
		return nil
	}
	// Pruned sets wind down too before up returns, so a next command finds them gone.
	return watchProgress(ctx, cl, proj.Namespace, pruned, untilGone, in.Duration("timeout")-time.Since(start), s.Err, progressTTY(in, s))
}
