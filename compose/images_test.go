package compose

import (
	"errors"
	"strings"
	"testing"
)

func TestImageOverrideApply(t *testing.T) {
	dig := "sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct {
		o          ImageOverride
		image, out string // out "" means no match
	}{
		{ImageOverride{Name: "nginx", NewName: "myorg/nginx"}, "nginx:1.25", "myorg/nginx:1.25"},
		{ImageOverride{Name: "nginx", NewTag: "1.27"}, "nginx:1.25", "nginx:1.27"},
		{ImageOverride{Name: "nginx", NewName: "local/nginx", NewTag: "dev"}, "nginx", "local/nginx:dev"},
		{ImageOverride{Name: "nginx", Digest: dig, NewTag: "ignored"}, "nginx:1.25", "nginx@" + dig},
		{ImageOverride{Name: "nginx:1.25", NewTag: "x"}, "nginx:1.24", ""},                                       // the tag must match when given
		{ImageOverride{Name: "nginx", NewTag: "x"}, "nginx-slim:1", ""},                                          // whole names only
		{ImageOverride{Name: "localhost:5000/app", NewTag: "2"}, "localhost:5000/app:1", "localhost:5000/app:2"}, // a port is no tag
		{ImageOverride{Name: "localhost:5000/app", NewTag: "2"}, "localhost:5000/app", "localhost:5000/app:2"},
		{ImageOverride{Name: "app", NewName: "b"}, "app@" + dig, "b@" + dig},
	} {
		got := ""
		if tc.o.matches(tc.image) {
			got = tc.o.apply(tc.image)
		}
		if got != tc.out {
			t.Errorf("%+v on %s = %q, want %q", tc.o, tc.image, got, tc.out)
		}
	}
}

func TestParseImageFlag(t *testing.T) {
	o, err := ParseImageFlag("registry.k8s.io/nginx-slim:0.21=myorg/nginx:local")
	if err != nil || o.Name != "registry.k8s.io/nginx-slim:0.21" || o.NewName != "myorg/nginx" || o.NewTag != "local" {
		t.Errorf("ParseImageFlag = %+v, %v", o, err)
	}
	for _, bad := range []string{"nginx", "=x", "nginx=", "nginx=a b", "nginx=x:bad tag", "nginx=x@sha256:zz"} {
		if _, err := ParseImageFlag(bad); err == nil {
			t.Errorf("ParseImageFlag(%q) accepted", bad)
		}
	}
}

func TestParseImagesFile(t *testing.T) {
	got, err := ParseImages("i.yaml", []byte("images:\n- name: nginx\n  newName: myorg/nginx\n- name: redis\n  newTag: \"7.2\"\n"))
	if err != nil || len(got) != 2 || got[1].NewTag != "7.2" || got[0].At.Line != 2 {
		t.Fatalf("ParseImages = %+v, %v", got, err)
	}
	_, err = ParseImages("i.yaml", []byte("images:\n- name: nginx\n  newTg: x\n- newName: y\n- name: z\n  newTag: [1]\nresources: [a.yaml]\n"))
	want := "i.yaml:3:3: images[0].newTg: unknown field (name, newName, newTag, digest)\n" +
		"i.yaml:4:3: images[1]: name is required (the image to replace)\n" +
		"i.yaml:6:11: images[2].newTag: must be a string\n" +
		"i.yaml:7:1: resources: unknown field (an images file holds only images:)"
	if err == nil || err.Error() != want {
		t.Errorf("ParseImages problems:\n%v\nwant\n%s", err, want)
	}
}

// Overrides apply to init containers and sidecars too, before validation; an unused one warns.
func TestApplyImages(t *testing.T) {
	p, err := LoadBytes("o.yaml", []byte("statefulsets:\n  web:\n    initContainers: [{name: init, image: busybox}]\n    containers: [{name: web, image: \"nginx:1.25\"}]\n"),
		LoadOptions{Env: map[string]string{}, Images: []ImageOverride{{Name: "busybox", NewName: "local/busybox", NewTag: "1"},
			{Name: "nginx", NewName: "local/nginx"}, {Name: "unused", NewTag: "1", At: Position{File: "ordset-images.yaml", Line: 4, Col: 3}}}})
	if err != nil {
		t.Fatal(err)
	}
	spec := p.StatefulSets["web"].Template.Spec
	if spec.InitContainers[0].Image != "local/busybox:1" || spec.Containers[0].Image != "local/nginx:1.25" {
		t.Errorf("images = %s, %s", spec.InitContainers[0].Image, spec.Containers[0].Image)
	}
	if len(p.Warnings) != 1 || p.Warnings[0].String() != "ordset-images.yaml:4:3: images: override of unused matches no image of the pod templates" {
		t.Errorf("warnings = %v", p.Warnings)
	}
}

// FuzzParseImages: an images file never panics the parser; what it accepts is valid, and a
// rejection is a *ValidationError with located problems.
//
//	go test -run '^$' -fuzz FuzzParseImages -fuzztime 20s ./compose
func FuzzParseImages(f *testing.F) {
	f.Add([]byte("images:\n- name: nginx\n  newName: myorg/nginx\n  newTag: \"1\"\n"))
	f.Add([]byte("images: [{name: a, digest: 'sha256:" + strings.Repeat("0", 64) + "'}]"))
	f.Add([]byte("images: {}\n"))
	f.Add([]byte("- a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseImages("i.yaml", data)
		if err != nil {
			var verr *ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Fatalf("error %v is not a ValidationError with problems", err)
			}
			return
		}
		for _, o := range got {
			if ps := o.problems(); len(ps) > 0 {
				t.Fatalf("accepted %+v with problems %v", o, ps)
			}
		}
	})
}
