//go:build integration

package docker_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"

	"github.com/ordset/ordset/integration/testenv"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

func TestNetworkLifecycle(t *testing.T) {
	ctx := testCtx(t)
	rt := testenv.Runtime(t)
	ns := testenv.UniqueNamespace(t, "net")
	if v := rt.APIVersion(ctx); v == "" {
		t.Fatal("no API version negotiated")
	} else {
		t.Logf("API version %s", v)
	}

	first, err := rt.EnsureNetwork(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	if first.Name != "ordset-"+ns || first.Namespace != ns || first.Gateway == "" || first.Subnet == "" {
		t.Fatalf("network %+v", first)
	}
	again, err := rt.EnsureNetwork(ctx, ns)
	if err != nil || again != first {
		t.Fatalf("second EnsureNetwork = %+v, %v; want %+v", again, err, first)
	}
	all, err := rt.ListNetworks(ctx)
	if err != nil || !slices.Contains(all, first) {
		t.Fatalf("ListNetworks = %+v, %v; want it to contain %+v", all, err, first)
	}
	if err := rt.RemoveNetwork(ctx, ns); err != nil {
		t.Fatal(err)
	}
	if err := rt.RemoveNetwork(ctx, ns); err != nil {
		t.Fatalf("removing a missing network: %v", err)
	}

	// A foreign network under ordset's name is refused and left alone.
	cli := testenv.Docker(t)
	if _, err := cli.NetworkCreate(ctx, "ordset-"+ns, network.CreateOptions{Labels: testenv.Labels()}); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.EnsureNetwork(ctx, ns); !errors.Is(err, orchestrator.ErrNotOwned) {
		t.Fatalf("EnsureNetwork over a foreign network = %v, want ErrNotOwned", err)
	}
	if err := rt.RemoveNetwork(ctx, ns); !errors.Is(err, orchestrator.ErrNotOwned) {
		t.Fatalf("RemoveNetwork of a foreign network = %v, want ErrNotOwned", err)
	}
	if _, err := cli.NetworkInspect(ctx, "ordset-"+ns, network.InspectOptions{}); err != nil {
		t.Fatalf("foreign network touched: %v", err)
	}
}

func TestContainerLifecycle(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ctx := testCtx(t)
	rt := testenv.Runtime(t)
	ns := testenv.UniqueNamespace(t, "life")
	nw, err := rt.EnsureNetwork(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	info, err := rt.EnsureImage(ctx, testenv.Image("testapp"), "Never", nil)
	if err != nil || info.ID == "" || info.HasHealthcheck {
		t.Fatalf("EnsureImage = %+v, %v", info, err)
	}

	vol := ns + "_data-web-0"
	vspec := orchestrator.VolumeSpec{Name: vol, Labels: map[string]string{identity.LabelNamespace: ns, identity.LabelRole: identity.RoleVolume}}
	if err := rt.CreateVolume(ctx, vspec); err != nil {
		t.Fatal(err)
	}
	if err := rt.CreateVolume(ctx, vspec); err != nil {
		t.Fatalf("CreateVolume of an existing ordset volume: %v", err)
	}
	// The same name for another set's claim (names can collide across sets) is refused.
	other := orchestrator.VolumeSpec{Name: vol, Labels: map[string]string{identity.LabelNamespace: ns, identity.LabelRole: identity.RoleVolume,
		identity.LabelSet: "other", identity.LabelClaim: "data", identity.LabelOrdinal: "0"}}
	if err := rt.CreateVolume(ctx, other); !errors.Is(err, orchestrator.ErrNameInUse) || !errors.Is(err, orchestrator.ErrNotOwned) {
		t.Fatalf("CreateVolume of another claim's volume = %v, want ErrNameInUse and ErrNotOwned", err)
	} else {
		t.Logf("refusal reads: %v", err)
	}
	vols, err := rt.ListVolumes(ctx, ns)
	if err != nil || len(vols) != 1 || vols[0].Name != vol || vols[0].Labels[testenv.Label] != "1" {
		t.Fatalf("ListVolumes = %+v, %v", vols, err)
	}

	spec := podSpec(ns, nw, "web", 0)
	spec.Mounts = []orchestrator.Mount{{Type: "volume", Source: ns + "_missing-web-0", Target: "/data"}}
	if _, err := rt.CreateContainer(ctx, spec); !errors.Is(err, orchestrator.ErrNotFound) {
		t.Fatalf("create with a missing volume = %v, want ErrNotFound (no silent unlabelled volume)", err)
	}
	spec.Mounts = []orchestrator.Mount{{Type: "volume", Source: vol, Target: "/data"}}
	id, err := rt.CreateContainer(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.CreateContainer(ctx, spec); !errors.Is(err, orchestrator.ErrNameInUse) || errors.Is(err, orchestrator.ErrNotOwned) {
		t.Fatalf("second create = %v, want ErrNameInUse only", err)
	}
	created := waitState(t, rt, ns, id, orchestrator.StateCreated)
	if created.Name != spec.Name || created.Labels[identity.LabelPod] != "web-0" || created.CreatedAt.IsZero() {
		t.Fatalf("created container %+v", created)
	}
	if err := rt.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	running := waitState(t, rt, ns, id, orchestrator.StateRunning)
	if running.IP == "" || running.StartedAt.IsZero() || running.Health != "" {
		t.Fatalf("running container %+v", running)
	}

	// What Docker made of the spec.
	ci, err := testenv.Docker(t).ContainerInspect(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if ci.Config.Hostname != "web-0" || ci.Config.Domainname != spec.Domainname ||
		ci.HostConfig.RestartPolicy.Name != container.RestartPolicyDisabled ||
		ci.Config.Healthcheck == nil || ci.Config.Healthcheck.Test[0] != "NONE" ||
		!slices.Contains(ci.NetworkSettings.Networks[nw.Name].Aliases, "web-0.web") {
		t.Fatalf("container config: %+v %+v", ci.Config, ci.HostConfig.RestartPolicy)
	}

	// Exec: exit codes, output, deadline.
	res, err := rt.Exec(ctx, id, []string{"testapp", "probe", "http://127.0.0.1:8080/ready"})
	if err != nil || res.ExitCode != 0 || !strings.Contains(string(res.Output), "200") {
		t.Fatalf("exec probe = %+v (%q), %v", res, res.Output, err)
	}
	res, err = rt.Exec(ctx, id, []string{"testapp", "cat", "/nope"})
	if err != nil || res.ExitCode != 1 || !strings.Contains(string(res.Output), "no such file") {
		t.Fatalf("failing exec = %+v (%q), %v", res, res.Output, err)
	}
	res, err = rt.Exec(ctx, id, []string{"testapp", "cat", "/etc/resolv.conf"})
	if err != nil || !strings.Contains(string(res.Output), "ndots:5") || !strings.Contains(string(res.Output), ns+".svc.cluster.local") {
		t.Fatalf("resolv.conf = %q, %v", res.Output, err)
	}
	execTime := measure(t, 9, func() {
		if r, err := rt.Exec(ctx, id, []string{"testapp", "probe", "tcp://127.0.0.1:9000"}); err != nil || r.ExitCode != 0 {
			t.Fatalf("exec = %+v, %v", r, err)
		}
	})
	t.Logf("exec probe round trip: median %v", execTime.Round(time.Microsecond))
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	start := time.Now()
	_, err = rt.Exec(short, id, []string{"testapp", "sleep", "20s"})
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 3*time.Second {
		t.Fatalf("exec past its deadline = %v after %v, want DeadlineExceeded promptly", err, time.Since(start))
	}
	if _, err := rt.Exec(ctx, id, []string{"/no/such/binary"}); err == nil {
		res, _ := rt.Exec(ctx, id, []string{"/no/such/binary"})
		if res.ExitCode == 0 {
			t.Fatal("exec of a missing binary succeeded")
		}
	}

	res, err = rt.Exec(ctx, id, []string{"testapp", "touch", "/data/marker"})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("write to the volume = %+v, %v", res, err)
	}

	// Logs, demultiplexed.
	rc, err := rt.Logs(ctx, id, orchestrator.LogOptions{Tail: "all"})
	if err != nil {
		t.Fatal(err)
	}
	logs, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(logs), "testapp web-0") || strings.ContainsRune(string(logs), 0) {
		t.Fatalf("logs %q", logs)
	}

	// Stop honours SIGTERM; the exit is observed with its timestamps.
	if err := rt.StopContainer(ctx, id, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	exited := waitState(t, rt, ns, id, orchestrator.StateExited)
	if exited.ExitCode != 0 || exited.FinishedAt.Before(exited.StartedAt) || exited.IP != "" {
		t.Fatalf("exited container %+v", exited)
	}
	insp, err := rt.InspectContainer(ctx, id)
	if err != nil || insp.State != orchestrator.StateExited || !insp.FinishedAt.Equal(exited.FinishedAt) {
		t.Fatalf("InspectContainer = %+v, %v; want %+v", insp, err, exited)
	}
	if err := rt.StopContainer(ctx, id, time.Second); err != nil {
		t.Fatalf("stopping a stopped container: %v", err)
	}

	// Started again in place: one log, and the engine keeps the last exit's time while it
	// runs, so Until that time gives the earlier run's output only (logs --previous).
	if err := rt.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	again := waitState(t, rt, ns, id, orchestrator.StateRunning)
	if again, err = rt.InspectContainer(ctx, id); err != nil || !again.FinishedAt.Equal(exited.FinishedAt) || !again.FinishedAt.Before(again.StartedAt) {
		t.Fatalf("restarted in place: %+v, %v; want FinishedAt %s kept, before StartedAt", again, err, exited.FinishedAt)
	}
	runs := func(opts orchestrator.LogOptions) int {
		t.Helper()
		rc, err := rt.Logs(ctx, id, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		b, _ := io.ReadAll(rc)
		return strings.Count(string(b), "testapp web-0")
	}
	for deadline := time.Now().Add(30 * time.Second); runs(orchestrator.LogOptions{}) < 2; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the second run wrote nothing")
		}
	}
	if n := runs(orchestrator.LogOptions{Until: again.FinishedAt}); n != 1 {
		t.Fatalf("logs until the last exit show %d runs, want 1", n)
	}
	if err := rt.StopContainer(ctx, id, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	waitState(t, rt, ns, id, orchestrator.StateExited)

	if err := rt.RemoveContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := rt.RemoveContainer(ctx, id); err != nil {
		t.Fatalf("removing a missing container: %v", err)
	}
	if _, err := rt.InspectContainer(ctx, id); !errors.Is(err, orchestrator.ErrNotFound) {
		t.Fatalf("inspect removed container = %v, want ErrNotFound", err)
	}
	if vols, _ := rt.ListVolumes(ctx, ns); len(vols) != 1 {
		t.Fatalf("the named volume must survive its container: %+v", vols)
	}
	// The replacement pod (same name, same volume) finds the data.
	id, err = rt.CreateContainer(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	if res, err := rt.Exec(ctx, id, []string{"testapp", "cat", "/data/marker"}); err != nil || res.ExitCode != 0 {
		t.Fatalf("data lost with the container: %+v, %v", res, err)
	}
	if err := rt.RemoveContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := rt.RemoveVolume(ctx, vol); err != nil {
		t.Fatal(err)
	}
	if err := rt.RemoveVolume(ctx, vol); err != nil {
		t.Fatalf("removing a missing volume: %v", err)
	}
}

func TestExitCodeAndCrash(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ctx := testCtx(t)
	rt := testenv.Runtime(t)
	ns := testenv.UniqueNamespace(t, "crash")
	nw, err := rt.EnsureNetwork(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	spec := podSpec(ns, nw, "web", 0)
	spec.Env = append(spec.Env, "CRASH_AFTER=200ms")
	id, err := rt.CreateContainer(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	c := waitState(t, rt, ns, id, orchestrator.StateExited)
	if c.ExitCode != 1 || c.FinishedAt.IsZero() || c.FinishedAt.Sub(c.StartedAt) < 150*time.Millisecond {
		t.Fatalf("crashed container %+v", c)
	}
	// A stopped container still names its network: the controller restarts it in place only
	// while that is the namespace's network as it is now.
	if c.NetworkID != nw.ID || c.Detached {
		t.Fatalf("crashed container network %q (detached %v), want %q", c.NetworkID, c.Detached, nw.ID)
	}
	// Restarted by ordset: the cached details must follow.
	if err := rt.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	again := waitState(t, rt, ns, id, orchestrator.StateRunning)
	if !again.StartedAt.After(c.FinishedAt) {
		t.Fatalf("restart not observed: StartedAt %v, previous FinishedAt %v", again.StartedAt, c.FinishedAt)
	}

	// Retiring a failed container frees its name for the replacement; a taken name is refused.
	retired := identity.RetiredName(spec.Name, id)
	if err := rt.RenameContainer(ctx, id, retired); err != nil {
		t.Fatal(err)
	}
	got, err := rt.InspectContainer(ctx, id)
	if err != nil || got.Name != retired || got.Labels[identity.LabelPod] != "web-0" {
		t.Fatalf("renamed container %+v, %v; want name %s with its labels", got, err, retired)
	}
	id2, err := rt.CreateContainer(ctx, spec)
	if err != nil {
		t.Fatalf("create under the freed name: %v", err)
	}
	if err := rt.RenameContainer(ctx, id, spec.Name); !errors.Is(err, orchestrator.ErrNameInUse) {
		t.Fatalf("rename onto a taken name = %v, want ErrNameInUse", err)
	}
	_ = rt.RemoveContainer(ctx, id2)
}

func TestForeignObjectsAreRefused(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ctx := testCtx(t)
	rt := testenv.Runtime(t)
	cli := testenv.Docker(t)
	ns := testenv.UniqueNamespace(t, "own")
	nw, err := rt.EnsureNetwork(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	name := ns + "-web-0"
	foreign, err := cli.ContainerCreate(ctx, &container.Config{Image: testenv.Image("busybox"), Cmd: []string{"sleep", "300"},
		Labels: testenv.Labels()}, nil, nil, nil, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.ContainerStart(ctx, foreign.ID, container.StartOptions{}); err != nil {
		t.Fatal(err)
	}

	id, err := rt.CreateContainer(ctx, podSpec(ns, nw, "web", 0))
	if !errors.Is(err, orchestrator.ErrNameInUse) || !errors.Is(err, orchestrator.ErrNotOwned) || id != foreign.ID {
		t.Fatalf("create over a foreign container = %q, %v; want its ID with ErrNameInUse and ErrNotOwned", id, err)
	}
	t.Logf("refusal reads: %v", err)
	for what, call := range map[string]func() error{
		"start":   func() error { return rt.StartContainer(ctx, foreign.ID) },
		"stop":    func() error { return rt.StopContainer(ctx, name, time.Second) },
		"remove":  func() error { return rt.RemoveContainer(ctx, foreign.ID) },
		"rename":  func() error { return rt.RenameContainer(ctx, foreign.ID, name+".retired") },
		"inspect": func() error { _, err := rt.InspectContainer(ctx, name); return err },
		"exec":    func() error { _, err := rt.Exec(ctx, foreign.ID, []string{"true"}); return err },
		"logs":    func() error { _, err := rt.Logs(ctx, foreign.ID, orchestrator.LogOptions{}); return err },
	} {
		if err := call(); !errors.Is(err, orchestrator.ErrNotOwned) {
			t.Errorf("%s of a foreign container = %v, want ErrNotOwned", what, err)
		}
	}
	if cs, err := rt.ListContainers(ctx, ""); err != nil || slices.ContainsFunc(cs, func(c orchestrator.Container) bool { return c.ID == foreign.ID }) {
		t.Fatalf("ListContainers shows a foreign container (or failed: %v)", err)
	}
	ci, err := cli.ContainerInspect(ctx, foreign.ID)
	if err != nil || !ci.State.Running {
		t.Fatalf("foreign container was touched: %v %+v", err, ci.State)
	}

	vol := ns + "_data-web-0"
	if _, err := cli.VolumeCreate(ctx, volume.CreateOptions{Name: vol, Labels: testenv.Labels()}); err != nil {
		t.Fatal(err)
	}
	if err := rt.CreateVolume(ctx, orchestrator.VolumeSpec{Name: vol}); !errors.Is(err, orchestrator.ErrNotOwned) {
		t.Fatalf("CreateVolume over a foreign volume = %v, want ErrNotOwned", err)
	}
	if err := rt.RemoveVolume(ctx, vol); !errors.Is(err, orchestrator.ErrNotOwned) {
		t.Fatalf("RemoveVolume of a foreign volume = %v, want ErrNotOwned", err)
	}
	if vs, _ := rt.ListVolumes(ctx, ""); slices.ContainsFunc(vs, func(v orchestrator.Volume) bool { return v.Name == vol }) {
		t.Fatal("ListVolumes shows a foreign volume")
	}
}

func TestEnsureImagePolicies(t *testing.T) {
	testenv.EnsureImages(t, "busybox")
	ctx := testCtx(t)
	rt := testenv.Runtime(t)
	cli := testenv.Docker(t)
	ns := testenv.UniqueNamespace(t, "img")

	if _, err := rt.EnsureImage(ctx, "ordset-test/absent-"+ns+":1", "Never", nil); !errors.Is(err, orchestrator.ErrNotFound) {
		t.Fatalf("Never with a missing image = %v, want ErrNotFound", err)
	}
	if _, err := rt.EnsureImage(ctx, "busybox", "Sometimes", nil); err == nil {
		t.Fatal("an unknown policy must fail")
	}
	pullCtx, cancel := context.WithTimeout(ctx, 60*time.Second)
	start := time.Now()
	_, err := rt.EnsureImage(pullCtx, "ordset-test/absent-"+ns+":1", "IfNotPresent", nil)
	cancel()
	if err == nil || !strings.Contains(err.Error(), "pull failed") || !strings.Contains(err.Error(), "--image ordset-test/absent-") {
		t.Fatalf("pull of an unreachable image = %v", err)
	}
	t.Logf("failed pull took %v: %v", time.Since(start).Round(time.Millisecond), err)

	var lines []string
	info, err := rt.EnsureImage(ctx, testenv.Image("busybox"), "Always", func(l string) { lines = append(lines, l) })
	if err != nil || info.ID == "" || len(lines) == 0 {
		t.Fatalf("Always with a local image offline = %+v, %v, progress %q", info, err, lines)
	}

	// An image with a HEALTHCHECK, committed from a busybox container.
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: testenv.Image("busybox"), Labels: testenv.Labels()}, nil, nil, nil, ns+"-hc")
	if err != nil {
		t.Fatal(err)
	}
	tag := "ordset-test/hc-" + ns + ":1"
	if _, err := cli.ContainerCommit(ctx, c.ID, container.CommitOptions{Reference: tag, Changes: []string{"HEALTHCHECK CMD true"}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true}) })
	info, err = rt.EnsureImage(ctx, tag, "IfNotPresent", nil)
	if err != nil || !info.HasHealthcheck {
		t.Fatalf("EnsureImage of an image with HEALTHCHECK = %+v, %v", info, err)
	}
}

func TestEventsArrive(t *testing.T) {
	testenv.EnsureImages(t, "testapp")
	ctx := testCtx(t)
	rt := testenv.Runtime(t)
	ns := testenv.UniqueNamespace(t, "ev")
	evCtx, cancel := context.WithCancel(ctx)
	events, errs := rt.Events(evCtx)

	nw, err := rt.EnsureNetwork(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	id, err := rt.CreateContainer(ctx, podSpec(ns, nw, "web", 0))
	if err != nil {
		t.Fatal(err)
	}
	if err := rt.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := rt.Exec(ctx, id, []string{"testapp", "probe", "tcp://127.0.0.1:9000"}); err != nil {
		t.Fatal(err)
	}
	if err := rt.StopContainer(ctx, id, 5*time.Second); err != nil {
		t.Fatal(err)
	}

	want := map[string]bool{"network create": false, "container create": false, "container start": false, "container die": false}
	deadline := time.After(20 * time.Second)
	for slices.Contains(mapValues(want), false) {
		select {
		case ev := <-events:
			if ev.Labels[identity.LabelNamespace] != ns {
				continue
			}
			if strings.HasPrefix(ev.Action, "exec_") {
				t.Errorf("exec event leaked: %+v", ev)
			}
			if ev.Type == "container" && (ev.ID != id || ev.Labels[identity.LabelPod] != "web-0" || ev.Time.IsZero()) {
				t.Errorf("container event %+v", ev)
			}
			want[ev.Type+" "+ev.Action] = true
		case err := <-errs:
			t.Fatalf("event stream broke: %v", err)
		case <-deadline:
			t.Fatalf("events missing: %v", want)
		}
	}
	cancel()
	for range events { // the channel closes once ctx ends
	}
	select {
	case err := <-errs:
		t.Fatalf("cancelling must not report an error, got %v", err)
	default:
	}
}

func mapValues(m map[string]bool) []bool {
	var v []bool
	for _, b := range m {
		v = append(v, b)
	}
	return v
}
