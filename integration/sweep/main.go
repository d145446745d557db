// Command sweep removes the Docker objects that test runs left behind: those labelled
// io.ordset.test.object=1 by the tests themselves. It never removes a container whose label
// came from its image, so a user's pods made from the offline test images survive, and by
// default only objects older than an hour: the engine may be shared with other test runs
// going on now (-min-age 0 removes every test object).
package main

import (
	"context"
	"flag"
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
	minAge := flag.Duration("min-age", time.Hour, "remove only test objects created at least this long ago (0: all)")
	flag.Parse()
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return err
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return testenv.SweepOlderThan(ctx, cli, *minAge)
}
