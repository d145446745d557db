package main

import (
	"context"
	"fmt"

	"github.com/docker/docker/client"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// engineClient connects to the Docker engine directly (DOCKER_HOST and friends apply): exec,
// cp and top move bytes the daemon has no reason to relay.
func engineClient() (*client.Client, error) {
	dc, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	return dc, nil
}

// podContainer resolves a pod of the command's namespace to its container, through the daemon.
func podContainer(ctx context.Context, in invocation, s *streams, pod string) (string, api.ExecTarget, error) {
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return "", api.ExecTarget{}, err
	}
	target, err := cl.ExecTarget(ctx, ns, pod)
	return ns, target, err
}
