package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// testApp is the real app plus commands shaped to exercise the normaliser's corners (a
// command shadowing a global flag, a value flag on a parent with subcommands). Real commands
// (scale, exec, down, ps) are used as they are.
func testApp() *cli.App {
	app := newApp(&streams{})
	app.Commands = append(app.Commands,
		&cli.Command{Name: "lister", Flags: []cli.Flag{&cli.StringFlag{Name: "output", Aliases: []string{"o"}}}},
		&cli.Command{Name: "tool", Flags: []cli.Flag{&cli.StringFlag{Name: "state-dir"}},
			Subcommands: []*cli.Command{{Name: "status", Flags: []cli.Flag{&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}}}}}},
	)
	return app
}

func TestNormalizeArgs(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ordset", "ordset"},
		{"ordset validate", "ordset validate"},
		{"ordset scale redis 5 -n demo", "ordset -n demo scale -- redis 5"},
		{"ordset -n demo scale redis 5", "ordset -n demo scale -- redis 5"},
		{"ordset scale -n demo redis 5", "ordset -n demo scale -- redis 5"},
		{"ordset scale redis --namespace=demo 5", "ordset --namespace=demo scale -- redis 5"},
		{"ordset validate -f x.yaml", "ordset -f x.yaml validate"},
		{"ordset validate --file x.yaml --log-level debug", "ordset --file x.yaml --log-level debug validate"},
		{"ordset exec redis-0 -- redis-cli -n 1", "ordset exec -- redis-0 -- redis-cli -n 1"},
		{"ordset exec redis-0 -t -n demo -- sh -c -f", "ordset -n demo exec -t -- redis-0 -- sh -c -f"},
		{"ordset exec -- ls", "ordset exec -- -- ls"},
		{"ordset down -v --timeout 5s -n demo", "ordset -n demo down -v --timeout 5s"},
		{"ordset down --volumes=true", "ordset down --volumes=true"},
		{"ordset ps -o wide -n demo", "ordset -o wide -n demo ps"},
		{"ordset lister -o wide -n demo", "ordset -n demo lister -o wide"},
		{"ordset lister redis -o json", "ordset lister -o json -- redis"},
		{"ordset logs redis-0 -f --tail 5", "ordset logs -f --tail 5 -- redis-0"},
		{"ordset up -f x.yaml --timeout 1m", "ordset -f x.yaml up --timeout 1m"},
		{"ordset config -o json", "ordset -o json config"},
		{"ordset tool status -q --state-dir /s -n x", "ordset -n x tool --state-dir /s status -q"},
		{"ordset get sts -A web", "ordset get sts -A -- web"},
		{"ordset validate --bogus extra", "ordset validate --bogus -- extra"},
		{"ordset --bogus validate", "ordset --bogus validate"},
		{"ordset nosuch -n demo", "ordset -n demo -- nosuch"},
		{"ordset validate --help", "ordset validate --help"},
		{"ordset help validate", "ordset help -- validate"},
		{"ordset scale redis 5 -n", "ordset -n scale -- redis 5"},
		{"ordset exec -it redis-1 -- sh", "ordset exec -it -- redis-1 -- sh"},
		{"ordset exec redis-1 -ti -n demo -- sh -it", "ordset -n demo exec -ti -- redis-1 -- sh -it"},
		{"ordset down -nv demo", "ordset down -nv -- demo"},
		{"ordset events -Af", "ordset events -Af"},
		{"ordset ps -Ax", "ordset ps -Ax"},
	}
	app := testApp()
	for _, tt := range tests {
		got := strings.Join(normalizeArgs(app, strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("normalizeArgs(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// TestNormalizedArgsReachCommand checks the parser really sees what the
// normalizer promises: flags in place, the user's "--" kept in Args.
func TestNormalizedArgsReachCommand(t *testing.T) {
	var gotArgs []string
	var gotNS string
	var gotTTY bool
	app := testApp()
	for _, c := range app.Commands {
		if c.Name == "exec" {
			c.Action = func(c *cli.Context) error {
				gotArgs, gotNS, gotTTY = c.Args().Slice(), c.String("namespace"), c.Bool("tty")
				return nil
			}
		}
	}
	in := strings.Fields("ordset exec redis-0 -t -- redis-cli -n 1 -n demo")
	if err := app.Run(normalizeArgs(app, in)); err != nil {
		t.Fatal(err)
	}
	want := []string{"redis-0", "--", "redis-cli", "-n", "1", "-n", "demo"}
	if !reflect.DeepEqual(gotArgs, want) || gotNS != "" || !gotTTY {
		t.Errorf("args %q ns %q tty %v; want %q, no namespace, tty", gotArgs, gotNS, gotTTY, want)
	}
	in = strings.Fields("ordset exec redis-0 -n demo")
	if err := app.Run(normalizeArgs(app, in)); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotArgs, []string{"redis-0"}) || gotNS != "demo" {
		t.Errorf("args %q ns %q; want [redis-0] demo", gotArgs, gotNS)
	}
}
