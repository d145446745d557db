package main

import (
	"context"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// streams are everything a command touches outside its arguments: the one place it reads
// from and writes to, injected so tests run commands in-process and assert on what they print.
type streams struct {
	In      io.Reader
	Out     io.Writer       // data: tables, JSON, YAML
	Err     io.Writer       // progress, notes, warnings
	Environ func() []string // for ${VAR} interpolation; nil means none
}

func osStreams(stdout, stderr io.Writer) *streams {
	return &streams{In: os.Stdin, Out: stdout, Err: stderr, Environ: os.Environ}
}

// flagValues reads the flags of one invocation by name. *cli.Context satisfies it; tests
// pass a flagMap, so a command runs without the CLI library.
type flagValues interface {
	String(name string) string
	Bool(name string) bool
	Int(name string) int
	Duration(name string) time.Duration
	StringSlice(name string) []string
	IsSet(name string) bool
}

// invocation is one command as the user typed it: the command's path ("get statefulsets"),
// its positional arguments and its flag values (global ones included).
type invocation struct {
	cmd  string
	args []string
	flagValues
}

// runFunc is a command: a function of the context, the invocation and the streams.
type runFunc func(ctx context.Context, in invocation, s *streams) error

// action adapts a command to urfave/cli: the CLI library only parses, the command acts.
func action(s *streams, run runFunc) cli.ActionFunc {
	return func(c *cli.Context) error {
		return run(c.Context, invocation{cmd: commandPath(c), args: c.Args().Slice(), flagValues: c}, s)
	}
}

// commandPath is the command's name under the app ("dns resolve").
func commandPath(c *cli.Context) string {
	var names []string
	for _, l := range c.Lineage() {
		if l.Command != nil && l.Command.Name != c.App.Name { // the root command is the app

			names = append([]string{l.Command.Name}, names...)
		}
	}
	return strings.Join(names, " ")
}

// arg returns the i-th positional argument, or "".
func (in invocation) arg(i int) string {
	if i < len(in.args) {
		return in.args[i]
	}
	return ""
}

// outputFormat returns -o (or def when unset), refusing formats the command lacks.
func (in invocation) outputFormat(def string, allowed ...string) (string, error) {
	o := in.String("output")
	if o == "" {
		return def, nil
	}
	for _, a := range allowed {
		if o == a {
			return o, nil
		}
	}
	return "", usageErrorf("%s does not support -o %s (use %s)", in.cmd, o, strings.Join(allowed, " or "))
}

// noArgs refuses positional arguments of a command that reads a file instead.
func (in invocation) noArgs() error {
	if len(in.args) > 0 {
		return usageErrorf("%s takes no arguments (got %q); name the file with -f FILE", in.cmd, in.args[0])
	}
	return nil
}

// maxArgs refuses more positional arguments than a command reads (extra ones were once
// silently ignored: "ordset ps redis-0" listed every pod).
func (in invocation) maxArgs(n int, usage string) error {
	if len(in.args) > n {
		return usageErrorf("%s: unexpected argument %q (usage: ordset %s %s)", in.cmd, in.args[n], in.cmd, usage)
	}
	return nil
}
