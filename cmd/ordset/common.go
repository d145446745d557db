package main

import (
	"context"
	"fmt"
	"github.com/ordset/ordset/orchestrator/server/statedir"
	"os"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/server/api"
)

// daemonStartTimeout bounds waiting for a freshly started daemon's socket.
const daemonStartTimeout = 15 * time.Second

// connectScoped resolves the namespace a listing command reads ("" with -A, for all of them)
// and connects to the daemon, starting it when needed.
func connectScoped(ctx context.Context, in invocation, s *streams) (string, *api.Client, error) {
	if in.Bool("all-namespaces") {
		cl, err := connect(ctx, s)
		return "", cl, err
	}
	return connectNamespace(ctx, in, s)
}

// connectNamespace resolves the namespace a command acts in (-n, else ./ordset.yaml's, else
// "default") before connecting, so a bad -n is refused without starting a daemon.
func connectNamespace(ctx context.Context, in invocation, s *streams) (string, *api.Client, error) {
	ns, err := resolveNamespace(in, s)
	if err != nil {
		return "", nil, err
	}
	cl, err := connect(ctx, s)
	return ns, cl, err
}

// connect returns a client for the daemon, starting one in the background when none listens.
// A daemon of another version (still running after an upgrade) works but is pointed out,
// when its first answer tells its version: a running daemon costs no extra round trip.
func connect(ctx context.Context, s *streams) (*api.Client, error) {
	p, err := statedir.DefaultPaths()
	if err != nil {
		return nil, err
	}
	cl, err := statedir.Connect(ctx, p, daemonStartTimeout)
	if err != nil {
		return nil, err
	}
	cl.OnDaemonVersion(func(v string) {
		if v == "" { // a daemon from before the version header
			info, err := cl.Version(ctx)
			if err != nil {
				return
			}
			v = info.Version
		}
		if v != version {
			fmt.Fprintf(s.Err, "warning: the running daemon is ordset %s, this client is %s; \"ordset daemon stop\" ends it (pods keep running) and the next command starts this version\n", v, version)
		}
	})
	return cl, nil
}

// resolveNamespace implements the lookup order -n, the namespace of -f FILE (an error when
// that file does not load: the user named it), of ./ordset.yaml, "default".
func resolveNamespace(in invocation, s *streams) (string, error) {
	if ns := in.String("namespace"); ns != "" {
		return ns, nil
	}
	if len(fileFlag(in)) > 0 {
		p, _, err := s.loadProject(in)
		if err != nil {
			return "", err
		}
		return p.Namespace, nil
	}
	if path, err := compose.FindFile("."); err == nil {
		if p, err := compose.Load(path, s.loadOptions(in)); err == nil && p.Namespace != "" {
			return p.Namespace, nil
		}
	}
	return "default", nil
}

// progressFlag chooses the progress display.
var progressFlag = &cli.StringFlag{
	Name: "progress", Value: "auto",
	Usage: "progress output: auto (redrawn in place on a terminal), tty or plain",
	Action: func(c *cli.Context, v string) error {
		if v != "auto" && v != "tty" && v != "plain" {
			return &usageError{msg: fmt.Sprintf("invalid --progress %q (auto, tty or plain)", v), cmd: commandPath(c)}
		}
		return nil
	},
}

// progressTTY decides whether progress (written to stderr) is redrawn in place.
func progressTTY(in invocation, s *streams) bool {
	switch in.String("progress") {
	case "tty":
		return true
	case "plain":
		return false
	}
	f, ok := s.Err.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

var timeoutFlag = &cli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "give up waiting after this long (exit 1)"}
var noWaitFlag = &cli.BoolFlag{Name: "no-wait", Usage: "return once the daemon accepted the request, without waiting"}
var allNamespacesFlag = &cli.BoolFlag{Name: "all-namespaces", Aliases: []string{"A"}, Usage: "every namespace"}
