package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/api"
)

func eventsCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:  "events",
		Usage: "show recent events (the daemon keeps the last 500)",
		Description: `Examples:
   ordset events
   ordset events -A -f
   ordset events -n demo -o json`,
		Flags: []cli.Flag{allNamespacesFlag,
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep printing new events"},
		},
		Action: func(c *cli.Context) error { return runEvents(c, env) },
	}
}

func runEvents(c *cli.Context, env *cliEnv) error {
	out, err := outputFormat(c, "text", "text", "json")
	if err != nil {
		return err
	}
	ns := ""
	if !c.Bool("all-namespaces") {
		ns = resolveNamespace(c, env)
	}
	cl, err := connect(c.Context)
	if err != nil {
		return err
	}
	w := c.App.Writer
	err = cl.Events(c.Context, api.EventsQuery{Namespace: ns, Follow: c.Bool("follow")}, func(e api.Event) error {
		if out == "json" {
			return writeJSONLine(w, e)
		}
		_, err := fmt.Fprintf(w, "%s  %-7s %-10s %-13s %-22s %s\n", e.Time.Local().Format("15:04:05"), e.Type, e.Namespace, e.Reason, e.Object, e.Message)
		return err
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
