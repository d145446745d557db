package compose

import (
	"errors"
	"strings"
	"testing"
)

// Normalize gives a spec that came through the API every default Load gives, and rejects
// what Load rejects, naming each problem by field path.
func TestNormalizeDefaultsLikeLoad(t *testing.T) {
	p := &Project{Namespace: "demo", StatefulSets: map[string]*StatefulSet{"web": {Image: "nginx"}}}
	if err := Normalize(p); err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadBytes("ordset.yaml", []byte("namespace: demo\nstatefulsets:\n  web:\n    image: nginx\n"), LoadOptions{Env: map[string]string{}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	got, want := p.StatefulSets["web"], loaded.StatefulSets["web"]
	if Revision(got) != Revision(want) || got.ImagePullPolicy != PullAlways || *got.TerminationGracePeriodSeconds != 30 ||
		got.ServiceName != "web" || *got.Replicas != 1 {
		t.Errorf("normalised %+v, loaded %+v", got, want)
	}
	again := *got
	if err := Normalize(p); err != nil || Revision(p.StatefulSets["web"]) != Revision(&again) {
		t.Errorf("a second Normalize changed the set: %v", err)
	}
}

func TestNormalizeNamesEveryProblem(t *testing.T) {
	minus3 := -3
	p := &Project{Namespace: "Bad NS!", StatefulSets: map[string]*StatefulSet{
		"x": {Image: "", Replicas: &minus3, PodManagementPolicy: "Sometimes", Ordinals: Ordinals{Start: -3},
			VolumeMounts: []VolumeMount{{HostPath: "rel/dir", MountPath: "/d"}}},
	}}
	err := Normalize(p)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a ValidationError", err)
	}
	for _, want := range []string{
		"namespace: ",
		"statefulsets.x.image: is required",
		"statefulsets.x.replicas: must be >= 0, got -3",
		"statefulsets.x.podManagementPolicy: ",
		"statefulsets.x.ordinals.start: must be >= 0, got -3",
		`statefulsets.x.volumeMounts[0].hostPath: must be an absolute path, got "rel/dir"`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in:\n%s", want, err)
		}
	}
	if strings.Contains(err.Error(), ":1:1") {
		t.Errorf("problems carry a made-up position:\n%s", err)
	}
}

// The accessors give a hand-built set the loader's defaults: a :latest image is pulled Always
// (it was IfNotPresent downstream), an init container inherits the set's image and policy.
func TestAccessorsUseTheLoadersDefaults(t *testing.T) {
	s := &StatefulSet{Name: "web", Image: "redis:latest", InitContainers: []InitContainer{{Name: "a"}, {Name: "b", Image: "busybox:1.36"}}}
	for i, want := range map[int][2]string{-1: {"redis:latest", PullAlways}, 0: {"redis:latest", PullAlways}, 1: {"busybox:1.36", PullIfNotPresent}} {
		if img, pol := s.ImageOf(i); img != want[0] || pol != want[1] {
			t.Errorf("ImageOf(%d) = %s %s, want %v", i, img, pol, want)
		}
	}
	if s.GracePeriod().Seconds() != float64(DefaultTerminationGracePeriodSeconds) || s.Service() != "web" {
		t.Errorf("grace %s service %s", s.GracePeriod(), s.Service())
	}
	if d := (Probe{}).Defaulted(); d.PeriodSeconds != DefaultProbePeriodSeconds || d.FailureThreshold != DefaultProbeFailureThreshold {
		t.Errorf("probe defaults %+v", d)
	}
}
