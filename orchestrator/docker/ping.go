package docker

import (
	"context"
	"fmt"
)

// Ping checks that the engine answers, so a daemon without access to the Docker socket
// fails at start with the reason instead of serving empty answers.
func (r *Runtime) Ping(ctx context.Context) error {
	if _, err := r.cli.Ping(ctx); err != nil {
		return fmt.Errorf("cannot reach the Docker engine at %s: %w", r.cli.DaemonHost(), err)
	}
	return nil
}
