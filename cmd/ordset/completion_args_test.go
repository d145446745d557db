package main

import (
	"strings"
	"testing"
)

// TestNormalizeKeepsCompletionFlagLast: urfave/cli only sees its completion
// flag as the very last argument, so normalising must not move it.
func TestNormalizeKeepsCompletionFlagLast(t *testing.T) {
	app := newApp(&streams{})
	got := strings.Join(normalizeArgs(app, strings.Fields("ordset validate x -n demo --generate-bash-completion")), " ")
	if want := "ordset -n demo validate -- x --generate-bash-completion"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}
