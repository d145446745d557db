package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func lsCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "ls",
		Usage: "list namespaces with their statefulset and pod counts (docker compose ls)",
		Description: `Columns: NAMESPACE, STATEFULSETS, PODS (ready/desired) and STATUS (converged, or
progressing while a set is not).

Examples:
   ordset ls
   ordset ls -o json`,
		Action: action(s, runLs),
	}
}

// namespaceSummary is one row of ls.
type namespaceSummary struct {
	Namespace    string `json:"namespace"`
	StatefulSets int    `json:"statefulsets"`
	Pods         int    `json:"pods"`
	Ready        int    `json:"ready"`
	Desired      int    `json:"desired"`
	Converged    bool   `json:"converged"`
}

func runLs(ctx context.Context, in invocation, s *streams) error {
	if err := in.maxArgs(0, ""); err != nil {
		return err
	}
	out, err := in.outputFormat("table", dataFormats("table")...)
	if err != nil {
		return err
	}
	cl, err := connect(ctx, s)
	if err != nil {
		return err
	}
	sets, err := cl.StatefulSets(ctx, "")
	if err != nil {
		return err
	}
	rows := summarize(sets)
	if isData(out) {
		return writeData(s.Out, out, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(s.Err, "No namespaces with statefulsets.")
		return nil
	}
	var cells [][]string
	for _, r := range rows {
		status := "progressing"
		if r.Converged {
			status = "converged"
		}
		cells = append(cells, []string{r.Namespace, strconv.Itoa(r.StatefulSets), fmt.Sprintf("%d/%d", r.Ready, r.Desired), status})
	}
	return table(s.Out, []string{"NAMESPACE", "STATEFULSETS", "PODS", "STATUS"}, cells)
}

// summarize groups sets by namespace, sorted by name.
func summarize(sets []api.StatefulSet) []namespaceSummary {
	by := map[string]*namespaceSummary{}
	for _, st := range sets {
		r := by[st.Namespace]
		if r == nil {
			r = &namespaceSummary{Namespace: st.Namespace, Converged: true}
			by[st.Namespace] = r
		}
		r.StatefulSets++
		r.Pods += len(st.Pods)
		r.Ready += st.Ready
		r.Desired += st.Desired
		r.Converged = r.Converged && st.Converged()
	}
	rows := []namespaceSummary{}
	for _, r := range by {
		rows = append(rows, *r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Namespace < rows[j].Namespace })
	return rows
}
