// Command sweep removes the Docker objects that test runs left behind: those labelled
// io.ordset.test.object=1 by the tests themselves. It never removes a container whose label
// came from its image, so a user's pods made from the offline test images survive.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/docker/docker/client"

	"github.com/ordset/ordset/integration/testenv"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "sweep:", err)
		os.Exit(1)
	}
}

func run() error {
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return testenv.SweepAll(ctx, cli)
}
