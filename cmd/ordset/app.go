package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/compose/kube"
)

// Exit codes, as documented in the app's help.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks a mistake in how ordset was invoked (exit code 2). cmd is the command
// path ("get statefulsets") whose --help the hint points at; "" for the app.
type usageError struct{ msg, cmd string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// exitCodeError ends ordset with a command's own exit code and no message of ordset's
// (exec passes on the code of the command it ran, whatever it is, 2 and 3 included).
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitInterrupted is the shell's code for a command ended by SIGINT (128+2).
const exitInterrupted = 130

// interruptedError is a wait the user cut short (Ctrl-C); what says what is left running.
type interruptedError struct{ what string }

func (e *interruptedError) Error() string { return "interrupted: " + e.what }

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runStreams(ctx, args, osStreams(stdout, stderr))
}

func runStreams(ctx context.Context, args []string, s *streams) int {
	app := newApp(s)
	return reportError(ctx, s.Err, app.RunContext(ctx, normalizeArgs(app, args)))
}

// reportError prints err the way its kind deserves and picks the exit code.
func reportError(ctx context.Context, stderr io.Writer, err error) int {
	var (
		usage       *usageError
		interrupted *interruptedError
		verr        *compose.ValidationError
		coder       cli.ExitCoder
		code        *exitCodeError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &interrupted):
		fmt.Fprintf(stderr, "ordset: %s\n", interrupted.Error())
		return exitInterrupted
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return exitInterrupted // Ctrl-C ends a follow (logs -f, events -f): nothing to report
	case errors.As(err, &usage):
		help := "ordset --help"
		if usage.cmd != "" {
			help = "ordset " + usage.cmd + " --help"
		}
		fmt.Fprintf(stderr, "ordset: %s\nRun '%s' for usage.\n", usage.msg, help)
		return exitUsage
	case errors.As(err, &verr):
		fmt.Fprintln(stderr, verr.Error())
		return exitFailure
	case errors.As(err, &code):
		return code.code // the command's own exit code (exec); it printed what it had to say
	case errors.As(err, &coder):
		// Only urfave/cli itself returns these now ("No help topic for 'x'"): a usage error.
		fmt.Fprintf(stderr, "ordset: %s\nRun 'ordset --help' for usage.\n", err.Error())
		return exitUsage
	default:
		fmt.Fprintf(stderr, "ordset: %v\n", err)
		return exitFailure
	}
}

const appDescription = `ordset runs StatefulSets (stable names, one volume per ordinal, ordered
start/scale/update gated on readiness, stable DNS) on a plain Docker engine.

Flags may come before or after arguments ("ordset scale redis 5 -n demo");
"--" ends the flags.

Examples:
   ordset up                      # start the sets of ./ordset.yaml, wait until Ready
   ordset ps                      # pods, readiness, IPs, volumes
   ordset scale redis 5           # grow in order, each pod Ready before the next
   ordset dns resolve redis-0.redis
   ordset down --volumes          # delete everything, data included

Environment:
   ORDSET_STATE_DIR     daemon state directory (socket, store, log)
   ORDSET_DNS_ADDR      host listener of the embedded DNS server (default 127.0.0.1:15353)
   NO_COLOR             no colours in progress output

Exit codes:
   0  success
   1  failure (invalid file, engine or daemon error, ...)
   2  usage error (unknown command or flag, wrong number of arguments)`

// newApp builds the command tree. Commands are one file each and only turn
// flags into options for the packages that do the work.
func newApp(s *streams) *cli.App {
	app := &cli.App{
		Name:        "ordset",
		Usage:       "Kubernetes StatefulSet semantics on a plain Docker engine",
		Description: appDescription,
		Writer:      s.Out,
		ErrWriter:   s.Err,
		HideVersion: true,
		// A slice flag's value is taken whole: a path, a VAR=value or a filter may hold a
		// comma. -f splits a comma list itself, and only when that is unambiguous (fileFlag).
		DisableSliceFlagSeparator: true,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "file", Aliases: []string{"f"}, Usage: "ordset file or Kubernetes manifests, a directory of them; repeat -f for several (each value is one path, commas included; \"-\" for stdin; default ./ordset.yaml, then ./ordset.yml)"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace (default: the file's, else \"default\")",
				Action: func(_ *cli.Context, ns string) error {
					if err := compose.CheckDNSLabel(ns); err != nil {
						return usageErrorf("invalid --namespace: %v", err)
					}
					return nil
				}},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output format: table|wide|json|yaml, as the command supports"},
			&cli.StringFlag{Name: "log-level", Value: "info", Usage: "log level: debug|info|warn|error",
				Action: func(_ *cli.Context, l string) error { _, err := parseLevel(l); return err }},
			&cli.StringFlag{Name: "env-file", Usage: "file of VAR=value for ${VAR} in the ordset file, instead of the .env beside it"},
		},
		Version:              version,
		EnableBashCompletion: true,
		// "-it" is "-i -t", as getopt has it.
		UseShortOptionHandling: true,
		Commands: []*cli.Command{
			upCommand(s),
			downCommand(s),
			scaleCommand(s),
			restartCommand(s),
			psCommand(s),
			getCommand(s),
			describeCommand(s),
			eventsCommand(s),
			logsCommand(s),
			execCommand(s),
			deleteCommand(s),
			waitCommand(s),
			portCommand(s),
			topCommand(s),
			cpCommand(s),
			lsCommand(s),
			rolloutCommand(s),
			dnsCommand(s),
			validateCommand(s),
			configCommand(s),
			exportCommand(s),
			explainCommand(s),
			daemonCommand(s),
			versionCommand(s),
			completionCommand(s),
		},
		ExitErrHandler: func(*cli.Context, error) {}, // never os.Exit inside the app
	}
	app.Action = func(c *cli.Context) error {
		if c.NArg() > 0 {
			return usageErrorf("unknown command %q%s", c.Args().First(), didYouMean(c.Args().First(), app.Commands))
		}
		return cli.ShowAppHelp(c)
	}
	app.OnUsageError = usageHandler("")
	wireCommands(app.Commands, "")
	withNameCompletion(app.Commands, "", s)
	return app
}

// helpFooter ends every command's help: the global flags apply everywhere, and the exit
// codes are the same for every command.
const helpFooter = `
GLOBAL OPTIONS (before or after the arguments; see ordset --help):
   -f FILE, -n NAMESPACE, -o table|wide|json|yaml, --env-file FILE, --log-level LEVEL

EXIT CODES:
   0 success, 1 failure, 2 usage error
`

// usageHandler turns urfave's flag errors into usage errors pointing at path's --help.
func usageHandler(path string) cli.OnUsageErrorFunc {
	return func(_ *cli.Context, err error, _ bool) error {
		msg := err.Error()
		if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
			msg = "unknown flag " + dashes(name)
		} else if before, after, ok := strings.Cut(msg, " for flag -"); ok {
			name, rest, _ := strings.Cut(after, ":")
			msg = before + " for " + dashes(name) + ":" + rest
		}
		return &usageError{msg: msg, cmd: path}
	}
}

// dashes spells a flag name as the user types it: -n, --namespace.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// wireCommands gives every command usage errors that name it, a refusal of unknown
// subcommands (urfave would answer "No help topic"), and checks of shared flag values
// before the command acts.
func wireCommands(cmds []*cli.Command, prefix string) {
	for _, c := range cmds {
		path := strings.TrimSpace(prefix + " " + c.Name)
		if c.CustomHelpTemplate == "" {
			c.CustomHelpTemplate = cli.CommandHelpTemplate + helpFooter
			if len(c.Subcommands) > 0 {
				c.CustomHelpTemplate = cli.SubcommandHelpTemplate + helpFooter
			}
		}
		if c.OnUsageError == nil {
			c.OnUsageError = usageHandler(path)
		}
		if c.Action == nil && len(c.Subcommands) > 0 {
			subs := c.Subcommands
			c.Action = func(ctx *cli.Context) error {
				if ctx.NArg() > 0 {
					typed := ctx.Args().First()
					hint := didYouMean(typed, subs)
					return usageErrorf("unknown %s command %q%s", path, typed, hint)
				}
				return cli.ShowSubcommandHelp(ctx)
			}
		}
		if act := c.Action; act != nil {
			c.Action = func(ctx *cli.Context) error {
				err := act(ctx)
				var u *usageError
				if errors.As(err, &u) && u.cmd == "" {
					u.cmd = path
				}
				return err
			}
		}
		wireCommands(c.Subcommands, path)
	}
}

// didYouMean suggests the command closest to a mistyped one, or "". Closeness is
// Jaro-Winkler similarity, as in urfave/cli's own suggestions, with a floor so that an
// unrelated word gets no suggestion (urfave's always names one).
func didYouMean(typed string, cmds []*cli.Command) string {
	best, bestScore := "", 0.8
	for _, c := range cmds {
		for _, n := range c.Names() {
			if score := smetrics.JaroWinkler(typed, n, 0.7, 4); score > bestScore {
				best, bestScore = c.Name, score
			}
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return 0, usageErrorf("invalid --log-level %q (debug, info, warn or error)", s)
	}
	return l, nil
}

// loadOptions are the options every load of the ordset file uses (image overrides are
// added by loadProject, which knows the files).
func (s *streams) loadOptions(in invocation) compose.LoadOptions {
	return compose.LoadOptions{Env: s.envMap(), EnvFile: in.String("env-file")}
}

// envMap is the environment ${VAR} interpolation sees.
func (s *streams) envMap() map[string]string {
	if s.Environ == nil {
		return nil
	}
	m := map[string]string{}
	for _, kv := range s.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// loadProject loads -f (or ./ordset.yaml, ./ordset.yml; "-" is stdin) and
// applies -n. -f may name an ordset file, Kubernetes manifests or a directory of them;
// --image and the images files beside them replace images first. Warnings (what manifests
// hold that ordset ignores, unused overrides...) go to stderr, or fail the load with
// --strict. It returns the file as the user named it, for messages.
func (s *streams) loadProject(in invocation) (*compose.Project, string, error) {
	paths := fileFlag(in)
	path := strings.Join(paths, ", ")
	if path == "" {
		found, err := compose.FindFile(".")
		if err != nil {
			return nil, "", err
		}
		path, paths = found, []string{found}
	}
	opts := s.loadOptions(in)
	images, err := imageOverrides(in, paths)
	if err != nil {
		return nil, path, err
	}
	opts.Images = images
	var (
		p        *compose.Project
		warnings []kube.Warning
	)
	if path == "-" {
		data, rerr := io.ReadAll(s.In)
		if rerr != nil {
			return nil, "", fmt.Errorf("read ordset file from stdin: %w", rerr)
		}
		path = "<stdin>"
		p, warnings, err = kube.LoadBytes(path, data, opts)
	} else {
		p, warnings, err = kube.LoadFiles(paths, opts)
	}
	if err = s.reportWarnings(in.Bool("strict"), warnings, p, err); err != nil {
		return nil, path, err
	}
	if ns := in.String("namespace"); ns != "" {
		if err := compose.CheckDNSLabel(ns); err != nil {
			return nil, path, usageErrorf("invalid --namespace: %v", err)
		}
		p.Namespace = ns
	}
	return p, path, nil
}

// reportWarnings prints the import's and the loader's warnings, or with strict turns them
// into one validation error listing every one (a load error comes first: nothing to run).
func (s *streams) reportWarnings(strict bool, kw []kube.Warning, p *compose.Project, loadErr error) error {
	var all []compose.Problem
	for _, w := range kw {
		all = append(all, w.Problem())
	}
	if p != nil {
		all = append(all, p.Warnings...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Before(all[j]) })
	if strict && loadErr == nil && len(all) > 0 {
		for i := range all {
			all[i].Message += " (an error with --strict)"
		}
		return &compose.ValidationError{Problems: all}
	}
	for _, w := range all {
		fmt.Fprintf(s.Err, "warning: %s\n", w)
	}
	return loadErr
}

// imageOverrides are the --image flags, then the images file beside each -f (a directory's
// own, a file's directory's), each file once: the first override that matches wins.
func imageOverrides(in invocation, paths []string) ([]compose.ImageOverride, error) {
	var out []compose.ImageOverride
	for _, f := range in.StringSlice("image") {
		o, err := compose.ParseImageFlag(f)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		out = append(out, o)
	}
	seen := map[string]bool{}
	for _, p := range paths {
		dir := p
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			dir = filepath.Dir(p)
		}
		file := filepath.Join(dir, compose.ImagesFile)
		if p == "-" || seen[file] {
			continue
		}
		seen[file] = true
		more, err := compose.LoadImagesFile(file)
		if err != nil {
			return nil, err
		}
		out = append(out, more...)
	}
	return out, nil
}

// fileFlag is every -f given, in order.
func fileFlag(in invocation) []string { return splitFileList(in.StringSlice("file"), pathExists) }

// splitFileList keeps each -f value whole (a path may hold a comma) unless the value names
// nothing and every comma-separated part does: "-f a.yaml,b.yaml" of earlier versions.
func splitFileList(values []string, exists func(string) bool) []string {
	var out []string
	for _, v := range values {
		parts := strings.Split(v, ",")
		if len(parts) == 1 || v == "-" || exists(v) || !allOf(parts, exists) {
			out = append(out, v)
			continue
		}
		out = append(out, parts...)
	}
	return out
}

func allOf(xs []string, ok func(string) bool) bool {
	for _, x := range xs {
		if !ok(x) {
			return false
		}
	}
	return true
}

func pathExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
