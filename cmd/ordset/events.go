package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func eventsCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "events",
		Usage: "show recent events (the daemon keeps the last 500)",
		Description: `Examples:
   ordset events
   ordset events -A -f
   ordset events -n demo -o json     # an array; with -f one object per line`,
		Flags: []cli.Flag{allNamespacesFlag,
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep printing new events"},
		},
		Action: action(s, runEvents),
	}
}

func runEvents(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) > 0 {
		return usageErrorf("events: unexpected argument %q (-f is --follow here; name a file with --file)", in.arg(0))
	}
	out, err := in.outputFormat("text", dataFormats("text")...)
	if err != nil {
		return err
	}
	ns, cl, err := connectScoped(ctx, in, s)
	if err != nil {
		return err
	}
	w := s.Out
	follow := in.Bool("follow")
	// -o json is an array like ps and get; a follow cannot end an array, so it streams one
	// object per line (jq reads both).
	all := []api.Event{}
	printed := 0
	err = cl.Events(ctx, api.EventsQuery{Namespace: ns, Follow: follow}, func(e api.Event) error {
		if isData(out) && !follow {
			all = append(all, e)
			return nil
		}
		if out == "json" {
			return writeJSONLine(w, e)
		}
		if out == "yaml" { // one document per event
			fmt.Fprintln(w, "---")
			return writeData(w, out, e)
		}
		printed++
		_, err := fmt.Fprintf(w, "%s  %-7s %-10s %-13s %-22s %s\n", e.Time.Local().Format("15:04:05"), e.Type, e.Namespace, e.Reason, e.Object, e.Message)
		return err
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	if err == nil && isData(out) && !follow {
		return writeData(w, out, all)
	}
	if err == nil && out == "text" && !follow && printed == 0 {
		where := "namespace " + ns
		if ns == "" {
			where = "any namespace"
		}
		fmt.Fprintf(s.Err, "No events in %s.\n", where) // as ps and get say so
	}
	if err == nil && follow && ctx.Err() == nil {
		// A follow only ends when the user stops it; otherwise the daemon went away.
		return errors.New("the event stream ended: the daemon stopped (\"ordset daemon status\"; any command starts it again)")
	}
	return err
}
