package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/compose/kube"
)

func exportCommand(s *streams) *cli.Command {
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
   ordset export -o json -n staging
   ordset export --strict --image nginx=myorg/nginx:1.27 -f k8s/`,
		Flags:  []cli.Flag{strictFlag, imageFlag},
		Action: action(s, runExport),
	}
}

func runExport(_ context.Context, in invocation, s *streams) error {
	if err := in.noArgs(); err != nil {
		return err
	}
	format, err := in.outputFormat("yaml", "yaml", "json")
	if err != nil {
		return err
	}
	p, shown, err := s.loadProject(in)
	if err != nil {
		return err
	}
	objs, warnings := kube.Export(p)
	for _, w := range warnings {
		fmt.Fprintf(s.Err, "warning: %s\n", w)
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
	_, err = s.Out.Write(out)
	return err
}
