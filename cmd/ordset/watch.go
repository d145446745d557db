package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

var watchFlag = &cli.BoolFlag{Name: "watch", Aliases: []string{"w"}, Usage: "after the list, print a line for every change until Ctrl-C (kubectl get -w)"}

// watchSets is get statefulsets -w: the sets as they are, then a line per set that changed.
func watchSets(ctx context.Context, cl *api.Client, ns string, names []string, out string, s *streams) error {
	return watchRows(ctx, cl, ns, names, out, s, func(f api.WatchFrame) ([]string, []string, [][]string, []any) {
		header, rows := setTable(f.Sets, false, out == "wide", time.Now())
		keys, items := make([]string, len(f.Sets)), make([]any, len(f.Sets))
		for i, st := range f.Sets {
			keys[i], items[i] = st.Name, st
		}
		return header, keys, rows, items
	})
}

// watchPods is ps -w: the pods as they are, then a line per pod that changed.
func watchPods(ctx context.Context, cl *api.Client, ns string, args []string, out string, s *streams) error {
	return watchRows(ctx, cl, ns, nil, out, s, func(f api.WatchFrame) ([]string, []string, [][]string, []any) {
		var pods []api.Pod
		for _, st := range f.Sets {
			pods = append(pods, st.Pods...)
		}
		if sel, err := selectPods(pods, args, ns); err == nil {
			pods = sel
		}
		header, rows := podTable(pods, false, out == "wide", time.Now())
		keys, items := make([]string, len(pods)), make([]any, len(pods))
		for i, p := range pods {
			keys[i], items[i] = p.Name, p
		}
		return header, keys, rows, items
	})
}

// watchRows follows the daemon's progress frames and prints a row (or, with -o json|yaml, an
// object) whenever an object's row changes. The AGE column is left out of the comparison, so
// time passing is not a change.
func watchRows(ctx context.Context, cl *api.Client, ns string, sets []string, out string, s *streams,
	rowsOf func(api.WatchFrame) (header, keys []string, rows [][]string, items []any)) error {
	if ns == "" {
		return usageErrorf("-w watches one namespace: drop -A, or name it with -n")
	}
	last := map[string]string{}
	headed := false
	err := cl.Watch(ctx, ns, sets, func(f api.WatchFrame) error {
		header, keys, rows, items := rowsOf(f)
		for i, key := range keys {
			ageCol := indexOf(header, "AGE")
			cmp := strings.Join(without(rows[i], ageCol), "\x00")
			if last[key] == cmp {
				continue
			}
			last[key] = cmp
			if err := printWatched(s.Out, out, header, rows[i], items[i], &headed); err != nil {
				return err
			}
		}
		return nil
	})
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		return nil
	}
	if err == nil {
		return errors.New("the watch ended: the daemon stopped (\"ordset daemon status\"; any command starts it again)")
	}
	return err
}

func printWatched(w io.Writer, out string, header, row []string, item any, headed *bool) error {
	switch out {
	case "json":
		return writeJSONLine(w, item)
	case "yaml":
		fmt.Fprintln(w, "---")
		return writeData(w, out, item)
	}
	if !*headed {
		*headed = true
		fmt.Fprintln(w, padRow(header))
	}
	_, err := fmt.Fprintln(w, padRow(row))
	return err
}

// padRow aligns a watched row without knowing the rows to come: each column at least as wide
// as kubectl's usual, wider cells push the rest.
func padRow(cells []string) string {
	var b strings.Builder
	for i, c := range cells {
		if i == len(cells)-1 {
			b.WriteString(c)
			break
		}
		fmt.Fprintf(&b, "%-*s", max(len(c)+3, 12), c)
	}
	return b.String()
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

func without(xs []string, i int) []string {
	if i < 0 || i >= len(xs) {
		return xs
	}
	return append(append([]string{}, xs[:i]...), xs[i+1:]...)
}
