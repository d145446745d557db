package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"
)

func configCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "config",
		Usage:     "print the normalised spec: interpolated, defaults applied, ports resolved",
		ArgsUsage: " ",
		Description: `Shows what ordset will run: every default filled in, named probe ports
resolved to numbers, relative hostPaths made absolute, files named by
configMaps and secrets read in. Secret values print as (redacted) unless
--show-secrets is given.

Examples:
   ordset config
   ordset config -o json -f examples/redis/ordset.yaml
   ordset config -n staging
   ordset config --services       # the set names, one a line
   ordset config --show-secrets
   ordset config -f k8s/ --image nginx=myorg/nginx:local   # the images that will run`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "services", Aliases: []string{"statefulsets"}, Usage: "print only the statefulset names (docker compose config --services)"},
			&cli.BoolFlag{Name: "show-secrets", Usage: "print Secret values (base64) instead of (redacted)"},
			strictFlag, imageFlag,
		},
		Action: action(s, runConfig),
	}
}

func runConfig(ctx context.Context, in invocation, s *streams) error {
	if err := in.noArgs(); err != nil {
		return err
	}
	format, err := in.outputFormat("yaml", "yaml", "json")
	if err != nil {
		return err
	}
	p, _, err := s.loadProject(in)
	if err != nil {
		return err
	}
	if in.Bool("services") {
		for _, n := range p.SetNames() {
			fmt.Fprintln(s.Out, n)
		}
		return nil
	}
	if !in.Bool("show-secrets") {
		p = p.Redacted()
	}
	var out []byte
	if format == "json" {
		out, err = p.JSON()
		for _, c := range p.ImageChanges { // stdout stays JSON
			fmt.Fprintf(s.Err, "image override: %s\n", c)
		}
	} else {
		out, err = p.YAML()
		var notes []byte
		for _, c := range p.ImageChanges {
			notes = fmt.Appendf(notes, "# image override: %s\n", c)
		}
		out = append(notes, out...)
	}
	if err != nil {
		return err
	}
	_, err = s.Out.Write(out)
	return err
}
