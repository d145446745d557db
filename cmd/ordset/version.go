package main

import (
	"context"
	"fmt"
	"github.com/ordset/ordset/orchestrator/server/statedir"
	"runtime"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// version is the build's version; release builds set it with
// -ldflags "-X main.version=v1.2.3".
var version = "dev"

func versionCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the client's and (when running) the daemon's version",
		Description: `Does not start a daemon.

Examples:
   ordset version
   ordset version -o json`,
		Action: action(s, runVersion),
	}
}

func runVersion(ctx context.Context, in invocation, s *streams) error {
	if err := in.maxArgs(0, ""); err != nil {
		return err
	}
	out, err := in.outputFormat("text", dataFormats("text")...)
	if err != nil {
		return err
	}
	client := api.VersionInfo{Version: version, APIVersion: api.Version, GoVersion: runtime.Version()}
	p, err := statedir.DefaultPaths()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	v, derr := api.NewClient(p.Socket).Version(ctx)
	if isData(out) {
		doc := struct {
			Client api.VersionInfo  `json:"client"`
			Daemon *api.VersionInfo `json:"daemon"` // null when none is running
		}{Client: client}
		if derr == nil {
			doc.Daemon = &v
		}
		return writeData(s.Out, out, doc)
	}
	fmt.Fprintf(s.Out, "Client: ordset %s (%s, api %s)\n", client.Version, client.GoVersion, client.APIVersion)
	if derr != nil {
		fmt.Fprintf(s.Out, "Daemon: not running (%s)\n", p.Socket)
		return nil
	}
	fmt.Fprintf(s.Out, "Daemon: ordset %s (%s, api %s)\n", v.Version, v.GoVersion, v.APIVersion)
	return nil
}
