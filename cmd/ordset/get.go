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
		Usage: "list resources (statefulsets, pods, services)",
		Description: `Examples:
   ordset get pods
   ordset get pods -l statefulset=redis -o wide
   ordset get sts -A
   ordset get svc`,
		Subcommands: []*cli.Command{getPodsCommand(s), getServicesCommand(s), {
			Name:      "statefulsets",
			Aliases:   []string{"statefulset", "sts"},
			Usage:     "list statefulsets with their readiness, like kubectl get statefulsets",
			ArgsUsage: "[SET...]",
			Description: `Columns, as kubectl has them: NAME, READY (ready/desired) and AGE; -o wide adds
CURRENT (pods at the current revision), UPDATED (pods at the update revision), AVAILABLE
(pods Ready for minReadySeconds), IMAGE, REVISION and WAITING. -o json has Kubernetes'
status fields under "status".

Examples:
   ordset get statefulsets
   ordset get sts -A
   ordset get sts redis -o json
   ordset get sts -w                    # a line per change, until Ctrl-C`,
			Flags:  []cli.Flag{allNamespacesFlag, watchFlag},
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
	if in.Bool("watch") {
		return watchSets(ctx, cl, ns, in.args, out, s)
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
	header, rows := setTable(sets, ns == "", out == "wide", time.Now())
	return table(s.Out, header, rows)
}

// setTable is get statefulsets' table, with kubectl's columns: NAME, READY, AGE; the namespace
// column with -A; CURRENT, UPDATED, AVAILABLE, image, revision and waiting reason with -o wide.
func setTable(sets []api.StatefulSet, allNS, wide bool, now time.Time) ([]string, [][]string) {
	header := []string{"NAME", "READY", "AGE"}
	if allNS {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if wide {
		header = append(header, "CURRENT", "UPDATED", "AVAILABLE", "IMAGE", "REVISION", "WAITING")
	}
	var rows [][]string
	for _, st := range sets {
		row := []string{st.Name, fmt.Sprintf("%d/%d", st.Ready, st.Desired), age(st.CreatedAt, now)}
		if allNS {
			row = append([]string{st.Namespace}, row...)
		}
		if wide {
			k := st.Status
			row = append(row, strconv.Itoa(k.CurrentReplicas), strconv.Itoa(k.UpdatedReplicas),
				strconv.Itoa(k.AvailableReplicas), st.Image, orNone(st.Revision), orNone(st.Waiting))
		}
		rows = append(rows, row)
	}
	return header, rows
}
