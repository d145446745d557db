package docker

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"

	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/identity"
)

func TestParseStatus(t *testing.T) {
	tests := []struct {
		status string
		code   int
		health string
		age    time.Duration
		recent bool
	}{
		{"Created", 0, "", 0, false},
		{"Up 3 seconds", 0, "", 3 * time.Second, true},
		{"Up Less than a second", 0, "", time.Second, true},
		{"Up 1 second (health: starting)", 0, "starting", time.Second, true},
		{"Up 2 minutes (healthy)", 0, "healthy", 0, false},
		{"Up About an hour (unhealthy)", 0, "unhealthy", 0, false},
		{"Exited (137) 5 seconds ago", 137, "", 5 * time.Second, true},
		{"Exited (0) 3 hours ago", 0, "", 0, false},
		{"Restarting (1) Less than a second ago", 1, "", time.Second, true},
		{"Up 5 minutes (Paused)", 0, "", 0, false},
	}
	for _, tc := range tests {
		code, health := parseStatus(tc.status)
		age, recent := recentAge(tc.status)
		if code != tc.code || health != tc.health || recent != tc.recent || (recent && age != tc.age) {
			t.Errorf("%q: got code %d health %q age %v/%v, want %d %q %v/%v",
				tc.status, code, health, age, recent, tc.code, tc.health, tc.age, tc.recent)
		}
	}
}

func TestDetailFreshness(t *testing.T) {
	now := time.Now()
	d := detail{state: "running", endpoint: "e1,", startedAt: now.Add(-10 * time.Minute), fetched: now.Add(-time.Second)}
	running := listed{Container: orchestrator.Container{State: orchestrator.StateRunning}, endpoint: "e1,"}
	if !d.fresh(running, "Up 10 minutes", now) {
		t.Error("matching state must be fresh")
	}
	if d.fresh(running, "Up 2 seconds", now) {
		t.Error("a restart behind our back (recent Up with old StartedAt) must refetch")
	}
	if d.fresh(listed{Container: running.Container, endpoint: "e2,"}, "Up 10 minutes", now) {
		t.Error("a new network endpoint (a restart) must refetch")
	}
	if d.fresh(listed{Container: orchestrator.Container{State: orchestrator.StateExited, ExitCode: 1}}, "Exited (1) 1 second ago", now) {
		t.Error("a state change must refetch")
	}
	old := d
	old.fetched = now.Add(-detailMaxAge - time.Second)
	if old.fresh(running, "Up 10 minutes", now) {
		t.Error("an old entry must refetch")
	}
}

func TestToNetworkDerivesGateway(t *testing.T) {
	nw := network.Inspect{ID: "n1", Name: "ordset-demo", Labels: map[string]string{identity.LabelNamespace: "demo"},
		IPAM: network.IPAM{Config: []network.IPAMConfig{{Subnet: "fd00::/64"}, {Subnet: "172.30.0.0/16"}}}}
	got := toNetwork(nw)
	want := orchestrator.Network{ID: "n1", Name: "ordset-demo", Namespace: "demo", Gateway: "172.30.0.1", Subnet: "172.30.0.0/16"}
	if got != want {
		t.Fatalf("toNetwork = %+v, want %+v", got, want)
	}
	nw.IPAM.Config[1].Gateway = "172.30.0.254"
	if got := toNetwork(nw); got.Gateway != "172.30.0.254" {
		t.Fatalf("reported gateway must win, got %s", got.Gateway)
	}
	if got := firstHost(netip.MustParsePrefix("10.1.2.3/24")); got != "10.1.2.1" {
		t.Fatalf("firstHost = %s", got)
	}
}

// TestOwnerLabel: a runtime with an owner id stamps it on what it creates and acts only on its
// own objects and on old ones without an id.
func TestOwnerLabel(t *testing.T) {
	r := &Runtime{owner: "aaaa"}
	l := r.objectLabels(map[string]string{identity.LabelOwner: "forged", identity.LabelPod: "web-0"})
	if l[identity.LabelOwner] != "aaaa" || l[identity.LabelManagedBy] != identity.ManagedByValue {
		t.Errorf("labels %v", l)
	}
	if !r.mine(l) || r.mine(map[string]string{identity.LabelManagedBy: identity.ManagedByValue, identity.LabelOwner: "bbbb"}) ||
		!r.mine(map[string]string{identity.LabelManagedBy: identity.ManagedByValue}) {
		t.Error("mine: wrong ownership decisions")
	}
	err := r.notMine("volume", "demo_data-web-0", map[string]string{identity.LabelManagedBy: identity.ManagedByValue, identity.LabelOwner: "bbbb"})
	if !errors.Is(err, orchestrator.ErrNotOwned) || !strings.Contains(err.Error(), "another ordset daemon") {
		t.Errorf("notMine: %v", err)
	}
}

func TestContainerConfig(t *testing.T) {
	r := &Runtime{extra: map[string]string{"io.ordset.test": "1"}}
	spec := orchestrator.ContainerSpec{
		Name: "demo-web-0", Image: "img", Hostname: "web-0", Domainname: "web.demo.svc.cluster.local",
		Cmd: []string{"serve"}, Env: []string{"A=1"}, Labels: map[string]string{identity.LabelPod: "web-0"},
		Network: "ordset-demo", Aliases: []string{"web-0.web"}, DNS: []string{"172.30.0.1"},
		DNSSearch: []string{"demo.svc.cluster.local"}, DNSOptions: []string{"ndots:5"},
		Mounts: []orchestrator.Mount{{Type: "volume", Source: "demo_data-web-0", Target: "/data"},
			{Type: "bind", Source: "/srv/conf", Target: "/conf", ReadOnly: true}},
		Ports:    []orchestrator.PortBinding{{ContainerPort: 8080, HostPort: 18080}, {ContainerPort: 53, Protocol: "UDP"}},
		NanoCPUs: 5e8, MemoryBytes: 64 << 20, StopTimeout: 1500 * time.Millisecond,
	}
	cfg, host, netCfg, err := r.containerConfig(spec)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Labels[identity.LabelManagedBy] != identity.ManagedByValue || cfg.Labels["io.ordset.test"] != "1" || cfg.Labels[identity.LabelPod] != "web-0" {
		t.Errorf("labels %v", cfg.Labels)
	}
	if cfg.Healthcheck == nil || !slices.Equal(cfg.Healthcheck.Test, []string{"NONE"}) {
		t.Errorf("image healthcheck not disabled: %+v", cfg.Healthcheck)
	}
	if cfg.StopTimeout == nil || *cfg.StopTimeout != 2 {
		t.Errorf("stop timeout %v, want 2 (rounded up)", cfg.StopTimeout)
	}
	if host.RestartPolicy.Name != container.RestartPolicyDisabled || host.Init == nil || *host.Init {
		t.Errorf("restart policy %q init %v", host.RestartPolicy.Name, host.Init)
	}
	if host.NanoCPUs != 5e8 || host.Memory != 64<<20 || string(host.NetworkMode) != "ordset-demo" {
		t.Errorf("host config %+v", host)
	}
	if len(host.Mounts) != 2 || host.Mounts[0].Type != mount.TypeVolume || host.Mounts[1].Type != mount.TypeBind || !host.Mounts[1].ReadOnly {
		t.Errorf("mounts %+v", host.Mounts)
	}
	if b := host.PortBindings[nat.Port("8080/tcp")]; len(b) != 1 || b[0].HostPort != "18080" {
		t.Errorf("port bindings %+v", host.PortBindings)
	}
	if _, ok := cfg.ExposedPorts[nat.Port("53/udp")]; !ok {
		t.Errorf("exposed ports %+v", cfg.ExposedPorts)
	}
	if ep := netCfg.EndpointsConfig["ordset-demo"]; ep == nil || !slices.Equal(ep.Aliases, spec.Aliases) {
		t.Errorf("endpoint %+v", netCfg.EndpointsConfig)
	}
	spec.UseImageHealthcheck = true
	spec.Mounts = []orchestrator.Mount{{Type: "nfs", Target: "/x"}}
	if _, _, _, err := r.containerConfig(spec); err == nil {
		t.Error("unknown mount type must fail")
	}
	// Pod settings: tmpfs and anonymous volumes (emptyDir), security, /etc/hosts lines.
	spec.Mounts = []orchestrator.Mount{{Type: "tmpfs", Target: "/dev/shm", SizeBytes: 1 << 20}, {Type: "volume", Target: "/tmp"},
		{Type: "volume", Source: "demo_web-0_scratch", Target: "/s", NoCopy: true}}
	spec.CapDrop, spec.CapAdd, spec.ReadonlyRootfs, spec.NoNewPrivileges = []string{"ALL"}, []string{"IPC_LOCK"}, true, true
	spec.GroupAdd, spec.Sysctls, spec.ExtraHosts = []string{"4"}, map[string]string{"net.core.somaxconn": "1024"}, []string{"a:10.0.0.1"}
	_, host, _, err = r.containerConfig(spec)
	if err != nil {
		t.Fatal(err)
	}
	if m := host.Mounts; len(m) != 3 || m[0].Type != mount.TypeTmpfs || m[0].TmpfsOptions.SizeBytes != 1<<20 || m[1].Type != mount.TypeVolume || m[1].Source != "" ||
		m[1].VolumeOptions != nil || m[2].VolumeOptions == nil || !m[2].VolumeOptions.NoCopy {
		t.Errorf("mounts %+v (an emptyDir's volume is mounted without the image's copy-up)", m)
	}
	if !slices.Equal(host.CapDrop, []string{"ALL"}) || !slices.Equal(host.CapAdd, []string{"IPC_LOCK"}) || !host.ReadonlyRootfs ||
		!slices.Equal(host.SecurityOpt, []string{"no-new-privileges:true"}) || !slices.Equal(host.GroupAdd, []string{"4"}) ||
		host.Sysctls["net.core.somaxconn"] != "1024" || !slices.Equal(host.ExtraHosts, []string{"a:10.0.0.1"}) {
		t.Errorf("security/hosts %+v", host)
	}
}

func TestConflictErrorMatchesSentinels(t *testing.T) {
	foreign := error(&conflictError{kind: "container", name: "demo-web-0"})
	owned := error(&conflictError{kind: "container", name: "demo-web-0", owned: true})
	if !errors.Is(foreign, orchestrator.ErrNameInUse) || !errors.Is(foreign, orchestrator.ErrNotOwned) {
		t.Error("foreign conflict must match both sentinels")
	}
	if !errors.Is(owned, orchestrator.ErrNameInUse) || errors.Is(owned, orchestrator.ErrNotOwned) {
		t.Error("owned conflict must match ErrNameInUse only")
	}
}

func TestCappedBuffer(t *testing.T) {
	b := &cappedBuffer{limit: 5}
	for _, s := range []string{"abc", "defg", "hij"} {
		if n, err := b.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write = %d, %v; must swallow everything", n, err)
		}
	}
	if got := string(b.bytes()); got != "abcde" {
		t.Fatalf("kept %q", got)
	}
}

// The identity the controller checks beyond labels: the network the container was created
// on, its named volumes, and whether it still sits on its namespace network.
func TestSummaryIdentity(t *testing.T) {
	l := map[string]string{identity.LabelNamespace: "demo"}
	s := container.Summary{ID: "c1", Names: []string{"/demo-web-0"}, Labels: l, State: "running",
		Mounts: []container.MountPoint{{Type: mount.TypeVolume, Name: "demo_data-web-0"}, {Type: mount.TypeBind, Source: "/etc/x"}},
		NetworkSettings: &container.NetworkSettingsSummary{Networks: map[string]*network.EndpointSettings{
			"ordset-demo": {IPAddress: "10.0.0.2", NetworkID: "n1"}}}}
	s.HostConfig.NetworkMode = "ordset-demo"
	c := fromSummary(s)
	if c.NetworkMode != "ordset-demo" || !slices.Equal(c.VolumeNames, []string{"demo_data-web-0"}) || c.Detached || c.NetworkID != "n1" {
		t.Errorf("attached pod: %+v", c)
	}
	s.NetworkSettings.Networks = map[string]*network.EndpointSettings{}
	if c := fromSummary(s); !c.Detached || c.IP != "" || c.NetworkMode != "ordset-demo" || c.NetworkID != "" {
		t.Errorf("pod whose network was removed: %+v", c)
	}
}
