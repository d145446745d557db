//go:build integration

package testenv_test

import (
	"context"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator/identity"
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

// TestSweepSparesUsersPods: a user's pod made from an ordset-test image, and one made from an
// image that itself carries the test label, both survive a sweep of their namespace, while the
// test's own container next to them is removed.
func TestSweepSparesUsersPods(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cli := testenv.Docker(t)
	ns := testenv.UniqueNamespace(t, "user")
	userLabels := map[string]string{identity.LabelManagedBy: identity.ManagedByValue, identity.LabelNamespace: ns}

	user, err := cli.ContainerCreate(ctx, &container.Config{Image: testenv.Image("busybox"), Labels: userLabels}, nil, nil, nil, ns+"-web-0")
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(context.Background(), user.ID, container.RemoveOptions{Force: true})
	// An image that passes the test label on to every container made from it.
	img, err := cli.ContainerCommit(ctx, user.ID, container.CommitOptions{
		Reference: "ordset-test/sweep-" + ns + ":latest", Changes: []string{"LABEL " + testenv.Label + "=1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ImageRemove(context.Background(), img.ID, image.RemoveOptions{Force: true})
	inherited, err := cli.ContainerCreate(ctx, &container.Config{Image: img.ID, Labels: userLabels}, nil, nil, nil, ns+"-web-1")
	if err != nil {
		t.Fatal(err)
	}
	defer cli.ContainerRemove(context.Background(), inherited.ID, container.RemoveOptions{Force: true})
	mine, err := cli.ContainerCreate(ctx, &container.Config{Image: testenv.Image("busybox"), Labels: testenv.Labels()}, nil, nil, nil, ns+"-test-0")
	if err != nil {
		t.Fatal(err)
	}

	if err := testenv.Sweep(ctx, cli, ns); err != nil {
		t.Fatal(err)
	}
	if _, err := cli.ContainerInspect(ctx, user.ID); err != nil {
		t.Errorf("user's pod from a test image was removed: %v", err)
	}
	if _, err := cli.ContainerInspect(ctx, inherited.ID); err != nil {
		t.Errorf("user's pod that inherited the test label was removed: %v", err)
	}
	if _, err := cli.ContainerInspect(ctx, mine.ID); err == nil {
		t.Error("the test's own container survived the sweep")
	}
}
