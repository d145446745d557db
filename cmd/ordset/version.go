package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/api"
	"github.com/ordset/ordset/orchestrator/daemon"
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
   ordset version`,
		Action: func(c *cli.Context) error {
			fmt.Fprintf(c.App.Writer, "Client: ordset %s (%s, api %s)\n", c.App.Version, runtime.Version(), api.Version)
			p, err := daemon.DefaultPaths()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(c.Context, 2*time.Second)
			defer cancel()
			v, err := api.NewClient(p.Socket).Version(ctx)
			if err != nil {
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
