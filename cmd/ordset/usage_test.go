package main

import (
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// Every usage mistake exits 2 on stderr only, names what was wrong, suggests the likely
// intent and points at the right command's --help.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"upp"}, []string{`unknown command "upp" (did you mean "up"?)`, "Run 'ordset --help'"}},
		{[]string{"desribe", "redis"}, []string{`(did you mean "describe"?)`}},
		{[]string{"ps", "--bogus"}, []string{"unknown flag --bogus", "Run 'ordset ps --help'"}},
		{[]string{"ps", "-x"}, []string{"unknown flag -x"}},
		{[]string{"get", "psod"}, []string{`unknown get command "psod"`, "Run 'ordset get --help'"}},
		{[]string{"get", "pods", "-l", "tier=db"}, []string{`invalid -l "tier=db"`, "Run 'ordset get pods --help'"}},
		{[]string{"rollout", "restrat", "web"}, []string{`(did you mean "restart"?)`, "Run 'ordset rollout --help'"}},
		{[]string{"scale", "web"}, []string{"scale needs SET and REPLICAS", "Run 'ordset scale --help'"}},
		{[]string{"up", "--timeout", "5x"}, []string{`invalid value "5x" for --timeout`, "Run 'ordset up --help'"}},
		{[]string{"up", "--progress", "fancy"}, []string{`invalid --progress "fancy"`, "Run 'ordset up --help'"}},
		{[]string{"help", "nosuch"}, []string{"nosuch"}},
		{[]string{"ps", "-n", "Bad_NS"}, []string{`invalid --namespace: "Bad_NS" is not a DNS label`}},
		{[]string{"scale", "web", "2", "-n", "Bad_NS"}, []string{`invalid --namespace`}},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		code, stdout, stderr := runIn(t, dir, nil, tt.args...)
		if code != exitUsage || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing on stdout", tt.args, code, stdout)
		}
		for _, w := range tt.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr %q lacks %q", tt.args, stderr, w)
			}
		}
	}
}

// A close typo gets a suggestion; an unrelated word gets none.
func TestDidYouMean(t *testing.T) {
	cmds := newApp(&streams{}).Commands
	for _, tt := range []struct{ typed, want string }{
		{"upp", "up"}, {"desribe", "describe"}, {"scael", "scale"}, {"nosuch", ""}, {"xyz", ""},
	} {
		want := ""
		if tt.want != "" {
			want = ` (did you mean "` + tt.want + `"?)`
		}
		if got := didYouMean(tt.typed, cmds); got != want {
			t.Errorf("didYouMean(%q) = %q, want %q", tt.typed, got, want)
		}
	}
}

// Every command's --help (a parent's too) shows examples, the global flags and the exit codes.
func TestEveryCommandHelp(t *testing.T) {
	var walk func(prefix []string, cmds []*cli.Command)
	walk = func(prefix []string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Name == "help" {
				continue
			}
			args := append(append([]string{}, prefix...), c.Name)
			code, stdout, stderr := runIn(t, "", nil, append(args, "--help")...)
			if code != 0 || stderr != "" || !strings.Contains(stdout, "EXIT CODES:") || !strings.Contains(stdout, "-n NAMESPACE") ||
				!strings.Contains(stdout, "Examples:") {
				t.Errorf("ordset %s --help: exit %d\n%s%s", strings.Join(args, " "), code, stdout, stderr)
			}
			walk(args, c.Subcommands)
		}
	}
	walk(nil, newApp(&streams{}).Commands)
}

// Extra arguments are refused (exit 2), not silently ignored.
func TestExtraArgumentsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"version", "extra"}, {"daemon", "status", "extra"}, {"daemon", "stop", "extra"}, {"ls", "extra"},
		{"explain", "a", "b"}, {"completion", "bash", "extra"}, {"events", "extra"}, {"up", "extra"},
		{"describe", "a", "b"}, {"scale", "web", "2", "3"}, {"dns", "resolve", "a", "A", "extra"},
	} {
		code, stdout, stderr := runIn(t, t.TempDir(), nil, args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, "Run 'ordset") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error", args, code, stdout, stderr)
		}
	}
}
