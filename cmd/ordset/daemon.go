package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/daemon"
)

func daemonCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:  "daemon",
		Usage: "run the ordset daemon in the foreground, or stop / inspect the running one",
		Description: `The daemon holds the controllers of every namespace, the embedded DNS server and the
state store. Commands that need it start it in the background when none answers; run it
in the foreground for systemd, CI or debugging. One daemon serves one state directory
(ORDSET_STATE_DIR, default $XDG_STATE_HOME/ordset, ~/.local/state/ordset, or
/var/lib/ordset for root). Environment: ORDSET_DNS_ADDR (host DNS listener, default
127.0.0.1:15353), ORDSET_EXTRA_LABELS (k=v,... added to every Docker object).

Examples:
   ordset daemon --log-level debug
   ordset daemon status
   ordset daemon stop`,
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return usageErrorf("unknown daemon command %q (want status or stop)", c.Args().First())
			}
			return runDaemon(c, env)
		},
		Subcommands: []*cli.Command{
			{
				Name:  "stop",
				Usage: "stop the daemon gracefully (pods keep running)",
				Description: `Examples:
   ordset daemon stop`,
				Action: func(c *cli.Context) error {
					p, err := daemon.DefaultPaths()
					if err != nil {
						return err
					}
					running, err := daemon.Stop(c.Context, p, 30*time.Second)
					if err != nil {
						return err
					}
					if !running {
						fmt.Fprintf(env.Stderr, "no daemon running (%s)\n", p.Socket)
						return nil
					}
					fmt.Fprintln(env.Stderr, "daemon stopped; pods keep running")
					return nil
				},
			},
			{
				Name:  "status",
				Usage: "show the running daemon: pid, socket, uptime, version, namespaces, DNS listeners, orphans",
				Description: `Exits 1 when no daemon is running (it does not start one).

Examples:
   ordset daemon status
   ordset daemon status -o json`,
				Action: func(c *cli.Context) error { return runDaemonStatus(c, env) },
			},
		},
	}
}

func runDaemon(c *cli.Context, env *cliEnv) error {
	// Each package adds its own component attribute to this base logger.
	level, _ := parseLevel(c.String("log-level"))
	log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
	opts, err := daemon.OptionsFromEnv(log, c.App.Version)
	if err != nil {
		return err
	}
	d, err := daemon.New(opts)
	if err != nil {
		if errors.Is(err, daemon.ErrAlreadyRunning) {
			return cli.Exit(err.Error(), 1)
		}
		return err
	}
	return d.Run(c.Context)
}

func runDaemonStatus(c *cli.Context, env *cliEnv) error {
	out, err := outputFormat(c, "text", "text", "json")
	if err != nil {
		return err
	}
	p, err := daemon.DefaultPaths()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Context, 15*time.Second)
	defer cancel()
	st, err := api.NewClient(p.Socket).Status(ctx)
	if err != nil && daemon.LockedPID(p) == 0 {
		return cli.Exit(fmt.Sprintf("no daemon running (state dir %s); \"ordset up\" starts one, \"ordset daemon\" runs one in the foreground", p.Dir), 1)
	}
	if err != nil {
		return cli.Exit(fmt.Sprintf("the daemon (pid %d) does not answer: %v; its log is %s", daemon.LockedPID(p), err, p.Log), 1)
	}
	w := env.Stdout
	if out == "json" {
		return writeJSON(w, st)
	}
	kv := func(k, v string) { fmt.Fprintf(w, "%-12s %s\n", k+":", v) }
	kv("PID", fmt.Sprint(st.PID))
	kv("Socket", st.Socket)
	kv("State dir", st.StateDir)
	kv("Version", fmt.Sprintf("%s (%s, api %s)", st.Version.Version, st.Version.GoVersion, st.Version.APIVersion))
	kv("Uptime", time.Since(st.StartedAt).Round(time.Second).String())
	kv("Namespaces", orNone(strings.Join(st.Namespaces, ", ")))
	kv("DNS zone", st.DNS.Zone)
	fmt.Fprintln(w, "DNS listeners:")
	for _, l := range st.DNS.Listeners {
		state := "ok"
		if l.Error != "" {
			state = "FAILED: " + l.Error
		}
		fmt.Fprintf(w, "  %-22s %-18s %s\n", l.Addr, l.Network, state)
	}
	if len(st.Orphans) > 0 {
		fmt.Fprintln(w, "Orphans (labelled objects of sets not applied; left untouched):")
		for _, o := range st.Orphans {
			fmt.Fprintf(w, "  %-9s %-28s %s/%s\n", o.Kind, o.Name, o.Namespace, o.Set)
		}
	}
	for _, warn := range st.Warnings {
		fmt.Fprintln(env.Stderr, "warning: "+warn)
	}
	return nil
}
