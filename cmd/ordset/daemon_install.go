package main

import (
	"context"
	"fmt"
	"github.com/ordset/ordset/orchestrator/server/statedir"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
)

// whileStopped is what a user must know before relying on, or stopping, the daemon.
const whileStopped = `While the daemon is stopped: pods keep running (Docker runs them), but the
embedded DNS server stops answering (names like redis-0.redis no longer resolve, inside
pods too), nothing replaces a pod that dies, no probe runs, and scale/up/down wait for
the next daemon. Any ordset command starts it again in the background; an installed
service starts it at boot.`

func daemonInstallCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "install",
		Usage: "install a service that runs the daemon at boot (systemd user or system unit; launchd agent on macOS)",
		Description: `Pods run with Docker's restart policy "no": after a reboot nothing brings them back
until a daemon runs. install writes a service definition that runs "ordset daemon" with
this state directory, restarts it when it fails and starts it at boot, then prints the
commands that enable it (it runs none itself). --print shows the file without writing it.

  Linux, default    ~/.config/systemd/user/ordset.service (systemctl --user; add
                    "loginctl enable-linger $USER" to start at boot without a login)
  Linux, --system   /etc/systemd/system/ordset.service (as root)
  macOS             ~/Library/LaunchAgents/dev.ordset.daemon.plist (launchctl)

` + whileStopped + `

Examples:
   ordset daemon install --print
   ordset daemon install && systemctl --user enable --now ordset
   sudo ordset daemon install --system`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "system", Usage: "a system unit (/etc/systemd/system) instead of a user unit"},
			&cli.BoolFlag{Name: "print", Usage: "print the service file instead of writing it"},
		},
		Action: action(s, runDaemonInstall),
	}
}

// serviceSpec is everything a service definition depends on.
type serviceSpec struct {
	OS       string // runtime.GOOS
	System   bool   // system-wide unit rather than the user's
	Binary   string // absolute path of ordset
	StateDir string
	Home     string
	Env      map[string]string // ORDSET_* settings to carry into the service
}

// serviceFile returns where the service definition goes and its content. Pure: the test
// checks it for every platform without installing anything.
func serviceFile(sp serviceSpec) (string, string, error) {
	switch sp.OS {
	case "linux":
		return systemdUnit(sp)
	case "darwin":
		if sp.System {
			return "", "", usageErrorf("--system is for systemd; on macOS the daemon is a launchd agent of the user")
		}
		return filepath.Join(sp.Home, "Library", "LaunchAgents", "dev.ordset.daemon.plist"), launchdPlist(sp), nil
	}
	return "", "", fmt.Errorf("daemon install supports Linux (systemd) and macOS (launchd), not %s: run \"ordset daemon\" from your service manager", sp.OS)
}

func systemdUnit(sp serviceSpec) (string, string, error) {
	path := filepath.Join(sp.Home, ".config", "systemd", "user", "ordset.service")
	after, wanted := "After=default.target", "default.target"
	if sp.System {
		path = "/etc/systemd/system/ordset.service"
		after, wanted = "After=docker.service network-online.target\nWants=network-online.target\nRequires=docker.service", "multi-user.target"
	}
	var env strings.Builder
	for _, k := range slices.Sorted(maps.Keys(sp.Env)) {
		fmt.Fprintf(&env, "Environment=%s=%s\n", k, systemdQuote(sp.Env[k]))
	}
	unit := fmt.Sprintf(`[Unit]
Description=ordset daemon (StatefulSets on Docker: controllers, DNS, state store)
%s

[Service]
Type=simple
ExecStart=%s daemon
Environment=ORDSET_STATE_DIR=%s
%sRestart=on-failure
RestartSec=5s

[Install]
WantedBy=%s
`, after, systemdQuote(sp.Binary), systemdQuote(sp.StateDir), env.String(), wanted)
	return path, unit, nil
}

func launchdPlist(sp serviceSpec) string {
	var env strings.Builder
	env.WriteString("    <key>ORDSET_STATE_DIR</key><string>" + xmlEscape(sp.StateDir) + "</string>\n")
	for _, k := range slices.Sorted(maps.Keys(sp.Env)) {
		env.WriteString("    <key>" + xmlEscape(k) + "</key><string>" + xmlEscape(sp.Env[k]) + "</string>\n")
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>dev.ordset.daemon</string>
  <key>ProgramArguments</key>
  <array>
    <string>` + xmlEscape(sp.Binary) + `</string>
    <string>daemon</string>
  </array>
  <key>EnvironmentVariables</key>
  <dict>
` + env.String() + `  </dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <key>StandardErrorPath</key><string>` + xmlEscape(filepath.Join(sp.StateDir, "daemon.log")) + `</string>
</dict>
</plist>
`
}

// enableHint is what the user runs after install.
func enableHint(sp serviceSpec, path string) string {
	switch {
	case sp.OS == "darwin":
		return "launchctl load -w " + path
	case sp.System:
		return "systemctl daemon-reload && systemctl enable --now ordset"
	}
	return "systemctl --user daemon-reload && systemctl --user enable --now ordset\n  loginctl enable-linger $USER    # start at boot, before you log in"
}

func runDaemonInstall(ctx context.Context, in invocation, s *streams) error {
	if err := in.maxArgs(0, "daemon install"); err != nil {
		return err
	}
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find the ordset binary: %w", err)
	}
	if bin, err = filepath.EvalSymlinks(bin); err != nil {
		return fmt.Errorf("find the ordset binary: %w", err)
	}
	p, err := statedir.DefaultPaths()
	if err != nil {
		return err
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return err
	}
	env := map[string]string{}
	for _, k := range []string{"ORDSET_DNS_ADDR", "ORDSET_EXTRA_LABELS", "DOCKER_HOST"} {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	sp := serviceSpec{OS: runtime.GOOS, System: in.Bool("system"), Binary: bin, StateDir: p.Dir, Home: home, Env: env}
	path, content, err := serviceFile(sp)
	if err != nil {
		return err
	}
	if in.Bool("print") {
		_, err := fmt.Fprint(s.Out, content)
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("install %s: %w", path, err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("install %s: %w", path, err)
	}
	fmt.Fprintf(s.Err, "wrote %s\nenable and start it with:\n  %s\n", path, enableHint(sp, path))
	return nil
}

// systemdQuote quotes a value for a unit file when it holds spaces or quotes.
func systemdQuote(v string) string {
	if !strings.ContainsAny(v, " \t\"'\\") {
		return v
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

func xmlEscape(v string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(v)
}
