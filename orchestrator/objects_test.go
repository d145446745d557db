package orchestrator

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ordset/ordset/compose"
)

func testObjects() Objects {
	return Objects{
		ConfigMaps: map[string]*compose.ConfigMap{"app": {Data: map[string]string{"a.conf": "A", "run.sh": "echo"},
			BinaryData: map[string]string{"blob": "AAH/"}}},
		Secrets:  map[string]*compose.Secret{"pw": {Data: map[string]string{"password": "aHVudGVyMg==", "user": "cm9vdA=="}}},
		FilesDir: "/state/files",
	}
}

func TestVolumeFiles(t *testing.T) {
	o, yes := testObjects(), true
	m := func(v int32) *int32 { return &v }
	for _, tc := range []struct {
		name string
		v    compose.Volume
		want []VolumeFile
		err  string
	}{
		{"every key, default mode", compose.Volume{Name: "c", ConfigMap: &compose.ConfigMapVolumeSource{Name: "app", DefaultMode: m(0o644)}},
			[]VolumeFile{{"a.conf", []byte("A"), 0o644}, {"blob", []byte{0, 1, 0xff}, 0o644}, {"run.sh", []byte("echo"), 0o644}}, ""},
		{"items with their own mode and path", compose.Volume{Name: "c", ConfigMap: &compose.ConfigMapVolumeSource{Name: "app", DefaultMode: m(0o755),
			Items: []compose.KeyToPath{{Key: "run.sh", Path: "bin/run.sh"}, {Key: "a.conf", Path: "a.conf", Mode: m(0o400)}}}},
			[]VolumeFile{{"a.conf", []byte("A"), 0o400}, {"bin/run.sh", []byte("echo"), 0o755}}, ""},
		{"secret values decoded", compose.Volume{Name: "s", Secret: &compose.SecretVolumeSource{SecretName: "pw", DefaultMode: m(0o400),
			Items: []compose.KeyToPath{{Key: "password", Path: "pw"}}}},
			[]VolumeFile{{"pw", []byte("hunter2"), 0o400}}, ""},
		{"optional and missing", compose.Volume{Name: "s", Secret: &compose.SecretVolumeSource{SecretName: "nope", Optional: &yes}}, nil, ""},
		{"missing", compose.Volume{Name: "s", Secret: &compose.SecretVolumeSource{SecretName: "nope"}}, nil, "volume s: no secret named nope"},
		{"missing key", compose.Volume{Name: "c", ConfigMap: &compose.ConfigMapVolumeSource{Name: "app",
			Items: []compose.KeyToPath{{Key: "x", Path: "x"}}}}, nil, "volume c: configMap app has no key x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := VolumeFiles(tc.v, o)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("VolumeFiles = %v, %v\nwant %v", got, err, tc.want)
			}
		})
	}
}

// TestFilesPathFollowsContent checks a changed ConfigMap (config hash) or volume definition
// gets a new directory, so rolled pods bind the new files and old pods keep theirs.
func TestFilesPathFollowsContent(t *testing.T) {
	o := testObjects()
	s := testSet(func(s *compose.StatefulSet) {
		s.Template.Metadata.Annotations = map[string]string{compose.ConfigHashAnnotation: "h1"}
	})
	v := compose.Volume{Name: "conf", ConfigMap: &compose.ConfigMapVolumeSource{Name: "app"}}
	p1 := o.FilesPath("demo", s, v)
	if !strings.HasPrefix(p1, "/state/files/demo/web/") || !strings.HasSuffix(p1, "/conf") {
		t.Errorf("path %s", p1)
	}
	s.Template.Metadata.Annotations[compose.ConfigHashAnnotation] = "h2"
	if o.FilesPath("demo", s, v) == p1 {
		t.Error("a new config hash kept the directory")
	}
	mode := int32(0o755)
	v.ConfigMap.DefaultMode = &mode
	s.Template.Metadata.Annotations[compose.ConfigHashAnnotation] = "h1"
	if o.FilesPath("demo", s, v) == p1 {
		t.Error("a new defaultMode kept the directory")
	}
}

// TestPodSpecConfigReferences checks envFrom, configMapKeyRef/secretKeyRef (optional ones
// included) and configMap/secret volume binds.
func TestPodSpecConfigReferences(t *testing.T) {
	yes := true
	s := testSet(func(s *compose.StatefulSet) {
		s.Template.Spec.Volumes = []compose.Volume{{Name: "conf", ConfigMap: &compose.ConfigMapVolumeSource{Name: "app"}}}
		c := s.Main()
		c.EnvFrom = []compose.EnvFromSource{{Prefix: "CFG_", ConfigMapRef: &compose.ObjectRef{Name: "app"}},
			{SecretRef: &compose.ObjectRef{Name: "absent", Optional: &yes}}}
		c.Env = compose.EnvList{
			{Name: "PW", ValueFrom: &compose.EnvVarSource{SecretKeyRef: &compose.KeySelector{Name: "pw", Key: "password"}}},
			{Name: "CFG_a.conf", Value: "mine"},
			{Name: "OPT", ValueFrom: &compose.EnvVarSource{ConfigMapKeyRef: &compose.KeySelector{Name: "app", Key: "nope", Optional: &yes}}},
			{Name: "BOTH", Value: "$(PW)/$(CFG_run.sh)"}}
		c.VolumeMounts = []compose.VolumeMount{{Name: "conf", MountPath: "/etc/app"}}
	})
	tpl := PodTemplate{Namespace: "demo", Set: s, Revision: "r1", Objects: testObjects()}
	spec, err := tpl.Pod(0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CFG_blob=\x00\x01\xff", "CFG_run.sh=echo", "PW=hunter2", "CFG_a.conf=mine", "BOTH=hunter2/echo"}
	if !reflect.DeepEqual(spec.Env[3:], want) {
		t.Errorf("env = %q\nwant %q", spec.Env[3:], want)
	}
	v := s.Template.Spec.Volumes[0]
	if m := spec.Mounts; len(m) != 1 || m[0] != (Mount{Type: "bind", Source: tpl.Objects.FilesPath("demo", s, v), Target: "/etc/app", ReadOnly: true}) {
		t.Errorf("mounts %+v", m)
	}
	s.Main().Env[0].ValueFrom.SecretKeyRef.Key = "missing"
	if _, err := tpl.Pod(0, 0, 0); err == nil || !strings.Contains(err.Error(), "secret pw has no key missing") {
		t.Errorf("missing secret key: %v", err)
	}
}

// TestSubPathBinds: a subPath of a host path or of a configMap volume binds that part.
func TestSubPathBinds(t *testing.T) {
	s := testSet(func(s *compose.StatefulSet) {
		s.Template.Spec.Volumes = []compose.Volume{{Name: "conf", ConfigMap: &compose.ConfigMapVolumeSource{Name: "app"}},
			{Name: "host", HostPath: &compose.HostPathVolumeSource{Path: "/srv/app"}}}
		s.Main().VolumeMounts = []compose.VolumeMount{{Name: "conf", MountPath: "/etc/a.conf", SubPath: "a.conf"},
			{Name: "host", MountPath: "/logs", SubPath: "logs/web"}}
	})
	tpl := PodTemplate{Namespace: "demo", Set: s, Revision: "r1", Objects: testObjects()}
	spec, err := tpl.Pod(0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := tpl.Objects.FilesPath("demo", s, s.Template.Spec.Volumes[0])
	want := []Mount{{Type: "bind", Source: conf + "/a.conf", Target: "/etc/a.conf", ReadOnly: true},
		{Type: "bind", Source: "/srv/app/logs/web", Target: "/logs"}}
	if !reflect.DeepEqual(spec.Mounts, want) {
		t.Errorf("mounts %+v\nwant %+v", spec.Mounts, want)
	}
	if gaps := Unsupported(s); len(gaps) != 0 {
		t.Errorf("Unsupported = %q", gaps)
	}
}
