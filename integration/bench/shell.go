package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
)

// testLabel marks every object the benchmark creates, for the sweep.
const testLabel = "io.ordset.test.object"

// shellStarter runs baseline.sh: the docker CLI alone, in a tight readiness loop.
type shellStarter struct{ env *env }

func (s *shellStarter) name() string { return "baseline" }

func (s *shellStarter) up(ctx context.Context, id string, n int) error {
	return s.script(ctx, "up", id, strconv.Itoa(n), s.env.cfg.image, strconv.Itoa(s.env.cfg.port))
}

func (s *shellStarter) down(ctx context.Context, id string, n int) error {
	return s.script(ctx, "down", id, strconv.Itoa(n))
}

func (s *shellStarter) script(ctx context.Context, args ...string) error {
	script := filepath.Join(s.env.cfg.dir, "baseline.sh")
	return command(ctx, "bash", append([]string{script}, args...)...)
}

// command runs a program and folds its output into the error when it fails.
func command(ctx context.Context, name string, args ...string) error {
	var out bytes.Buffer
	c := exec.CommandContext(ctx, name, args...)
	c.Stdout, c.Stderr = &out, &out
	if err := c.Run(); err != nil {
		return fmt.Errorf("%s %v: %w\n%s", name, args, err, out.Bytes())
	}
	return nil
}

// httpReady reports whether GET url answers 2xx/3xx, as a Kubernetes httpGet probe counts it.
// Each attempt is bounded by 250 ms: a crashed container's address drops packets instead of
// refusing them, and a 1 s connect timeout would then hide the restart behind the timeout.
func httpReady(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode >= 200 && resp.StatusCode < 400
}

// waitHTTP polls url every cfg.readyPoll until it is ready or ctx ends.
func (e *env) waitHTTP(ctx context.Context, url string) error {
	for !httpReady(ctx, url) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w", url, ctx.Err())
		case <-time.After(e.cfg.readyPoll):
		}
	}
	return nil
}

// containerIP returns a container's address on the given network.
func (e *env) containerIP(ctx context.Context, name, net string) (string, time.Time, error) {
	c, err := e.cli.ContainerInspect(ctx, name)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("inspect %s: %w", name, err)
	}
	started, _ := time.Parse(time.RFC3339Nano, c.State.StartedAt)
	if c.NetworkSettings == nil || c.NetworkSettings.Networks[net] == nil {
		return "", started, fmt.Errorf("container %s is not on network %s", name, net)
	}
	return c.NetworkSettings.Networks[net].IPAddress, started, nil
}

// healDocker measures Docker's own self-healing: cfg.kills containers with --restart always,
// each crashed once, the clock stopping when its readiness endpoint answers again from the
// restarted process. One crash per container keeps Docker's restart backoff (100 ms doubling)
// and ordset's crash-loop backoff (first restart immediate, then 10 s doubling) out of the
// comparison: both measure the first restart, the one a single failure costs.
func (e *env) healDocker(ctx context.Context) ([]time.Duration, error) {
	net := e.name("h", e.cfg.kills)
	labels := map[string]string{testLabel: "1"}
	if _, err := e.cli.NetworkCreate(ctx, net, network.CreateOptions{Driver: "bridge", Labels: labels}); err != nil {
		return nil, fmt.Errorf("create network %s: %w", net, err)
	}
	ips := make([]string, e.cfg.kills)
	for k := range e.cfg.kills {
		name := fmt.Sprintf("%s-%d", net, k)
		if _, err := e.cli.VolumeCreate(ctx, volume.CreateOptions{Name: name + "_data", Labels: labels}); err != nil {
			return nil, fmt.Errorf("create volume %s_data: %w", name, err)
		}
		_, err := e.cli.ContainerCreate(ctx,
			&container.Config{Image: e.cfg.image, Labels: labels, Hostname: fmt.Sprintf("app-%d", k)},
			&container.HostConfig{
				NetworkMode:   container.NetworkMode(net),
				RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyAlways},
				Binds:         []string{name + "_data:/data"},
			}, nil, nil, name)
		if err != nil {
			return nil, fmt.Errorf("create container %s: %w", name, err)
		}
		if err := e.cli.ContainerStart(ctx, name, container.StartOptions{}); err != nil {
			return nil, fmt.Errorf("start container %s: %w", name, err)
		}
		if ips[k], _, err = e.containerIP(ctx, name, net); err != nil {
			return nil, err
		}
	}
	var out []time.Duration
	for k := range e.cfg.kills {
		name := fmt.Sprintf("%s-%d", net, k)
		if err := e.waitHTTP(ctx, e.readyURL(ips[k])); err != nil {
			return out, err
		}
		if err := e.pause(ctx, e.cfg.healGap); err != nil {
			return out, err
		}
		t0, err := e.crash(ctx, name)
		if err != nil {
			return out, err
		}
		d, err := e.waitRestarted(ctx, name, net, ips[k], t0)
		if err != nil {
			return out, fmt.Errorf("kill %d: %w", k+1, err)
		}
		out = append(out, d)
		fmt.Fprintf(os.Stderr, "heal docker  kill %d: %s\n", k+1, ms(d))
	}
	return out, nil
}

// waitRestarted polls the readiness endpoint until it answers from a process started after t0.
// Docker keeps the address of a restarted container, but the answer is checked against the
// container's StartedAt so a reply from the dying process can never stop the clock.
func (e *env) waitRestarted(ctx context.Context, name, net, ip string, t0 time.Time) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.timeout)
	defer cancel()
	for {
		if httpReady(ctx, e.readyURL(ip)) {
			d := time.Since(t0)
			newIP, started, err := e.containerIP(ctx, name, net)
			if err == nil && started.After(t0) && newIP == ip {
				return d, nil
			}
			if err == nil && newIP != "" {
				ip = newIP
			}
		}
		select {
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for %s to be ready again: %w", name, ctx.Err())
		case <-time.After(e.cfg.readyPoll):
		}
	}
}

// crash SIGKILLs a container's main process from the host and returns the moment it did.
// `docker kill` would not do: Docker counts it as a manual stop and its restart policy
// then leaves the container down, so both variants are crashed the same way, like an OOM kill.
func (e *env) crash(ctx context.Context, name string) (time.Time, error) {
	c, err := e.cli.ContainerInspect(ctx, name)
	if err != nil {
		return time.Time{}, fmt.Errorf("inspect %s: %w", name, err)
	}
	if c.State == nil || c.State.Pid <= 0 {
		return time.Time{}, fmt.Errorf("container %s has no running process", name)
	}
	t0 := time.Now()
	if err := syscall.Kill(c.State.Pid, syscall.SIGKILL); err != nil {
		return time.Time{}, fmt.Errorf("kill %s (pid %d): %w", name, c.State.Pid, err)
	}
	return t0, nil
}

func (e *env) readyURL(ip string) string {
	return fmt.Sprintf("http://%s:%d/ready", ip, e.cfg.port)
}

func (e *env) pause(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// sweep removes every container, volume and network with the benchmark's prefix and test label.
func (e *env) sweep() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	f := filters.NewArgs(filters.Arg("label", testLabel+"=1"))
	if cs, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f}); err == nil {
		for _, c := range cs {
			if e.mine(c.Names...) {
				_ = e.cli.ContainerRemove(ctx, c.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
			}
		}
	}
	if vs, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f}); err == nil {
		for _, v := range vs.Volumes {
			if e.mine(v.Name) {
				_ = e.cli.VolumeRemove(ctx, v.Name, true)
			}
		}
	}
	if ns, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: f}); err == nil {
		for _, n := range ns {
			if e.mine(n.Name) {
				_ = e.cli.NetworkRemove(ctx, n.ID)
			}
		}
	}
}

// mine reports whether any of the names carries this run's prefix (ordset adds its own
// "ordset-" network prefix and "/" container prefix around it).
func (e *env) mine(names ...string) bool {
	for _, n := range names {
		if bytes.Contains([]byte(n), []byte(e.prefix)) {
			return true
		}
	}
	return false
}
