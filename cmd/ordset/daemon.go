package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/ordset/ordset/orchestrator/server/statedir"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/daemon"
)

func daemonCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "daemon",
		Usage: "run the ordset daemon in the foreground, or stop / inspect the running one",
		Description: `The daemon holds the controllers of every namespace, the embedded DNS server and the
state store. Commands that need it start it in the background when none answers; run it
in the foreground for systemd, CI or debugging. One daemon serves one state directory
(ORDSET_STATE_DIR, default $XDG_STATE_HOME/ordset, ~/.local/state/ordset, or
/var/lib/ordset for root). Environment: ORDSET_DNS_ADDR (host DNS listener, default
127.0.0.1:15353), ORDSET_EXTRA_LABELS (k=v,... added to every Docker object),
ORDSET_PPROF_ADDR (a loopback address for Go's /debug/pprof/ profiles; off by default).
"ordset daemon install" makes it a service that starts at boot.

` + whileStopped + `

Examples:
   ordset daemon --log-level debug
   ordset daemon status
   ordset daemon stop`,
		Action: action(s, runDaemon),
		Subcommands: []*cli.Command{
			daemonInstallCommand(s),
			{
				Name:  "stop",
				Usage: "stop the daemon gracefully (pods keep running; DNS answers stop)",
				Description: whileStopped + `

Examples:
   ordset daemon stop`,
				Action: action(s, runDaemonStop),
			},
			{
				Name:  "status",
				Usage: "show the running daemon: pid, socket, uptime, version, namespaces, DNS listeners, orphans",
				Description: `Exits 1 when no daemon is running (it does not start one).

Examples:
   ordset daemon status
   ordset daemon status -o json`,
				Action: action(s, runDaemonStatus),
			},
		},
	}
}

func runDaemon(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) > 0 {
		return usageErrorf("unknown daemon command %q (want status, stop or install)", in.arg(0))
	}
	// Each package adds its own component attribute to this base logger.
	level, _ := parseLevel(in.String("log-level"))
	log := slog.New(slog.NewTextHandler(s.Err, &slog.HandlerOptions{Level: level}))
	opts, err := daemon.OptionsFromEnv(log, version)
	if err != nil {
		return err
	}
	if err := checkEngine(ctx, opts.Runtime); err != nil {
		return err
	}
	if addr := os.Getenv("ORDSET_PPROF_ADDR"); addr != "" {
		if _, err := servePprof(ctx, addr, log); err != nil {
			return err
		}
	}
	d, err := daemon.New(opts)
	if err != nil {
		if errors.Is(err, statedir.ErrAlreadyRunning) {
			return err
		}
		return err
	}
	return d.Run(ctx)
}

func runDaemonStatus(ctx context.Context, in invocation, s *streams) error {
	if err := in.maxArgs(0, ""); err != nil {
		return err
	}
	out, err := in.outputFormat("text", dataFormats("text")...)
	if err != nil {
		return err
	}
	p, err := statedir.DefaultPaths()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	st, err := api.NewClient(p.Socket).Status(ctx)
	if err != nil && statedir.LockedPID(p) == 0 {
		return fmt.Errorf("no daemon running (state dir %s); \"ordset up\" starts one, \"ordset daemon\" runs one in the foreground", p.Dir)
	}
	if err != nil {
		return fmt.Errorf("the daemon (pid %d) does not answer: %w; its log is %s", statedir.LockedPID(p), err, p.Log)
	}
	w := s.Out
	if isData(out) {
		return writeData(w, out, st)
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
		fmt.Fprintln(s.Err, "warning: "+warn)
	}
	return nil
}

func runDaemonStop(ctx context.Context, in invocation, s *streams) error {
	if err := in.maxArgs(0, "daemon stop"); err != nil {
		return err
	}
	p, err := statedir.DefaultPaths()
	if err != nil {
		return err
	}
	running, err := statedir.Stop(ctx, p, 30*time.Second)
	if err != nil {
		return err
	}
	if !running {
		fmt.Fprintf(s.Err, "no daemon running (%s)\n", p.Socket)
		return nil
	}
	fmt.Fprintln(s.Err, "daemon stopped; pods keep running")
	return nil
}

// checkEngine refuses to run a daemon that cannot reach the engine: one would start, answer
// every "ordset ps" with "No pods found" and succeed.
func checkEngine(ctx context.Context, rt any) error {
	p, ok := rt.(interface{ Ping(context.Context) error })
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.Ping(ctx); err != nil {
		return fmt.Errorf("%w\n  the daemon needs the Docker socket: is Docker running, and may this user use it (the docker group)? DOCKER_HOST names another engine", err)
	}
	return nil
}
