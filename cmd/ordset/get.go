package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func getCommand(env *cliEnv) *cli.Command {
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
			Action: func(c *cli.Context) error { return runGetStatefulSets(c, env) },
		}},
	}
}

func runGetStatefulSets(c *cli.Context, env *cliEnv) error {
	out, err := outputFormat(c, "table", "table", "wide", "json")
	if err != nil {
		return err
	}
	ns, cl, err := connectScoped(c, env)
	if err != nil {
		return err
	}
	sets, err := cl.StatefulSets(c.Context, ns)
	if err != nil {
		return err
	}
	if c.NArg() > 0 {
		want := map[string]bool{}
		for _, a := range c.Args().Slice() {
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
			return cli.Exit(fmt.Sprintf("statefulset %q not found in namespace %s", n, ns), 1)
		}
		sets = keep
	}
	if out == "json" {
		if sets == nil {
			sets = []api.StatefulSet{}
		}
		return writeJSON(c.App.Writer, sets)
	}
	if len(sets) == 0 {
		fmt.Fprintf(c.App.ErrWriter, "No statefulsets found.\n")
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
	return table(c.App.Writer, header, rows)
}
