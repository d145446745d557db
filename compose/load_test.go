package compose

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeTestFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustLoad(t *testing.T, src string) *Project {
	t.Helper()
	p, err := LoadBytes("t.yaml", []byte(src), LoadOptions{Env: map[string]string{}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := FindFile(dir); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "no ordset.yaml or ordset.yml in "+dir) {
		t.Errorf("empty dir: %v", err)
	}
	yml := writeTestFile(t, dir, "ordset.yml", "")
	if got, err := FindFile(dir); err != nil || got != yml {
		t.Errorf("got %q, %v; want %q", got, err, yml)
	}
	yaml := writeTestFile(t, dir, "ordset.yaml", "")
	if got, err := FindFile(dir); err != nil || got != yaml {
		t.Errorf("ordset.yaml first: got %q, %v", got, err)
	}
}

func TestLoadSetsFileDirAndNames(t *testing.T) {
	dir := t.TempDir()
	path := writeTestFile(t, dir, "ordset.yaml", "statefulsets:\n  a: {image: x, volumeMounts: [{hostPath: conf, mountPath: /c}]}\n  b:\n")
	_, err := Load(path, LoadOptions{})
	if err == nil || !strings.Contains(err.Error(), "statefulsets.b.image: is required") {
		t.Fatalf("empty set body: %v", err)
	}
	writeTestFile(t, dir, "ordset.yaml", "statefulsets:\n  a: {image: x, volumeMounts: [{hostPath: conf, mountPath: /c}]}\n")
	p, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.File != path || p.Dir != dir || p.StatefulSets["a"].Name != "a" {
		t.Errorf("File %q Dir %q Name %q", p.File, p.Dir, p.StatefulSets["a"].Name)
	}
	a := p.StatefulSets["a"].Template.Spec
	if got := a.Volumes[0].HostPath.Path; got != filepath.Join(dir, "conf") || a.Containers[0].VolumeMounts[0].Name != a.Volumes[0].Name {
		t.Errorf("hostPath %q mounted as %q", got, a.Containers[0].VolumeMounts[0].Name)
	}
}

func TestValidationErrorAs(t *testing.T) {
	_, err := LoadBytes("x.yaml", []byte("statefulsets: {a: {image: x, replicas: -1}}"), LoadOptions{Env: map[string]string{}})
	var verr *ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("not a *ValidationError: %T", err)
	}
	want := Problem{File: "x.yaml", Line: 1, Col: 40, Path: "statefulsets.a.replicas", Message: "must be >= 0, got -1"}
	if len(verr.Problems) != 1 || verr.Problems[0] != want {
		t.Errorf("got %+v", verr.Problems)
	}
}

func TestDefaultPullPolicy(t *testing.T) {
	for image, want := range map[string]string{
		"redis": PullAlways, "redis:latest": PullAlways, "redis:7": PullIfNotPresent,
		"localhost:5000/redis": PullAlways, "localhost:5000/redis:7": PullIfNotPresent,
		"redis@sha256:abc": PullIfNotPresent, "ordset-test/app:latest": PullAlways,
	} {
		if got := defaultPullPolicy(image); got != want {
			t.Errorf("%s: %s; want %s", image, got, want)
		}
	}
}

func TestPortRefRoundTrip(t *testing.T) {
	p := mustLoad(t, "statefulsets:\n  a:\n    image: x\n    ports: [{name: web, containerPort: 8080}]\n    readinessProbe: {httpGet: {port: web}}\n")
	h := p.StatefulSets["a"].Main().ReadinessProbe.HTTPGet
	if h.Port != (PortRef{Number: 8080, Name: "web"}) {
		t.Fatalf("port %+v", h.Port)
	}
	b, err := json.Marshal(h)
	if err != nil || !strings.Contains(string(b), `"port":8080`) {
		t.Fatalf("json %s %v", b, err)
	}
	var back HTTPGetAction
	if err := json.Unmarshal(b, &back); err != nil || back.Port.Number != 8080 {
		t.Errorf("round trip %+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"port":"web"}`), &back); err != nil || back.Port.Name != "web" {
		t.Errorf("named %+v %v", back, err)
	}
}

// TestJSONRoundTrip checks the normalised JSON decodes back to the same project,
// so the spec can travel to the daemon as JSON.
func TestJSONRoundTrip(t *testing.T) {
	p, err := Load(filepath.Join("testdata", "valid-full.yaml"), LoadOptions{Env: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Project
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for name, s := range back.StatefulSets {
		s.Name = name
		want := p.StatefulSets[name]
		// Names of named probe ports are not part of the wire form.
		for _, ct := range append(want.Template.Spec.InitContainers, want.Template.Spec.Containers...) {
			for _, pr := range []*Probe{ct.ReadinessProbe, ct.LivenessProbe, ct.StartupProbe} {
				if pr != nil && pr.HTTPGet != nil {
					pr.HTTPGet.Port.Name = ""
				}
				if pr != nil && pr.TCPSocket != nil {
					pr.TCPSocket.Port.Name = ""
				}
			}
		}
		if !reflect.DeepEqual(s, want) {
			t.Errorf("%s differs after JSON round trip:\n%+v\n%+v", name, s, want)
		}
		if Revision(s) != Revision(want) {
			t.Errorf("%s revision changed over JSON", name)
		}
	}
}

func TestSetNames(t *testing.T) {
	p := mustLoad(t, `statefulsets:
  web: {image: x, dependsOn: [api, cache]}
  api: {image: x, dependsOn: [db]}
  db: {image: x}
  cache: {image: x}
  zed: {image: x}
`)
	want := []string{"cache", "db", "api", "web", "zed"}
	if got := p.SetNames(); !reflect.DeepEqual(got, want) {
		t.Errorf("SetNames = %v; want %v", got, want)
	}
	cyc := &Project{StatefulSets: map[string]*StatefulSet{
		"a": {DependsOn: []string{"b"}}, "b": {DependsOn: []string{"a"}}, "c": {}, "d": {DependsOn: []string{"missing", "d"}},
	}}
	if got := cyc.SetNames(); !reflect.DeepEqual(got, []string{"c", "d", "a", "b"}) {
		t.Errorf("with a cycle: %v", got)
	}
}

func TestReplicaCount(t *testing.T) {
	if (&StatefulSet{}).ReplicaCount() != 1 {
		t.Error("nil replicas should count as 1")
	}
	zero := 0
	if (&StatefulSet{Replicas: &zero}).ReplicaCount() != 0 {
		t.Error("explicit 0")
	}
}

func TestAliasBombFailsFast(t *testing.T) {
	src := "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\nstatefulsets:\n  s: {image: x, command: *f}\n"
	_, err := LoadBytes("bomb.yaml", []byte(src), LoadOptions{Env: map[string]string{}})
	if err == nil {
		t.Fatal("alias bomb loaded")
	}
}

func TestMergeBombFailsFast(t *testing.T) {
	src := "a: &a {x: 1}\nb: &b {<<: [*a,*a,*a,*a,*a,*a,*a,*a]}\nc: &c {<<: [*b,*b,*b,*b,*b,*b,*b,*b]}\nd: &d {<<: [*c,*c,*c,*c,*c,*c,*c,*c]}\ne: &e {<<: [*d,*d,*d,*d,*d,*d,*d,*d]}\nf: &f {<<: [*e,*e,*e,*e,*e,*e,*e,*e]}\ng: &g {<<: [*f,*f,*f,*f,*f,*f,*f,*f]}\nstatefulsets:\n  s: {image: x, <<: *g}\n"
	start := time.Now()
	_, err := LoadBytes("bomb.yaml", []byte(src), LoadOptions{Env: map[string]string{}})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("merge bomb: %v after %v", err, time.Since(start))
	}
}

func TestNilEnvUsesProcessEnvironment(t *testing.T) {
	t.Setenv("ORDSET_TEST_IMAGE", "from-process:1")
	dir := t.TempDir()
	writeTestFile(t, dir, ".env", "ORDSET_TEST_IMAGE=from-dotenv:1\nORDSET_TEST_ONLY_DOTENV=3\n")
	path := writeTestFile(t, dir, "ordset.yml", "statefulsets:\n  a:\n    image: ${ORDSET_TEST_IMAGE}\n    replicas: ${ORDSET_TEST_ONLY_DOTENV}\n")
	p, err := Load(path, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a := p.StatefulSets["a"]; a.Main().Image != "from-process:1" || a.ReplicaCount() != 3 {
		t.Errorf("image %q replicas %d; want the process env to win and .env to fill the rest", a.Main().Image, a.ReplicaCount())
	}
}
