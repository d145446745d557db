//go:build integration

package testenv_test

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/ordset/ordset/integration/testenv"
)

// TestSweepIsScopedToItsNamespace: a sweep removes its namespace's test objects and nothing
// of another namespace, nor unlabelled objects.
func TestSweepIsScopedToItsNamespace(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cli := testenv.Docker(t)
	mine, other := testenv.UniqueNamespace(t, "sweep"), testenv.UniqueNamespace(t, "keep")

	mk := func(ns string, lbl map[string]string) (string, string, string) {
		c, err := cli.ContainerCreate(ctx, &container.Config{Image: testenv.Image("busybox"), Labels: lbl}, nil, nil, nil, ns+"-x-0")
		if err != nil {
			t.Fatal(err)
		}
		n, err := cli.NetworkCreate(ctx, "ordset-"+ns, network.CreateOptions{Labels: lbl})
		if err != nil {
			t.Fatal(err)
		}
		v, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: ns + "_d-x-0", Labels: lbl})
		if err != nil {
			t.Fatal(err)
		}
		return c.ID, n.ID, v.Name
	}
	c1, n1, v1 := mk(mine, testenv.Labels())
	c2, n2, v2 := mk(other, testenv.Labels())
	bare := mine + "_bare"
	if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: bare}); err != nil {
		t.Fatal(err)
	}
	defer cli.VolumeRemove(context.Background(), bare, true)

	if err := testenv.Sweep(ctx, cli, mine); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ContainerInspect(ctx, c1); err == nil {
		t.Error("container of the swept namespace survived")
	}
	if _, err := cli.NetworkInspect(ctx, n1, network.InspectOptions{}); err == nil {
		t.Error("network of the swept namespace survived")
	}
	if _, err := cli.VolumeInspect(ctx, v1); err == nil {
		t.Error("volume of the swept namespace survived")
	}
	if _, err := cli.ContainerInspect(ctx, c2); err != nil {
		t.Errorf("other namespace's container removed: %v", err)
	}
	if _, err := cli.NetworkInspect(ctx, n2, network.InspectOptions{}); err != nil {
		t.Errorf("other namespace's network removed: %v", err)
	}
	if _, err := cli.VolumeInspect(ctx, v2); err != nil {
		t.Errorf("other namespace's volume removed: %v", err)
	}
	if _, err := cli.VolumeInspect(ctx, bare); err != nil {
		t.Errorf("unlabelled volume removed: %v", err)
	}
}
