package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/server/daemon"
)

// version is the build's version; release builds set it with
// -ldflags "-X main.version=v1.2.3".
var version = "dev"

func versionCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the client's and (when running) the daemon's version",
		Description: `Does not start a daemon.

Examples:
   ordset version
   ordset version -o json`,
		Action: func(c *cli.Context) error {
			out, err := outputFormat(c, "text", "text", "json")
			if err != nil {
				return err
			}
			client := api.VersionInfo{Version: c.App.Version, APIVersion: api.Version, GoVersion: runtime.Version()}
			p, err := daemon.DefaultPaths()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(c.Context, 2*time.Second)
			defer cancel()
			v, derr := api.NewClient(p.Socket).Version(ctx)
			if out == "json" {
				doc := struct {
					Client api.VersionInfo  `json:"client"`
					Daemon *api.VersionInfo `json:"daemon"` // null when none is running
				}{Client: client}
				if derr == nil {
					doc.Daemon = &v
				}
				return writeJSON(c.App.Writer, doc)
			}
			fmt.Fprintf(c.App.Writer, "Client: ordset %s (%s, api %s)\n", client.Version, client.GoVersion, client.APIVersion)
			if derr != nil {
				fmt.Fprintf(c.App.Writer, "Daemon: not running (%s)\n", p.Socket)
				return nil
			}
			fmt.Fprintf(c.App.Writer, "Daemon: ordset %s (%s, api %s)\n", v.Version, v.GoVersion, v.APIVersion)
			return nil
		},
	}
}

func contextTimeout(c *cli.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Context, d)
}
