package orchestrator

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

func TestPodSpec(t *testing.T) {
	grace := int64(7)
	s := testSet(func(s *compose.StatefulSet) {
		s.ServiceName = "svc"
		s.Ordinals.Start = 1
		s.Main().Command, s.Main().Args = []string{"app"}, []string{"--x"}
		s.Main().Env = compose.EnvList{{Name: "A", Value: "1"}, {Name: "POD_NAME", Value: "mine"}}
		s.Main().Ports = []compose.Port{{Name: "http", ContainerPort: 80, Protocol: "TCP", HostPort: 8000},
			{ContainerPort: 53, Protocol: "UDP", HostPort: 5300, HostIP: "0.0.0.0"}, {ContainerPort: 9000}}
		s.Main().Resources.Limits = compose.ResourceList{"cpu": "500m", "memory": "256Mi"}
		s.Template.Spec.TerminationGracePeriodSeconds = &grace
		s.Main().VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/data"},
			{HostPath: "/etc/app.conf", MountPath: "/etc/app.conf", ReadOnly: true}}
	})
	tpl := PodTemplate{Namespace: "demo", Set: s, Revision: "r1", Network: "ordset-demo", DNSServer: "172.30.0.1",
		ExtraLabels: map[string]string{"io.ordset.test": "1", identity.LabelRevision: "bogus"}}
	spec, err := tpl.Pod(3, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	check := deepChecker(t)
	check("name", spec.Name, "demo-web-3")
	check("hostname", spec.Hostname, "web-3")
	check("domainname", spec.Domainname, "svc.demo.svc.cluster.local")
	check("entrypoint", spec.Entrypoint, []string{"app"})
	check("cmd", spec.Cmd, []string{"--x"})
	check("env", spec.Env, []string{"POD_NAMESPACE=demo", "POD_ORDINAL=3", "A=1", "POD_NAME=mine"})
	check("dns", spec.DNS, []string{"172.30.0.1"})
	check("search", spec.DNSSearch, []string{"demo.svc.cluster.local", "svc.cluster.local", "cluster.local"})
	check("options", spec.DNSOptions, []string{"ndots:5"})
	check("aliases", spec.Aliases, []string{"web-3", "web-3.svc", "web-3.svc.demo", "web-3.svc.demo.svc.cluster.local"})
	check("mounts", spec.Mounts, []Mount{{Type: "volume", Source: "demo_data-web-3", Target: "/data"},
		{Type: "bind", Source: "/etc/app.conf", Target: "/etc/app.conf", ReadOnly: true}})
	check("ports", spec.Ports, []PortBinding{{ContainerPort: 80, Protocol: "tcp", HostIP: "127.0.0.1", HostPort: 8002},
		{ContainerPort: 53, Protocol: "udp", HostIP: "0.0.0.0", HostPort: 5302}, {ContainerPort: 9000, Protocol: "tcp"}})
	check("cpus", spec.NanoCPUs, int64(500_000_000))
	check("memory", spec.MemoryBytes, int64(256<<20))
	check("stop timeout", spec.StopTimeout, 7*time.Second)
	check("healthcheck", spec.UseImageHealthcheck, true)
	for k, v := range map[string]string{identity.LabelManagedBy: "ordset", identity.LabelRole: identity.RolePod, identity.LabelNamespace: "demo",
		identity.LabelSet: "web", identity.LabelOrdinal: "3", identity.LabelPod: "web-3", identity.LabelService: "svc", identity.LabelRevision: "r1",
		identity.LabelRestarts: "2", identity.LabelBackoff: "1", "io.ordset.test": "1"} {
		check("label "+k, spec.Labels[k], v)
	}

	s.Main().ReadinessProbe = &compose.Probe{TCPSocket: &compose.TCPSocketAction{Port: compose.PortRef{Number: 80}}}
	spec, _ = tpl.Pod(3, 0, 0)
	check("healthcheck with readiness probe", spec.UseImageHealthcheck, false)
}

func TestInitSpec(t *testing.T) {
	s := testSet(withInits("seed"))
	s.Template.Spec.InitContainers[0].Image = ""
	s.Template.Spec.InitContainers[0].Command = []string{"sh", "-c", "true"}
	s.Template.Spec.InitContainers[0].VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/d"}}
	tpl := PodTemplate{Namespace: "demo", Set: s, Revision: "r1", Network: "ordset-demo", Zone: "example.test", DNSServer: "10.0.0.1"}
	spec, err := tpl.Init(0, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if spec.Name != "demo-web-0-init-seed" || spec.Image != "app:1" || spec.Labels[identity.LabelRole] != identity.RoleInit ||
		spec.Labels[identity.LabelInit] != "seed" || len(spec.Ports) != 0 || spec.Mounts[0].Source != "demo_data-web-0" ||
		spec.DNSSearch[0] != "demo.svc.example.test" || spec.Domainname != "web.demo.svc.example.test" {
		t.Errorf("init spec = %+v", spec)
	}
	if _, err := tpl.Init(0, 1, 0, 0); err == nil {
		t.Error("init index out of range accepted")
	}
	if img, pol := tpl.PullPolicy(0); img != "app:1" || pol != compose.PullIfNotPresent {
		t.Errorf("pull policy = %s %s", img, pol)
	}
}

// TestPodSpecTemplateFields checks $(VAR) expansion, template labels and dnsConfig.
func TestPodSpecTemplateFields(t *testing.T) {
	two := "2"
	s := testSet(func(s *compose.StatefulSet) {
		c := s.Main()
		c.Env = compose.EnvList{{Name: "PEER", Value: "$(POD_NAME).web"}, {Name: "URL", Value: "http://$(PEER):$(PORT)"},
			{Name: "PORT", Value: "80"}}
		c.Command = []string{"app", "--peer=$(PEER)", "$$(PEER)", "$(NOPE)"}
		s.Template.Metadata = compose.PodMetadata{Labels: map[string]string{"app": "web", identity.LabelPod: "forged"},
			Annotations: map[string]string{"note": "x"}}
		s.Template.Spec.DNSConfig = &compose.PodDNSConfig{Nameservers: []string{"9.9.9.9"}, Searches: []string{"corp.test"},
			Options: []compose.PodDNSConfigOpt{{Name: "ndots", Value: &two}, {Name: "edns0"}}}
	})
	spec, err := PodTemplate{Namespace: "demo", Set: s, Revision: "r1", DNSServer: "10.0.0.1"}.Pod(1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// An env value sees only variables defined before it, as in Kubernetes; command sees them all.
	wantEnv := []string{"POD_NAME=web-1", "POD_NAMESPACE=demo", "POD_ORDINAL=1", "PEER=web-1.web", "URL=http://web-1.web:$(PORT)", "PORT=80"}
	if !reflect.DeepEqual(spec.Env, wantEnv) {
		t.Errorf("env = %q, want %q", spec.Env, wantEnv)
	}
	if want := []string{"app", "--peer=web-1.web", "$(PEER)", "$(NOPE)"}; !reflect.DeepEqual(spec.Entrypoint, want) {
		t.Errorf("command = %q, want %q", spec.Entrypoint, want)
	}
	if spec.Labels["app"] != "web" || spec.Labels["note"] != "x" || spec.Labels[identity.LabelPod] != "web-1" {
		t.Errorf("labels = %v", spec.Labels)
	}
	if !reflect.DeepEqual(spec.DNS, []string{"10.0.0.1", "9.9.9.9"}) ||
		spec.DNSSearch[len(spec.DNSSearch)-1] != "corp.test" || !reflect.DeepEqual(spec.DNSOptions, []string{"ndots:2", "edns0"}) {
		t.Errorf("dns %v search %v options %v", spec.DNS, spec.DNSSearch, spec.DNSOptions)
	}
}

// TestPodSpecSecurityAndVolumes checks the securityContext mapping (container over pod),
// hostAliases, emptyDir mounts and env valueFrom.
func TestPodSpecSecurityAndVolumes(t *testing.T) {
	yes, no, podUID, uid, gid := true, false, int64(7), int64(1000), int64(2000)
	s := testSet(func(s *compose.StatefulSet) {
		spec := &s.Template.Spec
		spec.SecurityContext = &compose.PodSecurityContext{RunAsUser: &podUID, RunAsGroup: &gid, SupplementalGroups: []int64{4, 5},
			Sysctls: []compose.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}}}
		spec.HostAliases = []compose.HostAlias{{IP: "10.0.0.5", Hostnames: []string{"a.local", "b.local"}}}
		spec.Volumes = []compose.Volume{{Name: "shm", EmptyDir: &compose.EmptyDirVolumeSource{Medium: compose.MediumMemory, SizeLimit: "64Mi"}},
			{Name: "scratch", EmptyDir: &compose.EmptyDirVolumeSource{}}}
		c := s.Main()
		c.User = "ignored-when-runAsUser-is-set"
		c.SecurityContext = &compose.SecurityContext{RunAsUser: &uid, ReadOnlyRootFilesystem: &yes, AllowPrivilegeEscalation: &no,
			Capabilities: &compose.Capabilities{Add: []string{"IPC_LOCK"}, Drop: []string{"ALL"}}}
		c.VolumeMounts = []compose.VolumeMount{{Name: "shm", MountPath: "/dev/shm"}, {Name: "scratch", MountPath: "/tmp"}}
		c.Resources.Limits = compose.ResourceList{"memory": "256Mi", "cpu": "1500m"}
		c.Env = compose.EnvList{
			{Name: "INDEX", ValueFrom: &compose.EnvVarSource{FieldRef: &compose.ObjectFieldSelector{FieldPath: compose.FieldPodIndex}}},
			{Name: "NAME", ValueFrom: &compose.EnvVarSource{FieldRef: &compose.ObjectFieldSelector{FieldPath: compose.FieldPodName}}},
			{Name: "MEM_MI", ValueFrom: &compose.EnvVarSource{ResourceFieldRef: &compose.ResourceFieldSelector{Resource: "limits.memory", Divisor: "1Mi"}}},
			{Name: "CPUS", ValueFrom: &compose.EnvVarSource{ResourceFieldRef: &compose.ResourceFieldSelector{Resource: "limits.cpu"}}},
			{Name: "GREETING", Value: "I am $(NAME) #$(INDEX)"}}
	})
	spec, err := PodTemplate{Namespace: "demo", Set: s, Revision: "r1"}.Pod(2, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	check := deepChecker(t)
	check("user (container uid, pod gid)", spec.User, "1000:2000")
	check("groups", spec.GroupAdd, []string{"4", "5"})
	check("sysctls", spec.Sysctls, map[string]string{"net.core.somaxconn": "1024"})
	check("caps", [][]string{spec.CapAdd, spec.CapDrop}, [][]string{{"IPC_LOCK"}, {"ALL"}})
	check("read-only root", spec.ReadonlyRootfs, true)
	check("no-new-privileges", spec.NoNewPrivileges, true)
	check("privileged", spec.Privileged, false)
	check("hosts", spec.ExtraHosts, []string{"a.local:10.0.0.5", "b.local:10.0.0.5"})
	// emptyDirs are the pod's named volumes (see TestInfraPodSpecs for how they are made).
	check("mounts", spec.Mounts, []Mount{{Type: "volume", Source: "demo_web-2_shm", Target: "/dev/shm", NoCopy: true},
		{Type: "volume", Source: "demo_web-2_scratch", Target: "/tmp", NoCopy: true}})
	check("env", spec.Env[3:], []string{"INDEX=2", "NAME=web-2", "MEM_MI=256", "CPUS=2", "GREETING=I am web-2 #2"})
}

// deepChecker returns a check that reports a field whose value is not the one wanted.
func deepChecker(t *testing.T) func(what string, got, want any) {
	return func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
}

func TestRootUserProblem(t *testing.T) {
	for user, root := range map[string]bool{"": true, "root": true, "0": true, "00:1000": true, "root:staff": true,
		"redis": true /* a name cannot be verified */, "1000": false, "999:999": false, "1000:0": false} {
		if got := rootUserProblem(user) != ""; got != root {
			t.Errorf("rootUserProblem(%q) = %q, want a problem: %v", user, rootUserProblem(user), root)
		}
	}
}

// TestPodSpecFSGroupAndSubPaths: fsGroup joins the groups (once) and marks every claim and
// disk emptyDir mount; subPath and an expanded subPathExpr reach the claim's mount, and a
// subPathExpr that would leave the volume is an error, so no container is made.
func TestPodSpecFSGroupAndSubPaths(t *testing.T) {
	fsg := int64(2000)
	s := testSet(func(s *compose.StatefulSet) {
		spec := &s.Template.Spec
		spec.SecurityContext = &compose.PodSecurityContext{FSGroup: &fsg, SupplementalGroups: []int64{4, 2000}}
		spec.Volumes = []compose.Volume{{Name: "shm", EmptyDir: &compose.EmptyDirVolumeSource{Medium: compose.MediumMemory}},
			{Name: "scratch", EmptyDir: &compose.EmptyDirVolumeSource{}}}
		c := s.Main()
		c.Env = compose.EnvList{{Name: "SHARD", Value: "s-$(POD_ORDINAL)"}}
		c.VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/data"}, {Name: "data", MountPath: "/logs", SubPath: "logs"},
			{Name: "data", MountPath: "/mine", SubPathExpr: "pods/$(POD_NAME)/$(SHARD)"},
			{Name: "shm", MountPath: "/dev/shm"}, {Name: "scratch", MountPath: "/tmp"}}
	})
	spec, err := PodTemplate{Namespace: "demo", Set: s, Revision: "r1"}.Pod(1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	check := deepChecker(t)
	check("groups", spec.GroupAdd, []string{"2000", "4"})
	check("mounts", spec.Mounts, []Mount{
		{Type: "volume", Source: "demo_data-web-1", Target: "/data", Group: &fsg},
		{Type: "volume", Source: "demo_data-web-1", Target: "/logs", SubPath: "logs", Group: &fsg},
		{Type: "volume", Source: "demo_data-web-1", Target: "/mine", SubPath: "pods/web-1/s-1", Group: &fsg},
		{Type: "volume", Source: "demo_web-1_shm", Target: "/dev/shm", NoCopy: true}, // a tmpfs volume: world-writable already
		{Type: "volume", Source: "demo_web-1_scratch", Target: "/tmp", Group: &fsg, NoCopy: true}})

	for _, expr := range []string{"$(UNSET)/../..", "$(NOTHING)", "../$(POD_NAME)"} {
		s.Main().VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/x", SubPathExpr: expr}}
		s.Main().Env = compose.EnvList{{Name: "NOTHING", Value: ""}}
		if _, err := (PodTemplate{Namespace: "demo", Set: s, Revision: "r1"}).Pod(1, 0, 0); err == nil ||
			!strings.Contains(err.Error(), "not a path inside the volume") {
			t.Errorf("subPathExpr %q: err %v, want a refusal", expr, err)
		}
	}
}
