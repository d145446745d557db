package testenv

import (
	"context"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"

	"github.com/ordset/ordset/orchestrator/identity"
)

// Sweep removes the test objects (label io.ordset.test.object=1) of one namespace: containers
// whose namespace label or name says so, then the namespace network, then its volumes. Objects
// without the test label are never touched, nor are other namespaces' (other tests may be
// running right now), nor containers whose image carries the label (a user's pod made from
// such an image inherits it).
func Sweep(ctx context.Context, cli *client.Client, namespace string) error {
	return sweep(ctx, cli, func(name string, l map[string]string, _ time.Time) bool {
		return l[identity.LabelNamespace] == namespace ||
			strings.HasPrefix(name, containerPrefix(namespace)) ||
			strings.HasPrefix(name, volumePrefix(namespace)) ||
			name == networkName(namespace)
	})
}

// SweepOlderThan removes every test object on the engine created more than minAge ago: the
// leftovers of crashed runs. The engine may be shared with test runs going on right now, whose
// objects are young; minAge 0 removes those too (never a user's: see Sweep).
func SweepOlderThan(ctx context.Context, cli *client.Client, minAge time.Duration) error {
	cutoff := time.Now().Add(-minAge)
	return sweep(ctx, cli, func(_ string, _ map[string]string, created time.Time) bool {
		return oldEnough(created, cutoff)
	})
}

// oldEnough: created before cutoff. An object whose creation time is unknown counts as old, as
// before there was an age limit (the engine always reports it).
func oldEnough(created, cutoff time.Time) bool {
	return created.IsZero() || created.Before(cutoff)
}

// Marked reports whether an object's own labels mark it as a test object: the label is set and
// was not inherited from the image (imageLabels; nil for volumes and networks, which have none).
func Marked(objLabels, imageLabels map[string]string) bool {
	if objLabels[Label] != "1" {
		return false
	}
	_, inherited := imageLabels[Label]
	return !inherited
}

// matcher says whether an object (by name, labels and creation time) belongs to the sweep's scope.
type matcher func(name string, l map[string]string, created time.Time) bool

// sweep removes the matching test objects: containers first, then networks, then volumes. A
// failed listing stops it; a failed removal is collected and reported at the end.
func sweep(ctx context.Context, cli *client.Client, match matcher) error {
	f := filters.NewArgs(filters.Arg("label", Label+"=1"))
	var errs []string
	for _, step := range []func(context.Context, *client.Client, filters.Args, matcher) ([]string, error){
		sweepContainers, sweepNetworks, sweepVolumes,
	} {
		stepErrs, err := step(ctx, cli, f, match)
		if err != nil {
			return err
		}
		errs = append(errs, stepErrs...)
	}
	return errorf(errs)
}

// sweepContainers force-removes the matching containers marked by their own labels (not their
// image's), with their anonymous volumes.
func sweepContainers(ctx context.Context, cli *client.Client, f filters.Args, match matcher) ([]string, error) {
	cs, err := cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, err
	}
	var errs []string
	images := imageLabels{cli: cli, seen: map[string]map[string]string{}}
	for _, c := range cs {
		name := containerName(c)
		if !match(name, c.Labels, time.Unix(c.Created, 0)) {
			continue
		}
		il, err := images.of(ctx, c.ImageID)
		if err != nil {
			errs = append(errs, "inspect image of container "+name+": "+err.Error())
			continue
		}
		if !Marked(c.Labels, il) {
			continue
		}
		err = cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
		if err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, "remove container "+name+": "+err.Error())
		}
	}
	return errs, nil
}

// containerName is a listed container's name without Docker's leading slash ("" if it has none).
func containerName(c container.Summary) string {
	if len(c.Names) == 0 {
		return ""
	}
	return strings.TrimPrefix(c.Names[0], "/")
}

// sweepNetworks removes the matching marked networks.
func sweepNetworks(ctx context.Context, cli *client.Client, f filters.Args, match matcher) ([]string, error) {
	nws, err := cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, n := range nws {
		if !match(n.Name, n.Labels, n.Created) || !Marked(n.Labels, nil) {
			continue
		}
		if err := cli.NetworkRemove(ctx, n.ID); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, "remove network "+n.Name+": "+err.Error())
		}
	}
	return errs, nil
}

// sweepVolumes removes the matching marked volumes.
func sweepVolumes(ctx context.Context, cli *client.Client, f filters.Args, match matcher) ([]string, error) {
	vs, err := cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, v := range vs.Volumes {
		if v == nil || !match(v.Name, v.Labels, volumeCreated(v)) || !Marked(v.Labels, nil) {
			continue
		}
		if err := cli.VolumeRemove(ctx, v.Name, true); err != nil && !cerrdefs.IsNotFound(err) {
			errs = append(errs, "remove volume "+v.Name+": "+err.Error())
		}
	}
	return errs, nil
}

// volumeCreated parses a volume's creation time (zero when the driver did not say).
func volumeCreated(v *volume.Volume) time.Time {
	t, err := time.Parse(time.RFC3339Nano, v.CreatedAt)
	if err != nil {
		return time.Time{}
	}
	return t
}

// imageLabels inspects each image once per sweep.
type imageLabels struct {
	cli  *client.Client
	seen map[string]map[string]string
}

// of returns an image's labels; an image that is gone has none, so its containers count as
// marked only by their own labels.
func (c imageLabels) of(ctx context.Context, id string) (map[string]string, error) {
	if l, ok := c.seen[id]; ok {
		return l, nil
	}
	img, err := c.cli.ImageInspect(ctx, id)
	if cerrdefs.IsNotFound(err) {
		c.seen[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var l map[string]string
	if img.Config != nil {
		l = img.Config.Labels
	}
	c.seen[id] = l
	return l, nil
}
