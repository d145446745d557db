package orchestrator

import (
	"reflect"
	"testing"

	"github.com/ordset/ordset/compose"
)

func TestUnsupported(t *testing.T) {
	yes, uid, gid := true, int64(1000), int64(1000)
	mount := func(names ...string) []compose.VolumeMount {
		var ms []compose.VolumeMount
		for _, n := range names {
			ms = append(ms, compose.VolumeMount{Name: n, MountPath: "/" + n})
		}
		return ms
	}
	for _, tc := range []struct {
		name string
		mut  func(*compose.StatefulSet)
		want []string
	}{
		{"what runs: one container, claims, host paths, private emptyDirs, security, aliases, hooks", func(s *compose.StatefulSet) {
			spec := &s.Template.Spec
			spec.Volumes = []compose.Volume{{Name: "h", HostPath: &compose.HostPathVolumeSource{Path: "/x"}},
				{Name: "shm", EmptyDir: &compose.EmptyDirVolumeSource{Medium: compose.MediumMemory}}}
			spec.InitContainers = []compose.Container{{Name: "i", Image: "x", VolumeMounts: mount("data", "h")}}
			spec.Containers[0].VolumeMounts = mount("data", "h", "shm")
			s.Template.Metadata.Labels = map[string]string{"app": "web"}
			spec.DNSConfig = &compose.PodDNSConfig{Searches: []string{"x.test"}}
			spec.ShareProcessNamespace = &yes
			spec.HostAliases = []compose.HostAlias{{IP: "10.0.0.1", Hostnames: []string{"a"}}}
			spec.SecurityContext = &compose.PodSecurityContext{RunAsUser: &uid, RunAsNonRoot: &yes, SupplementalGroups: []int64{4}}
			spec.Containers[0].SecurityContext = &compose.SecurityContext{ReadOnlyRootFilesystem: &yes,
				Capabilities: &compose.Capabilities{Drop: []string{"ALL"}}}
			spec.Containers[0].Lifecycle = &compose.Lifecycle{PreStop: &compose.LifecycleHandler{HTTPGet: &compose.HTTPGetAction{Path: "/stop"}},
				PostStart: &compose.LifecycleHandler{HTTPGet: &compose.HTTPGetAction{Path: "/start"}}}
			spec.Containers[0].Env = compose.EnvList{
				{Name: "NAME", ValueFrom: &compose.EnvVarSource{FieldRef: &compose.ObjectFieldSelector{FieldPath: compose.FieldPodIndex}}}}
		}, nil},
		{"a second container (runs beside an infrastructure container)", func(s *compose.StatefulSet) {
			s.Template.Spec.Containers = append(s.Template.Spec.Containers, compose.Container{Name: "side", Image: "x"})
		}, nil},
		{"shared emptyDir, sidecar, env sources incl. status.podIP; fsGroup and subPath on a local claim run", func(s *compose.StatefulSet) {
			spec := &s.Template.Spec
			spec.Volumes = []compose.Volume{{Name: "tmp", EmptyDir: &compose.EmptyDirVolumeSource{}},
				{Name: "cfg", ConfigMap: &compose.ConfigMapVolumeSource{Name: "c"}}}
			spec.InitContainers = []compose.Container{{Name: "m", Image: "x", RestartPolicy: "Always", VolumeMounts: mount("tmp")}}
			spec.SecurityContext = &compose.PodSecurityContext{FSGroup: &gid, RunAsNonRoot: &yes}
			c := &spec.Containers[0]
			c.VolumeMounts = append(mount("tmp"), compose.VolumeMount{Name: "data", MountPath: "/d", SubPath: "x"})
			c.Env = compose.EnvList{{Name: "IP", ValueFrom: &compose.EnvVarSource{FieldRef: &compose.ObjectFieldSelector{FieldPath: "status.podIP"}}},
				{Name: "MEM", ValueFrom: &compose.EnvVarSource{ResourceFieldRef: &compose.ResourceFieldSelector{Resource: "limits.memory"}}}}
			c.EnvFrom = []compose.EnvFromSource{{ConfigMapRef: &compose.ObjectRef{Name: "c"}}}
			c.Lifecycle = &compose.Lifecycle{PreStop: &compose.LifecycleHandler{HTTPGet: &compose.HTTPGetAction{Path: "/stop"}},
				PostStart: &compose.LifecycleHandler{Exec: &compose.ExecAction{Command: []string{"true"}}}}
		}, []string{"container web: env MEM (resourceFieldRef limits.memory: container web sets no limits.memory)"}},
		{"fsGroup and subPath on claims ordset cannot reach the files of, subPath of an emptyDir", func(s *compose.StatefulSet) {
			spec := &s.Template.Spec
			spec.SecurityContext = &compose.PodSecurityContext{FSGroup: &gid}
			s.VolumeClaimTemplates = []compose.VolumeClaimTemplate{{Name: "data"}, {Name: "nfs", Driver: "nfs-plugin"},
				{Name: "opts", Driver: "local", DriverOpts: map[string]string{"type": "tmpfs"}}}
			spec.Volumes = []compose.Volume{{Name: "tmp", EmptyDir: &compose.EmptyDirVolumeSource{}}}
			spec.Containers[0].VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/d", SubPath: "x"},
				{Name: "nfs", MountPath: "/n", SubPath: "x"}, {Name: "opts", MountPath: "/o", SubPath: "x"},
				{Name: "tmp", MountPath: "/t", SubPath: "x"}}
		}, []string{"securityContext.fsGroup (claim nfs uses driver nfs-plugin; ordset reaches only local volumes' files)",
			"securityContext.fsGroup (claim opts has driver options; ordset reaches only plain local volumes' files)",
			"container web: subPath of mount /n (claim nfs uses driver nfs-plugin; ordset reaches only local volumes' files)",
			"container web: subPath of mount /o (claim opts has driver options; ordset reaches only plain local volumes' files)",
			"container web: subPath of mount /t (Docker 20.10 cannot mount part of an emptyDir)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testSet(tc.mut)
			if got := Unsupported(s); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Unsupported = %q\nwant %q", got, tc.want)
			}
		})
	}
}
