package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/ordset/ordset/orchestrator/server/api"
)

func logsCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "logs",
		Usage:     "print the logs of pods: one pod, a set's pods, or every pod of the namespace",
		ArgsUsage: "[SET|POD...]",
		Description: `One POD prints its output as it is. A SET, several names, -l or no argument at all
print every matching pod's lines prefixed with the pod's name (coloured per pod on a
terminal unless NO_COLOR), as docker compose logs does.
-p/--previous prints the pod's last terminated container, as kubectl logs -p: the one
kept after the last crash (until the next crash or the pod's deletion; with -c, that app
container's or sidecar's), or, for a container
started again in place, what it wrote until its last exit.

Examples:
   ordset logs redis-0
   ordset logs redis -f --tail 20         # every redis pod, followed
   ordset logs                            # every pod of the namespace
   ordset logs -l statefulset=redis --since 10m
   ordset logs -n demo redis-2 --timestamps
   ordset logs mysql-1 -c init-mysql      # a container of the pod, init containers included
   ordset logs -p redis-1                 # the pod's last crashed container (kept until the next crash)`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep streaming new output"},
			&cli.IntFlag{Name: "tail", Value: -1, Usage: "lines from the end to show, per pod (-1: all)"},
			&cli.BoolFlag{Name: "timestamps", Usage: "prefix each line with its time"},
			&cli.StringFlag{Name: "since", Usage: "only lines newer than a duration (10m) or an RFC 3339 time"},
			&cli.StringFlag{Name: "selector", Aliases: []string{"l"}, Usage: "pods of a set: statefulset=NAME (app=NAME is the same)"},
			&cli.BoolFlag{Name: "no-prefix", Usage: "do not prefix lines with the pod name"},
			&cli.StringFlag{Name: "container", Aliases: []string{"c"}, Usage: "the pods' container to show, init containers included (default: the first)"},
			&cli.BoolFlag{Name: "previous", Aliases: []string{"p"}, Usage: "the last terminated container of the pod (a crash's output)"},
		},
		Action: action(s, runLogs),
	}
}

func runLogs(ctx context.Context, in invocation, s *streams) error {
	since, err := parseSince(in.String("since"), time.Now())
	if err != nil {
		return err
	}
	args, err := selectorArgs(in.args, in.String("selector"))
	if err != nil {
		return err
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	names := args
	single := len(args) == 1 && !isSetName(ctx, cl, ns, args[0])
	if !single {
		if names, err = logPodNames(ctx, cl, ns, args); err != nil {
			return err
		}
		if len(names) == 0 {
			fmt.Fprintf(s.Err, "No pods found in namespace %s.\n", ns)
			return nil
		}
	}
	opts := api.LogOptions{Follow: in.Bool("follow"), Tail: "all", Timestamps: in.Bool("timestamps") || !since.IsZero(),
		Container: in.String("container"), Previous: in.Bool("previous")}
	if n := in.Int("tail"); n >= 0 {
		opts.Tail = strconv.Itoa(n)
	}
	prefix := !single && !in.Bool("no-prefix")
	out := &lineWriter{w: s.Out, colour: prefix && colourOK(s.Out), width: maxLen(names)}
	var wg sync.WaitGroup
	errs := make([]error, len(names))
	for i, name := range names {
		rc, err := cl.Logs(ctx, ns, name, opts)
		if err != nil {
			if single {
				return err
			}
			fmt.Fprintf(s.Err, "%s: %v\n", name, err) // one pod without a container must not hide the others
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer rc.Close()
			errs[i] = out.copy(rc, name, i, prefix, since, in.Bool("timestamps"))
		}()
	}
	wg.Wait()
	return logsErr(ctx, errs)
}

// selectorArgs adds the set named by -l to the positional arguments: the selector is only
// kubectl's way of naming a set, so from here on logs treats both spellings alike.
func selectorArgs(args []string, sel string) ([]string, error) {
	if sel == "" {
		return args, nil
	}
	k, v, ok := strings.Cut(sel, "=")
	if !ok || (k != "statefulset" && k != "app") {
		return nil, usageErrorf("invalid -l %q (statefulset=NAME)", sel)
	}
	return append(args, v), nil
}

// logPodNames names the pods of ns that args select (sets, pods, or every pod when args is
// empty), the same selection ps makes, so logs and ps never disagree about which pods match.
func logPodNames(ctx context.Context, cl *api.Client, ns string, args []string) ([]string, error) {
	pods, err := cl.Pods(ctx, ns)
	if err != nil {
		return nil, err
	}
	if pods, err = selectPods(pods, args, ns); err != nil {
		return nil, err
	}
	var names []string
	for _, p := range pods {
		names = append(names, p.Name)
	}
	return names, nil
}

// logsErr is the outcome of logs once every stream has ended: an interrupted command (Ctrl-C
// cancels ctx, which ends each stream with a cancellation error) succeeded; otherwise the
// first stream that really failed decides.
func logsErr(ctx context.Context, errs []error) error {
	if ctx.Err() != nil {
		return nil
	}
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return nil
}

// isSetName reports whether name is a set of ns (then logs prints every pod of it).
func isSetName(ctx context.Context, cl *api.Client, ns, name string) bool {
	sets, err := cl.StatefulSets(ctx, ns)
	if err != nil {
		return false
	}
	for _, st := range sets {
		if st.Name == name {
			return true
		}
	}
	return false
}

// parseSince reads --since: a duration back from now, or an RFC 3339 time; "" is no limit.
func parseSince(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.Time{}, usageErrorf("invalid --since %q (a duration like 10m, or an RFC 3339 time)", v)
}

// lineWriter interleaves whole lines of several pods, each prefixed with its name.
type lineWriter struct {
	mu     sync.Mutex
	w      io.Writer
	colour bool
	width  int
}

// podColours are the ANSI colours given to pods in turn, as docker compose does for services.
var podColours = []string{"36", "33", "32", "35", "34", "96", "93", "92", "95", "94"}

func (lw *lineWriter) copy(r io.Reader, name string, i int, prefix bool, since time.Time, keepTS bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line, ok := sinceFilter(sc.Text(), since, keepTS)
		if !ok {
			continue
		}
		lw.mu.Lock()
		switch {
		case prefix && lw.colour:
			fmt.Fprintf(lw.w, "\x1b[%sm%-*s |\x1b[0m %s\n", podColours[i%len(podColours)], lw.width, name, line)
		case prefix:
			fmt.Fprintf(lw.w, "%-*s | %s\n", lw.width, name, line)
		default:
			fmt.Fprintln(lw.w, line)
		}
		lw.mu.Unlock()
	}
	return sc.Err()
}

// sinceFilter drops a timestamped line older than since and strips the timestamp the user
// did not ask for. Without since, lines pass as they are.
func sinceFilter(line string, since time.Time, keepTS bool) (string, bool) {
	if since.IsZero() {
		return line, true
	}
	ts, rest, _ := strings.Cut(line, " ")
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return line, true // not a timestamp: keep what we cannot judge
	}
	if t.Before(since) {
		return "", false
	}
	if keepTS {
		return line, true
	}
	return rest, true
}

func maxLen(names []string) int {
	n := 0
	for _, s := range names {
		n = max(n, len(s))
	}
	return n
}

// colourOK reports whether w is a terminal and NO_COLOR is unset (no-color.org).
func colourOK(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && os.Getenv("NO_COLOR") == "" && term.IsTerminal(int(f.Fd()))
}
