package orchestrator

import (
	"reflect"
	"testing"

	"github.com/ordset/ordset/compose"
)

func TestUnsupported(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name string
		mut  func(*compose.StatefulSet)
		want []string
	}{
		{"one container, claims and host paths run", func(s *compose.StatefulSet) {
			s.Template.Spec.Volumes = []compose.Volume{{Name: "h", HostPath: &compose.HostPathVolumeSource{Path: "/x"}}}
			s.Template.Metadata.Labels = map[string]string{"app": "web"}
			s.Template.Spec.DNSConfig = &compose.PodDNSConfig{Searches: []string{"x.test"}}
			s.Template.Spec.ShareProcessNamespace = &yes
		}, nil},
		{"a second container", func(s *compose.StatefulSet) {
			s.Template.Spec.Containers = append(s.Template.Spec.Containers, compose.Container{Name: "side", Image: "x"})
		}, []string{"2 containers (only one runs per pod so far)"}},
		{"pod volumes, sidecar, env sources, hooks, security", func(s *compose.StatefulSet) {
			spec := &s.Template.Spec
			spec.Volumes = []compose.Volume{{Name: "tmp", EmptyDir: &compose.EmptyDirVolumeSource{}},
				{Name: "cfg", ConfigMap: &compose.ConfigMapVolumeSource{Name: "c"}}}
			spec.InitContainers = []compose.Container{{Name: "m", Image: "x", RestartPolicy: "Always"}}
			spec.SecurityContext = &compose.PodSecurityContext{}
			spec.HostAliases = []compose.HostAlias{{IP: "10.0.0.1", Hostnames: []string{"a"}}}
			c := &spec.Containers[0]
			c.Env = compose.EnvList{{Name: "IP", ValueFrom: &compose.EnvVarSource{FieldRef: &compose.ObjectFieldSelector{FieldPath: "status.podIP"}}}}
			c.EnvFrom = []compose.EnvFromSource{{ConfigMapRef: &compose.ObjectRef{Name: "c"}}}
			c.VolumeMounts = []compose.VolumeMount{{Name: "data", MountPath: "/d", SubPath: "x"}}
			c.Lifecycle = &compose.Lifecycle{}
			c.SecurityContext = &compose.SecurityContext{}
		}, []string{"volume tmp (emptyDir)", "volume cfg (configMap)", "securityContext", "hostAliases",
			"sidecar init container m", "container web: env IP valueFrom", "container web: envFrom",
			"container web: subPath of mount /d", "container web: lifecycle hooks", "container web: securityContext"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := testSet(tc.mut)
			if got := Unsupported(s); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Unsupported = %q\nwant %q", got, tc.want)
			}
		})
	}
}
