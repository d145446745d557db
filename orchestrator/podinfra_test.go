package orchestrator

import (
	"testing"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

// TestInfraPodSpecs: the infrastructure container owns what only a network namespace's owner
// may set on Docker 20.10 (hostname, DNS, hosts, ports, sysctls); members join it and set none
// of it; status.podIP is its address; emptyDirs are labelled for it.
func TestInfraPodSpecs(t *testing.T) {
	yes := true
	s := duo(withSidecar("log"), func(s *compose.StatefulSet) {
		spec := &s.Template.Spec
		spec.ShareProcessNamespace = &yes
		spec.HostAliases = []compose.HostAlias{{IP: "10.0.0.5", Hostnames: []string{"a.local"}}}
		spec.SecurityContext = &compose.PodSecurityContext{Sysctls: []compose.Sysctl{{Name: "net.core.somaxconn", Value: "1024"}}}
		spec.Containers[0].Ports = []compose.Port{{ContainerPort: 80, HostPort: 8080}}
		spec.Containers[1].Ports = []compose.Port{{ContainerPort: 9000}}
		spec.Containers[1].Env = compose.EnvList{{Name: "IP", ValueFrom: &compose.EnvVarSource{FieldRef: &compose.ObjectFieldSelector{FieldPath: compose.FieldPodIP}}}}
		spec.Volumes = append(spec.Volumes, compose.Volume{Name: "shm", EmptyDir: &compose.EmptyDirVolumeSource{Medium: compose.MediumMemory, SizeLimit: "64Mi"}})
		spec.Containers[1].VolumeMounts = []compose.VolumeMount{{Name: "shared", MountPath: "/s"}}
	})
	if !NeedsInfra(s) || NeedsInfra(testSet()) {
		t.Fatalf("NeedsInfra: duo %v, one container %v", NeedsInfra(s), NeedsInfra(testSet()))
	}
	tpl := PodTemplate{Namespace: "demo", Set: s, Revision: "r1", Network: "ordset-demo", DNSServer: "10.0.0.1"}
	infra := tpl.Infra(1, "ordset-infra:x", 0)
	check := deepChecker(t)
	check("infra name", infra.Name, "demo-web-1")
	check("infra label", infra.Labels[identity.LabelInfra], "true")
	check("infra hostname", infra.Hostname, "web-1")
	check("infra DNS", infra.DNS, []string{"10.0.0.1"})
	check("infra ports (every container's)", infra.Ports, []PortBinding{{ContainerPort: 80, Protocol: "tcp", HostIP: "127.0.0.1", HostPort: 8081},
		{ContainerPort: 9000, Protocol: "tcp"}})
	check("infra hosts", infra.ExtraHosts, []string{"a.local:10.0.0.5"})
	check("infra sysctls", infra.Sysctls, map[string]string{"net.core.somaxconn": "1024"})
	check("infra IPC", infra.IpcMode, "shareable")
	check("infra mounts", len(infra.Mounts), 0)

	tpl.InfraID, tpl.PodIP = "abc", "10.0.0.7"
	side, err := tpl.Member(1, "side", 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	check("member name", side.Name, "demo-web-1_side")
	check("member role", []string{side.Labels[identity.LabelRole], side.Labels[identity.LabelContainer], side.Labels[identity.LabelRestarts]},
		[]string{identity.RoleContainer, "side", "2"})
	check("member namespaces", []string{side.Network, side.IpcMode, side.PidMode}, []string{"container:abc", "container:abc", "container:abc"})
	check("member sets none of the owner's", []any{side.Hostname, side.DNS, side.Ports, side.ExtraHosts, side.Sysctls, side.Aliases},
		[]any{"", []string(nil), []PortBinding(nil), []string(nil), map[string]string(nil), []string(nil)})
	check("status.podIP", side.Env[len(side.Env)-1], "IP=10.0.0.7")
	check("emptyDir mount", side.Mounts, []Mount{{Type: "volume", Source: "demo_web-1_shared", Target: "/s", NoCopy: true}})
	log, err := tpl.Init(1, 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	check("sidecar joins too", []string{log.Name, log.Network}, []string{"demo-web-1-init-log", "container:abc"})
	if _, err := (PodTemplate{Namespace: "demo", Set: s}).Member(1, "side", 0, 0); err == nil {
		t.Error("a member without an infrastructure container to join was built")
	}

	dirs := tpl.EmptyDirs(1, "abc")
	check("emptyDirs", []string{dirs[0].Name, dirs[0].Labels[identity.LabelPodUID], dirs[1].Name}, []string{"demo_web-1_shared", "abc", "demo_web-1_shm"})
	check("memory emptyDir is a shared tmpfs volume", dirs[1].DriverOpts, map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "mode=1777,size=67108864"})
	check("disk emptyDir", dirs[0].DriverOpts, map[string]string(nil))
	check("disk emptyDir is made 0777, a tmpfs has its mode in its options", []bool{dirs[0].WorldWritable, dirs[1].WorldWritable}, []bool{true, false})
}
