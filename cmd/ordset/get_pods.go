package main

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func getPodsCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "pods",
		Aliases:   []string{"pod", "po"},
		Usage:     "list pods, like kubectl get pods",
		ArgsUsage: "[POD...]",
		Description: `Columns, as kubectl has them: NAME, READY (ready/total containers), STATUS, RESTARTS
and AGE; -A adds NAMESPACE; -o wide adds IP, STATEFULSET, CONTAINER (the Docker name) and
REVISION. -o json (or yaml) prints the same array of pod objects as "ordset ps -o json".
-l statefulset=NAME (or app=NAME) keeps one set's pods. "ordset ps" lists the same pods
with Compose's habits (--format, --filter, -q).

Examples:
   ordset get pods
   ordset get po redis-0 redis-1
   ordset get pods -l statefulset=redis -o wide
   ordset get pods -A
   ordset get pods -o yaml
   ordset get pods -w                     # a line per change, until Ctrl-C`,
		Flags: []cli.Flag{allNamespacesFlag, watchFlag,
			&cli.StringFlag{Name: "selector", Aliases: []string{"l"}, Usage: "pods of a set: statefulset=NAME (app=NAME is the same)"}},
		Action: action(s, runGetPods),
	}
}

func runGetPods(ctx context.Context, in invocation, s *streams) error {
	out, err := in.outputFormat("table", dataFormats("table", "wide")...)
	if err != nil {
		return err
	}
	set, err := selectorSet(in.String("selector"))
	if err != nil {
		return err
	}
	ns, cl, err := connectScoped(ctx, in, s)
	if err != nil {
		return err
	}
	if in.Bool("watch") {
		return watchGetPods(ctx, cl, ns, in.args, set, out, s)
	}
	pods, err := cl.Pods(ctx, ns)
	if err != nil {
		return err
	}
	if pods, err = namedPods(pods, in.args, set, ns); err != nil {
		return err
	}
	if isData(out) {
		if pods == nil {
			pods = []api.Pod{}
		}
		return writeData(s.Out, out, pods)
	}
	if len(pods) == 0 {
		fmt.Fprintf(s.Err, "No resources found in %s.\n", orDefault(ns, "any namespace"))
		return nil
	}
	header, rows := getPodsTable(pods, ns == "", out == "wide", time.Now())
	return table(s.Out, header, rows)
}

// selectorSet reads -l: only kubectl's way of naming a set, statefulset=NAME or app=NAME.
func selectorSet(sel string) (string, error) {
	if sel == "" {
		return "", nil
	}
	args, err := selectorArgs(nil, sel)
	if err != nil {
		return "", err
	}
	return args[0], nil
}

// namedPods keeps the pods of set ("" for any) named by args (every pod when none); a name
// that matches no pod is an error, as kubectl's "pods \"x\" not found".
func namedPods(pods []api.Pod, args []string, set, ns string) ([]api.Pod, error) {
	out, missing := podsNamed(pods, args, set)
	if missing != "" {
		return nil, fmt.Errorf("pod %q not found in %s", missing, orDefault(ns, "any namespace"))
	}
	return out, nil
}

// podsNamed keeps the pods of set ("" for any) named by args, in the order of args (every
// pod of set when args is empty), and says the first name that matched none ("" when all
// did). A watch shows the named pods that exist: one may come and go while it runs.
func podsNamed(pods []api.Pod, args []string, set string) (out []api.Pod, missing string) {
	var keep []api.Pod
	for _, p := range pods {
		if set == "" || p.StatefulSet == set {
			keep = append(keep, p)
		}
	}
	if len(args) == 0 {
		return keep, ""
	}
	byName := map[string]api.Pod{}
	for _, p := range keep {
		byName[p.Name] = p
	}
	for _, a := range args {
		p, ok := byName[a]
		if !ok {
			missing = cmp.Or(missing, a)
			continue
		}
		out = append(out, p)
	}
	return out, missing
}

// getPodsTable is get pods' table, kubectl's columns: NAME READY STATUS RESTARTS AGE; the
// namespace first with -A; IP, set, container and revision with -o wide. The first five are
// ps's own cells, so both commands always agree on a pod.
func getPodsTable(pods []api.Pod, allNS, wide bool, now time.Time) ([]string, [][]string) {
	header := []string{"NAME", "READY", "STATUS", "RESTARTS", "AGE"}
	if allNS {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if wide {
		header = append(header, "IP", "STATEFULSET", "CONTAINER", "REVISION")
	}
	_, psRows := podTable(pods, false, false, now)
	rows := make([][]string, 0, len(pods))
	for i, p := range pods {
		row := slices.Clone(psRows[i][:5])
		if allNS {
			row = append([]string{p.Namespace}, row...)
		}
		if wide {
			row = append(row, orNone(p.IP), p.StatefulSet, orNone(p.Container), orNone(p.Revision))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// watchGetPods is get pods -w: the pods as they are, then a line per pod that changed.
func watchGetPods(ctx context.Context, cl *api.Client, ns string, args []string, set, out string, s *streams) error {
	var sets []string
	if set != "" {
		sets = []string{set}
	}
	return watchRows(ctx, cl, ns, sets, out, s, func(f api.WatchFrame) ([]string, []string, [][]string, []any) {
		var pods []api.Pod
		for _, st := range f.Sets {
			pods = append(pods, st.Pods...)
		}
		pods, _ = podsNamed(pods, args, set) // a named pod that does not exist (yet) is left out, not the filter
		header, rows := getPodsTable(pods, false, out == "wide", time.Now())
		keys, items := make([]string, len(pods)), make([]any, len(pods))
		for i, p := range pods {
			keys[i], items[i] = p.Name, p
		}
		return header, keys, rows, items
	})
}
