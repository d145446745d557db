package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func psCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "ps",
		Usage:     "list pods",
		ArgsUsage: "[SET|POD...]",
		Description: `Lists the pods of a namespace (or every namespace with -A): name, readiness, status,
restarts, age, IP and volumes; with arguments, only the pods of those sets or those pods.
-o json (or yaml) prints an array of objects with name, namespace, statefulset, ordinal,
container, ip, ready, status, restarts, revision, volumes and ports. -o wide adds the
container, revision and ports (published host ports as 0.0.0.0:18080->8080/tcp).
--format is a Go template over the same fields ({{.Name}}, {{.IP}}, {{.Ready}}, ...), as docker ps.

Examples:
   ordset ps
   ordset ps redis                        # the pods of one set
   ordset ps -A -o wide
   ordset ps -q                           # names only, for scripts
   ordset ps --filter status=running --filter ready=false
   ordset ps --format '{{.Name}} {{.IP}}'
   ordset ps -n demo -o json | jq '.[] | select(.ready) | .name'`,
		Flags: []cli.Flag{allNamespacesFlag,
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print pod names only"},
			&cli.StringFlag{Name: "format", Usage: "Go template for each pod (e.g. '{{.Name}} {{.IP}}')"},
			&cli.StringSliceFlag{Name: "filter", Usage: "keep pods matching KEY=VALUE: status, ready, statefulset, name (repeatable)"},
			watchFlag,
		},
		Action: action(s, runPs),
	}
}

func runPs(ctx context.Context, in invocation, s *streams) error {
	out, err := in.outputFormat("table", dataFormats("table", "wide")...)
	if err != nil {
		return err
	}
	filters, err := parsePodFilters(in.StringSlice("filter"))
	if err != nil {
		return err
	}
	var tmpl *template.Template
	if f := in.String("format"); f != "" {
		if tmpl, err = template.New("format").Option("missingkey=error").Parse(f + "\n"); err != nil {
			return usageErrorf("invalid --format: %v", err)
		}
	}
	ns, cl, err := connectScoped(ctx, in, s)
	if err != nil {
		return err
	}
	if in.Bool("watch") {
		return watchPods(ctx, cl, ns, in.args, out, s)
	}
	pods, err := cl.Pods(ctx, ns)
	if err != nil {
		return err
	}
	if pods, err = selectPods(pods, in.args, ns); err != nil {
		return err
	}
	pods = filterPods(pods, filters)
	switch {
	case isData(out):
		if pods == nil {
			pods = []api.Pod{}
		}
		return writeData(s.Out, out, pods)
	case in.Bool("quiet"):
		return writeAtOnce(s.Out, func(w io.Writer) error {
			for _, p := range pods {
				fmt.Fprintln(w, p.Name)
			}
			return nil
		})
	case tmpl != nil:
		return writeAtOnce(s.Out, func(w io.Writer) error {
			for _, p := range pods {
				if err := tmpl.Execute(w, p); err != nil {
					return usageErrorf("--format: %v", err)
				}
			}
			return nil
		})
	}
	if len(pods) == 0 {
		where := "namespace " + ns
		if ns == "" {
			where = "any namespace"
		}
		fmt.Fprintf(s.Err, "No pods found in %s.\n", where)
		return nil
	}
	header, rows := podTable(pods, ns == "", out == "wide", time.Now())
	return table(s.Out, header, rows)
}

// selectPods keeps the pods named by args, each a set name or a pod name; a name that
// matches nothing is an error (a typo should not look like an empty set).
func selectPods(pods []api.Pod, args []string, ns string) ([]api.Pod, error) {
	if len(args) == 0 {
		return pods, nil
	}
	var keep []api.Pod
	for _, a := range args {
		n := len(keep)
		for _, p := range pods {
			if p.Name == a || p.StatefulSet == a {
				keep = append(keep, p)
			}
		}
		if len(keep) == n {
			return nil, fmt.Errorf("no statefulset or pod %q in %s (\"ordset get sts\" lists the sets)", a, orDefault(ns, "any namespace"))
		}
	}
	return keep, nil
}

// podFilter is one --filter KEY=VALUE.
type podFilter struct{ key, value string }

func parsePodFilters(raw []string) ([]podFilter, error) {
	var fs []podFilter
	for _, r := range raw {
		k, v, ok := strings.Cut(r, "=")
		switch {
		case !ok:
			return nil, usageErrorf("invalid --filter %q (want KEY=VALUE)", r)
		case k != "status" && k != "ready" && k != "statefulset" && k != "name":
			return nil, usageErrorf("unknown --filter key %q (status, ready, statefulset or name)", k)
		}
		fs = append(fs, podFilter{k, v})
	}
	return fs, nil
}

// filterPods keeps the pods matching every filter; status compares case-insensitively
// ("running" matches "Running").
func filterPods(pods []api.Pod, fs []podFilter) []api.Pod {
	var keep []api.Pod
	for _, p := range pods {
		ok := true
		for _, f := range fs {
			switch f.key {
			case "status":
				ok = ok && strings.EqualFold(string(p.Status), f.value)
			case "ready":
				ok = ok && strconv.FormatBool(p.Ready) == strings.ToLower(f.value)
			case "statefulset":
				ok = ok && p.StatefulSet == f.value
			case "name":
				ok = ok && strings.Contains(p.Name, f.value)
			}
		}
		if ok {
			keep = append(keep, p)
		}
	}
	return keep
}

// podTable is ps's table: the namespace column with -A, container, revision and ports with -o wide.
func podTable(pods []api.Pod, allNS, wide bool, now time.Time) ([]string, [][]string) {
	header := []string{"POD", "READY", "STATUS", "RESTARTS", "AGE", "IP", "VOLUMES"}
	if allNS {
		header = append([]string{"NAMESPACE"}, header...)
	}
	if wide {
		header = append(header, "CONTAINER", "REVISION", "PORTS")
	}
	var rows [][]string
	for _, p := range pods {
		ready := readyText(p)
		started := p.StartedAt
		if started.IsZero() {
			started = p.CreatedAt
		}
		row := []string{p.Name, ready, orNone(string(p.Status)), strconv.Itoa(p.Restarts), age(started, now), orNone(p.IP), orNone(strings.Join(p.Volumes, ","))}
		if allNS {
			row = append([]string{p.Namespace}, row...)
		}
		if wide {
			var ports []string
			for _, pt := range p.Ports {
				ports = append(ports, portString(pt))
			}
			row = append(row, p.Container, orNone(p.Revision), orNone(strings.Join(ports, ",")))
		}
		rows = append(rows, row)
	}
	return header, rows
}
