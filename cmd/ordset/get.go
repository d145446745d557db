package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func getCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "get",
		Usage: "list resources (statefulsets)",
		Subcommands: []*cli.Command{{
			Name:      "statefulsets",
			Aliases:   []string{"statefulset", "sts"},
			Usage:     "list statefulsets with their readiness, like kubectl get statefulsets",
			ArgsUsage: "[SET...]",
			Description: `Columns: NAME, READY (ready/desired), CURRENT (pods that exist), UPDATED (pods on
the current revision) and AGE.

Examples:
   ordset get statefulsets
   ordset get sts -A
   ordset get sts redis -o json`,
			Flags:  []cli.Flag{allNamespacesFlag},
			Action: action(s, runGetStatefulSets),
		}},
	}
}

func runGetStatefulSets(ctx context.Context, in invocation, s *streams) error {
	out, err := in.outputFormat("table", dataFormats("table", "wide")...)
	if err != nil {
		return err
	}
	ns, cl, err := connectScoped(ctx, in, s)
	if err != nil {
		return err
	}
	sets, err := cl.StatefulSets(ctx, ns)
	if err != nil {
		return err
	}
	if len(in.args) > 0 {
		want := map[string]bool{}
		for _, a := range in.args {
			want[a] = true
		}
		var keep []api.StatefulSet
		for _, s := range sets {
			if want[s.Name] {
				keep = append(keep, s)
				delete(want, s.Name)
			}
		}
		for n := range want {
			return fmt.Errorf("statefulset %q not found in namespace %s", n, ns)
		}
		sets = keep
	}
	if isData(out) {
		if sets == nil {
			sets = []api.StatefulSet{}
		}
		return writeData(s.Out, out, sets)
	}
	if len(sets) == 0 {
		fmt.Fprintf(s.Err, "No statefulsets found.\n")
		return nil
	}
	header := []string{"NAME", "READY", "CURRENT", "UPDATED", "AGE"}
	if ns == "" {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if out == "wide" {
		header = append(header, "IMAGE", "REVISION", "WAITING")
	}
	now := time.Now()
	var rows [][]string
	for _, s := range sets {
		row := []string{s.Name, fmt.Sprintf("%d/%d", s.Ready, s.Desired), strconv.Itoa(s.Current), strconv.Itoa(s.Updated), age(s.CreatedAt, now)}
		if ns == "" {
			row = append([]string{s.Namespace}, row...)
		}
		if out == "wide" {
			row = append(row, s.Image, orNone(s.Revision), orNone(s.Waiting))
		}
		rows = append(rows, row)
	}
	return table(s.Out, header, rows)
}
