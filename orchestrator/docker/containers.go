package docker

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

// CreateContainer creates (does not start) a container from a fully resolved spec. Docker's
// restart policy stays "no" (ordset replaces pods itself) and the image HEALTHCHECK is disabled
// unless asked for (ordset probes). An existing container of that name yields ErrNameInUse,
// with ErrNotOwned as well when it is foreign; the existing ID is returned alongside.
func (r *Runtime) CreateContainer(ctx context.Context, spec orchestrator.ContainerSpec) (string, error) {
	spec, err := r.namedVolumes(ctx, spec)
	if err != nil {
		return "", fmt.Errorf("create container %s: %w", spec.Name, err)
	}
	// Attached by ID: with duplicate networks of the name Docker refuses the name as ambiguous.
	if spec.Network, err = r.networkID(ctx, spec.Network, spec.NetworkID); err != nil {
		return "", fmt.Errorf("create container %s: %w", spec.Name, err)
	}
	cfg, host, netCfg, err := r.containerConfig(spec)
	if err != nil {
		return "", fmt.Errorf("create container %s: %w", spec.Name, err)
	}
	resp, err := r.cli.ContainerCreate(ctx, cfg, host, netCfg, nil, spec.Name)
	if err == nil {
		r.owned.Store(resp.ID, struct{}{})
		r.log.Debug("container created", "container", spec.Name, "id", identity.ShortID(resp.ID))
		if err := r.groupAnonymous(ctx, resp.ID, spec); err != nil {
			_ = r.cli.ContainerRemove(ctx, resp.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			return "", fmt.Errorf("create container %s: %w (container removed)", spec.Name, err)
		}
		r.observeContainer(ctx, resp.ID)
		return resp.ID, nil
	}
	if !cerrdefs.IsConflict(err) {
		return "", fmt.Errorf("create container %s: %w", spec.Name, wrapNotFound(err))
	}
	existing, ierr := r.cli.ContainerInspect(ctx, spec.Name)
	if ierr != nil {
		return "", fmt.Errorf("create container %s: %w (inspect existing: %v)", spec.Name, err, ierr)
	}
	lbl := configLabels(existing.Config)
	return existing.ID, &conflictError{kind: "container", name: spec.Name, id: existing.ID, owned: r.mine(lbl)}
}

func (r *Runtime) containerConfig(spec orchestrator.ContainerSpec) (*container.Config, *container.HostConfig, *network.NetworkingConfig, error) {
	cfg := &container.Config{
		Image:      spec.Image,
		Hostname:   spec.Hostname,
		Domainname: spec.Domainname,
		Entrypoint: spec.Entrypoint,
		Cmd:        spec.Cmd,
		WorkingDir: spec.WorkingDir,
		User:       spec.User,
		Env:        spec.Env,
		Labels:     r.objectLabels(spec.Labels),
	}
	if !spec.UseImageHealthcheck {
		cfg.Healthcheck = &container.HealthConfig{Test: []string{"NONE"}}
	}
	if spec.StopTimeout > 0 {
		s := int(math.Ceil(spec.StopTimeout.Seconds()))
		cfg.StopTimeout = &s
	}
	noInit := false
	host := &container.HostConfig{
		NetworkMode:    container.NetworkMode(spec.Network),
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyDisabled},
		DNS:            spec.DNS,
		DNSSearch:      spec.DNSSearch,
		DNSOptions:     spec.DNSOptions,
		Init:           &noInit,
		Resources:      container.Resources{NanoCPUs: spec.NanoCPUs, Memory: spec.MemoryBytes},
		CapAdd:         spec.CapAdd,
		CapDrop:        spec.CapDrop,
		Privileged:     spec.Privileged,
		ReadonlyRootfs: spec.ReadonlyRootfs,
		GroupAdd:       spec.GroupAdd,
		Sysctls:        spec.Sysctls,
		ExtraHosts:     spec.ExtraHosts,
	}
	if spec.NoNewPrivileges {
		host.SecurityOpt = []string{"no-new-privileges:true"}
	}
	host.IpcMode, host.PidMode = container.IpcMode(spec.IpcMode), container.PidMode(spec.PidMode)
	for _, m := range spec.Mounts {
		var t mount.Type
		switch m.Type {
		case "volume", "":
			t = mount.TypeVolume
		case "bind":
			t = mount.TypeBind
		case "tmpfs":
			host.Mounts = append(host.Mounts, mount.Mount{Type: mount.TypeTmpfs, Target: m.Target, ReadOnly: m.ReadOnly,
				TmpfsOptions: &mount.TmpfsOptions{SizeBytes: m.SizeBytes}})
			continue
		default:
			return nil, nil, nil, fmt.Errorf("mount %s: unknown type %q", m.Target, m.Type)
		}
		mt := mount.Mount{Type: t, Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly}
		if m.NoCopy && t == mount.TypeVolume {
			mt.VolumeOptions = &mount.VolumeOptions{NoCopy: true}
		}
		host.Mounts = append(host.Mounts, mt)
	}
	if len(spec.Ports) > 0 {
		cfg.ExposedPorts = nat.PortSet{}
		host.PortBindings = nat.PortMap{}
		for _, p := range spec.Ports {
			proto := strings.ToLower(p.Protocol)
			if proto == "" {
				proto = "tcp"
			}
			port, err := nat.NewPort(proto, strconv.Itoa(p.ContainerPort))
			if err != nil {
				return nil, nil, nil, fmt.Errorf("port %d/%s: %w", p.ContainerPort, proto, err)
			}
			cfg.ExposedPorts[port] = struct{}{}
			if p.HostPort > 0 {
				host.PortBindings[port] = append(host.PortBindings[port],
					nat.PortBinding{HostIP: p.HostIP, HostPort: strconv.Itoa(p.HostPort)})
			}
		}
	}
	var netCfg *network.NetworkingConfig
	if spec.Network != "" && !strings.HasPrefix(spec.Network, "container:") { // a joined container has the other's endpoint
		ep := &network.EndpointSettings{Aliases: spec.Aliases}
		if networkIDRE().MatchString(spec.Network) {
			// Docker 20.10 looks the endpoint's network up again at every start, by this ID
			// when set and else by name, which fails while the name is ambiguous.
			ep.NetworkID = spec.Network
		}
		netCfg = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{spec.Network: ep}}
	}
	return cfg, host, netCfg, nil
}

// StartContainer starts a created or exited container.
func (r *Runtime) StartContainer(ctx context.Context, id string) error {
	if err := r.checkOwned(ctx, id); err != nil {
		return err
	}
	r.starting.Store(id, struct{}{})
	defer r.starting.Delete(id)
	defer r.observeContainer(ctx, id)
	r.details.forget(id)
	if err := r.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return fmt.Errorf("start container %s: %w", id, wrapNotFound(err))
	}
	return nil
}

// StopContainer sends the stop signal and waits up to grace before SIGKILL. A stopped container is fine.
func (r *Runtime) StopContainer(ctx context.Context, id string, grace time.Duration) error {
	if err := r.checkOwned(ctx, id); err != nil {
		return err
	}
	secs := int(math.Ceil(grace.Seconds()))
	defer r.observeContainer(ctx, id)
	r.details.forget(id)
	if err := r.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &secs}); err != nil {
		return fmt.Errorf("stop container %s: %w", id, wrapNotFound(err))
	}
	return nil
}

// RemoveContainer force-removes a container and its anonymous volumes (named volumes are never
// removed by the engine here). A missing container is not an error.
func (r *Runtime) RemoveContainer(ctx context.Context, id string) error {
	if err := r.checkOwned(ctx, id); err != nil {
		if cerrdefs.IsNotFound(err) {
			return nil
		}
		return err
	}
	err := r.cli.ContainerRemove(ctx, id, container.RemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("remove container %s: %w", id, err)
	}
	r.details.forget(id)
	r.forgetContainer(id)
	r.owned.Delete(id)
	return nil
}

// RenameContainer renames an ordset container; a name in use yields ErrNameInUse.
func (r *Runtime) RenameContainer(ctx context.Context, id, name string) error {
	if err := r.checkOwned(ctx, id); err != nil {
		return err
	}
	defer r.observeContainer(ctx, id)
	if err := r.cli.ContainerRename(ctx, id, name); err != nil {
		if cerrdefs.IsConflict(err) {
			return fmt.Errorf("rename container %s to %s: %w (%v)", id, name, orchestrator.ErrNameInUse, err)
		}
		return fmt.Errorf("rename container %s to %s: %w", id, name, wrapNotFound(err))
	}
	return nil
}

// InspectContainer returns the current state of one ordset container; a foreign one is ErrNotOwned.
func (r *Runtime) InspectContainer(ctx context.Context, id string) (orchestrator.Container, error) {
	c, err := r.cli.ContainerInspect(ctx, id)
	if err != nil {
		return orchestrator.Container{}, fmt.Errorf("inspect container %s: %w", id, wrapNotFound(err))
	}
	if c.Config == nil || !r.mine(c.Config.Labels) {
		return orchestrator.Container{}, r.notMine("container", id, configLabels(c.Config))
	}
	r.owned.Store(c.ID, struct{}{})
	return fromInspect(c), nil
}

// checkOwned refuses containers without ordset's labels. Known full IDs skip the inspect.
func (r *Runtime) checkOwned(ctx context.Context, id string) error {
	if _, ok := r.owned.Load(id); ok {
		return nil
	}
	c, err := r.cli.ContainerInspect(ctx, id)
	if err != nil {
		return fmt.Errorf("inspect container %s: %w", id, wrapNotFound(err))
	}
	if c.Config == nil || !r.mine(c.Config.Labels) {
		return r.notMine("container", id, configLabels(c.Config))
	}
	r.owned.Store(c.ID, struct{}{})
	return nil
}

// configLabels returns a container config's labels (none without a config).
func configLabels(c *container.Config) map[string]string {
	if c == nil {
		return nil
	}
	return c.Labels
}

// fromInspect converts a full inspect into the observed container.
func fromInspect(c container.InspectResponse) orchestrator.Container {
	out := orchestrator.Container{ID: c.ID, Name: strings.TrimPrefix(c.Name, "/")}
	if c.Config != nil {
		out.Labels = c.Config.Labels
		out.Image = c.Config.Image
	}
	out.CreatedAt = parseTime(c.Created)
	if s := c.State; s != nil {
		out.State = orchestrator.ContainerState(s.Status)
		out.ExitCode = s.ExitCode
		out.OOMKilled = s.OOMKilled
		out.Error = s.Error
		out.StartedAt = parseTime(s.StartedAt)
		out.FinishedAt = parseTime(s.FinishedAt)
		if s.Health != nil {
			out.Health = string(s.Health.Status)
		}
	}
	if c.NetworkSettings != nil {
		out.IP, out.IPv6 = pickIP(c.NetworkSettings.Networks, out.Labels)
		out.Detached = detached(c.NetworkSettings.Networks, out.Labels)
		out.NetworkID = networkIDOf(c.NetworkSettings.Networks, out.Labels)
	}
	if c.ContainerJSONBase != nil && c.HostConfig != nil {
		var nets map[string]*network.EndpointSettings
		if c.NetworkSettings != nil {
			nets = c.NetworkSettings.Networks
		}
		out.NetworkMode = networkModeName(string(c.HostConfig.NetworkMode), nets, out.Labels)
	}
	out.VolumeNames = volumeNames(c.Mounts)
	return out
}

// pickIP returns the addresses on the namespace network (or the only network).
func pickIP(nets map[string]*network.EndpointSettings, l map[string]string) (string, string) {
	if ep := nets[identity.NetworkName(l[identity.LabelNamespace])]; ep != nil {
		return ep.IPAddress, ep.GlobalIPv6Address
	}
	for _, ep := range nets {
		if ep != nil && ep.IPAddress != "" {
			return ep.IPAddress, ep.GlobalIPv6Address
		}
	}
	return "", ""
}

// detached reports a container missing from its namespace network (a pod is always created
// on it, so only a disconnect or the network's removal by hand leaves it off).
func detached(nets map[string]*network.EndpointSettings, l map[string]string) bool {
	return nets[identity.NetworkName(l[identity.LabelNamespace])] == nil
}

// networkIDOf is the ID of the namespace network a container is attached to ("" when not):
// a stopped container keeps it, so the planner sees a network recreated since.
func networkIDOf(nets map[string]*network.EndpointSettings, l map[string]string) string {
	if ep := nets[identity.NetworkName(l[identity.LabelNamespace])]; ep != nil {
		return ep.NetworkID
	}
	return ""
}

// networkModeName reports the network a container was created on by name, as the
// orchestrator compares it: ordset attaches containers by network ID (see networkID). An ID
// no endpoint names any more (the network was removed by hand) can only be the namespace's
// network, the one ordset creates its containers on.
func networkModeName(mode string, nets map[string]*network.EndpointSettings, l map[string]string) string {
	for name, ep := range nets {
		if ep != nil && ep.NetworkID == mode {
			return name
		}
	}
	if ns := l[identity.LabelNamespace]; ns != "" && networkIDRE().MatchString(mode) {
		return identity.NetworkName(ns)
	}
	return mode
}

var networkIDRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })

// volumeNames are the named volumes among a container's mounts, including the volume a
// subPath is bound from (a bind of <root>/volumes/<name>/_data/<subPath>).
func volumeNames(ms []container.MountPoint) []string {
	var out []string
	for _, m := range ms {
		switch {
		case m.Type == mount.TypeVolume:
			out = append(out, m.Name)
		case m.Type == mount.TypeBind:
			if v := volumeDirRE().FindStringSubmatch(m.Source); v != nil && !slices.Contains(out, v[1]) {
				out = append(out, v[1])
			}
		}
	}
	return out
}

var volumeDirRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`/volumes/([a-zA-Z0-9][a-zA-Z0-9_.-]*)/_data(?:/|$)`) })

// parseTime reads the engine's RFC 3339 timestamps; Docker's "0001-01-01T00:00:00Z" becomes zero.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}
