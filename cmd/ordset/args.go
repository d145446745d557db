package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// cmdLevel is one command on the path to the command being run, with the
// flags given for it.
type cmdLevel struct {
	name  string
	arity map[string]bool // flag name -> takes a value
	flags []string
}

func flagArity(flags []cli.Flag) map[string]bool {
	m := map[string]bool{"help": false, "h": false}
	for _, f := range flags {
		takes := true
		if tv, ok := f.(interface{ TakesValue() bool }); ok {
			takes = tv.TakesValue()
		}
		for _, n := range f.Names() {
			m[n] = takes
		}
	}
	return m
}

// normalizeArgs lets flags follow positional arguments, as kubectl users type
// them: urfave/cli stops parsing flags at the first positional, so every flag
// (with its value) moves ahead of the positionals, global flags before the
// command name and command flags right after it. A flag belongs to the deepest
// command defining it, else to the app, else (unknown) to the command, where
// the parser reports it. A "--" is inserted after the flags, so positionals are
// never parsed as flags; the user's own "--" and everything after it stay in
// the command's Args verbatim (`ordset exec redis-0 -- redis-cli -n 1` gives
// Args [redis-0 -- redis-cli -n 1]).
func normalizeArgs(app *cli.App, args []string) []string {
	if len(args) <= 1 {
		return args
	}
	// urfave/cli only recognises its shell-completion flag as the last argument.
	if last := args[len(args)-1]; last == "--generate-bash-completion" {
		return append(normalizeArgs(app, args[:len(args)-1]), last)
	}
	global := &cmdLevel{arity: flagArity(app.Flags)}
	var levels []*cmdLevel
	var positionals, rest []string
	cmds := app.Commands
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = args[i:]
			break
		}
		if len(a) > 1 && a[0] == '-' {
			name, _, inline := strings.Cut(strings.TrimLeft(a, "-"), "=")
			dst := flagOwner(global, levels, name)
			dst.flags = append(dst.flags, a)
			if dst.arity[name] && !inline && i+1 < len(args) {
				i++
				dst.flags = append(dst.flags, args[i])
			}
			continue
		}
		if len(positionals) == 0 {
			if len(levels) == 0 && (a == "help" || a == "h") {
				levels = append(levels, &cmdLevel{name: a, arity: flagArity(nil)})
				cmds = nil
				continue
			}
			if cmd := findCommand(cmds, a); cmd != nil {
				levels = append(levels, &cmdLevel{name: a, arity: flagArity(cmd.Flags)})
				cmds = cmd.Subcommands
				continue
			}
		}
		positionals = append(positionals, a)
	}
	return joinArgs(args[0], global, levels, positionals, rest)
}

// flagOwner returns the level a flag named name is moved to: the deepest command defining it,
// else the app, else the deepest command given (the app when none), whose parser then reports
// the unknown flag with that command's usage.
func flagOwner(global *cmdLevel, levels []*cmdLevel, name string) *cmdLevel {
	for k := len(levels) - 1; k >= 0; k-- {
		if _, ok := levels[k].arity[name]; ok {
			return levels[k]
		}
	}
	if _, ok := global.arity[name]; ok || len(levels) == 0 {
		return global
	}
	return levels[len(levels)-1]
}

// joinArgs rebuilds the command line in the order urfave/cli parses: program, global flags,
// each command with its flags, then "--" so that no positional (nor the user's own "--" and
// what follows it) can be taken for a flag.
func joinArgs(prog string, global *cmdLevel, levels []*cmdLevel, positionals, rest []string) []string {
	out := append([]string{prog}, global.flags...)
	for _, l := range levels {
		out = append(out, l.name)
		out = append(out, l.flags...)
	}
	if len(positionals)+len(rest) > 0 {
		out = append(out, "--")
	}
	out = append(out, positionals...)
	return append(out, rest...)
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
