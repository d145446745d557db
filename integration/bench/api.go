package main

import (
	"context"
	"fmt"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
)

// apiStarter is baseline.sh done over the Engine API from Go: the same steps without a
// process start per docker command. It is the floor an ordered start can reach on this
// engine, so ordset/api isolates what the controller itself adds.
type apiStarter struct{ env *env }

func (s *apiStarter) name() string { return "api" }

func (s *apiStarter) up(ctx context.Context, id string, n int) error {
	cli := s.env.cli
	labels := map[string]string{testLabel: "1"}
	if _, err := cli.NetworkCreate(ctx, id, network.CreateOptions{Driver: "bridge", Labels: labels}); err != nil {
		return fmt.Errorf("create network %s: %w", id, err)
	}
	for i := range n {
		name := fmt.Sprintf("%s-%d", id, i)
		vol := fmt.Sprintf("%s_data-%d", id, i)
		if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: vol, Labels: labels}); err != nil {
			return fmt.Errorf("create volume %s: %w", vol, err)
		}
		_, err := cli.ContainerCreate(ctx,
			&container.Config{Image: s.env.cfg.image, Labels: labels, Hostname: fmt.Sprintf("app-%d", i)},
			&container.HostConfig{NetworkMode: container.NetworkMode(id), Binds: []string{vol + ":/data"}},
			nil, nil, name)
		if err != nil {
			return fmt.Errorf("create container %s: %w", name, err)
		}
		if err := cli.ContainerStart(ctx, name, container.StartOptions{}); err != nil {
			return fmt.Errorf("start container %s: %w", name, err)
		}
		ip, _, err := s.env.containerIP(ctx, name, id)
		if err != nil {
			return err
		}
		if err := s.env.waitHTTP(ctx, s.env.readyURL(ip)); err != nil {
			return err
		}
	}
	return nil
}

func (s *apiStarter) down(ctx context.Context, id string, n int) error {
	cli := s.env.cli
	for i := range n {
		name := fmt.Sprintf("%s-%d", id, i)
		_ = cli.ContainerRemove(ctx, name, container.RemoveOptions{Force: true})
		_ = cli.VolumeRemove(ctx, fmt.Sprintf("%s_data-%d", id, i), true)
	}
	if err := cli.NetworkRemove(ctx, id); err != nil {
		return fmt.Errorf("remove network %s: %w", id, err)
	}
	return nil
}
