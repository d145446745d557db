package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/compose/kube"
)

func exportCommand(env *cliEnv) *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write Kubernetes manifests for the file's sets (StatefulSet, headless Service, ConfigMaps, Namespace)",
		ArgsUsage: " ",
		Description: `Writes what a real cluster needs to run the same sets with the same semantics:
the Namespace, and per set its headless Service, its StatefulSet and a ConfigMap for each
hostPath mount. Settings with no Kubernetes equivalent (hostPort + ordinal, dependsOn, Docker
volume drivers, user names) are kept in ordset.io/ annotations and reported on stderr.
Reading the output back (ordset config -f -) gives the same spec.

Examples:
   ordset export -f examples/redis/ordset.yaml | kubectl apply -f -
   ordset export -o json -n staging`,
		Action: func(c *cli.Context) error {
			if err := exactArgs(c, 0); err != nil {
				return err
			}
			format, err := outputFormat(c, "yaml", "yaml", "json")
			if err != nil {
				return err
			}
			p, shown, err := env.loadProject(c)
			if err != nil {
				return err
			}
			objs, warnings := kube.Export(p)
			for _, w := range warnings {
				fmt.Fprintf(env.Stderr, "warning: %s\n", w)
			}
			var out []byte
			if format == "json" {
				out, err = kube.RenderJSON(objs)
			} else {
				out, err = kube.RenderYAML(objs, fmt.Sprintf("Kubernetes manifests exported by ordset from %s.\nApply with: kubectl apply -f FILE", shown))
			}
			if err != nil {
				return err
			}
			_, err = env.Stdout.Write(out)
			return err
		},
	}
}
