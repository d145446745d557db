package orchestrator

import (
	"reflect"
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
		s.Command, s.Args = []string{"app"}, []string{"--x"}
		s.Env = compose.EnvList{{Name: "A", Value: "1"}, {Name: "POD_NAME", Value: "mine"}}
		s.Ports = []compose.Port{{Name: "http", ContainerPort: 80, Protocol: "TCP", HostPort: 8000},
			{ContainerPort: 53, Protocol: "UDP", HostPort: 5300, HostIP: "0.0.0.0"}, {ContainerPort: 9000}}
		s.Resources.Limits = compose.ResourceList{"cpu": "500m", "memory": "256Mi"}
		s.TerminationGracePeriodSeconds = &grace
		s.VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/data"},
			{HostPath: "/etc/app.conf", MountPath: "/etc/app.conf", ReadOnly: true}}
	})
	tpl := PodTemplate{Namespace: "demo", Set: s, Revision: "r1", Network: "ordset-demo", DNSServer: "172.30.0.1",
		ExtraLabels: map[string]string{"io.ordset.test": "1", identity.LabelRevision: "bogus"}}
	spec, err := tpl.Pod(3, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", what, got, want)
		}
	}
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

	s.ReadinessProbe = &compose.Probe{TCPSocket: &compose.TCPSocketAction{Port: compose.PortRef{Number: 80}}}
	spec, _ = tpl.Pod(3, 0, 0)
	check("healthcheck with readiness probe", spec.UseImageHealthcheck, false)
}

func TestInitSpec(t *testing.T) {
	s := testSet(withInits("seed"))
	s.InitContainers[0].Image = ""
	s.InitContainers[0].Command = []string{"sh", "-c", "true"}
	s.InitContainers[0].VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/d"}}
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
