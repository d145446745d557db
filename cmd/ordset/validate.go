package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator"
)

func validateCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check an ordset file and report every problem at once",
		ArgsUsage: " ",
		Description: `Loads the file exactly as "ordset up" would (interpolation, .env, defaults)
and prints every problem as file:line:col: field.path: message.
Warnings (fields accepted and ignored on one Docker host, $(VAR) references
that name nothing, image overrides that match no image) go to stderr and do not
fail the check; with --strict they are errors. A file that loads but uses what
this version cannot run yet (the daemon would refuse it on up) fails the check,
naming each part.
--image OLD=NEW (and ordset-images.yaml beside the files) replaces images first.
Exits 0 when the file is valid, 1 when it is not.

Examples:
   ordset validate
   ordset validate -f examples/redis/ordset.yaml
   REDIS_IMAGE=redis:7.2 ordset validate -f ordset.yml
   ordset validate --strict -f k8s/ -f extra.yaml
   ordset validate --image registry.k8s.io/nginx-slim:0.21=myorg/nginx:local -f web.yaml`,
		Flags:  []cli.Flag{strictFlag, imageFlag},
		Action: action(s, runValidate),
	}
}

func runValidate(ctx context.Context, in invocation, s *streams) error {
	if err := in.noArgs(); err != nil {
		return err
	}
	p, shown, err := s.loadProject(in)
	if err != nil {
		return err
	}
	names := p.SetNames()
	// What up would be refused: the daemon runs the same check before it stores anything.
	var gaps []string
	for _, name := range names {
		if g := orchestrator.Unsupported(p.StatefulSets[name]); len(g) > 0 {
			gaps = append(gaps, fmt.Sprintf("statefulset %s uses what this version of ordset cannot run yet: %s", name, strings.Join(g, "; ")))
		}
	}
	if len(gaps) > 0 {
		return fmt.Errorf("%s: loads, but this version of ordset cannot run it (up would be refused):\n  %s", shown, strings.Join(gaps, "\n  "))
	}
	noun := "statefulsets"
	if len(names) == 1 {
		noun = "statefulset"
	}
	fmt.Fprintf(s.Out, "%s: valid (namespace %s, %d %s: %s)\n", shown, p.Namespace, len(names), noun, strings.Join(names, ", "))
	return nil
}
