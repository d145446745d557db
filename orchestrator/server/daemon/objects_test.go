package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordset/ordset/compose"
)

// TestObjectStore checks objects persist in a 0600 file outside the store, merge by name,
// and that volume files get exactly the modes asked for.
func TestObjectStore(t *testing.T) {
	dir := t.TempDir()
	o := newObjectStore(dir)
	sec := map[string]*compose.Secret{"pw": {Data: map[string]string{"password": "aHVudGVyMg=="}}}
	cms := map[string]*compose.ConfigMap{"app": {Data: map[string]string{"run.sh": "echo hi\n"}}}
	if err := o.merge("demo", cms, sec); err != nil {
		t.Fatal(err)
	}
	if err := o.merge("demo", map[string]*compose.ConfigMap{"other": {Data: map[string]string{"k": "v"}}}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "objects", "demo.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("objects file: %v, mode %v", err, st)
	}
	// A fresh daemon reads them back: both merges are there.
	got := newObjectStore(dir).get("demo")
	if got.ConfigMaps["app"] == nil || got.ConfigMaps["other"] == nil || got.Secrets["pw"].Data["password"] != "aHVudGVyMg==" {
		t.Fatalf("reloaded objects %+v", got)
	}

	exec, secret := int32(0o755), int32(0o400)
	s := &compose.StatefulSet{Name: "web", Template: compose.PodTemplateSpec{
		Metadata: compose.PodMetadata{Annotations: map[string]string{compose.ConfigHashAnnotation: "h"}},
		Spec: compose.PodSpec{Volumes: []compose.Volume{
			{Name: "scripts", ConfigMap: &compose.ConfigMapVolumeSource{Name: "app", DefaultMode: &exec}},
			{Name: "creds", Secret: &compose.SecretVolumeSource{SecretName: "pw", DefaultMode: &secret}}}}}}
	if err := o.writeVolumes("demo", s); err != nil {
		t.Fatal(err)
	}
	obj := o.get("demo")
	for _, c := range []struct {
		vol, file, content string
		mode               os.FileMode
	}{{"scripts", "run.sh", "echo hi\n", 0o755}, {"creds", "password", "hunter2", 0o400}} {
		p := filepath.Join(obj.FilesPath("demo", s, s.Template.Spec.Volumes[map[string]int{"scripts": 0, "creds": 1}[c.vol]]), c.file)
		b, err := os.ReadFile(p)
		st, serr := os.Stat(p)
		if err != nil || serr != nil || string(b) != c.content || st.Mode().Perm() != c.mode {
			t.Errorf("%s: %q %v mode %v (%v)", p, b, err, st, serr)
		}
	}
	// Nothing of a secret lands in the store's directory outside the objects file and the volume.
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "objects") || strings.Contains(p, "creds") {
			return err
		}
		if b, _ := os.ReadFile(p); strings.Contains(string(b), "hunter2") {
			t.Errorf("%s holds the secret", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
