package orchestrator_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/fakeruntime"
)

// The pull policy decided from the spec (with the loader's defaults: :latest pulls Always, a
// fixed tag IfNotPresent) is the one the runtime is given, and the runtime acts on it: it
// pulls only when the policy says so, and Never with an absent image fails the pod with a
// reason that says why.
func TestPullPolicyReachesTheRuntime(t *testing.T) {
	cases := []struct {
		name, image, policy string // policy "" takes the loader's default
		absent, converges   bool
		unpullable          bool
		want                string // the runtime's one image request (fakeruntime.ImageRequest)
		waiting             string
	}{
		{name: "latest pulls always", image: "app:latest", converges: true, want: "app:latest Always pulled"},
		{name: "tag present is used", image: "app:1", converges: true, want: "app:1 IfNotPresent"},
		{name: "tag absent is pulled", image: "app:1", absent: true, converges: true, want: "app:1 IfNotPresent pulled"},
		{name: "never uses a present image", image: "app:1", policy: compose.PullNever, converges: true, want: "app:1 Never"},
		{name: "never refuses an absent image", image: "app:1", policy: compose.PullNever, absent: true,
			want:    "app:1 Never",
			waiting: "container demo-web-0: image app:1 not present and imagePullPolicy is Never: build or load it locally"},
		{name: "a failed pull of an absent image fails", image: "app:1", absent: true, unpullable: true,
			want:    "app:1 IfNotPresent pulled",
			waiting: "container demo-web-0: image app:1 not present and pull failed: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			rt := fakeruntime.New(c.Now)
			if tc.absent {
				rt.Absent = map[string]bool{tc.image: true}
			}
			if tc.unpullable {
				rt.Unpullable = map[string]bool{tc.image: true}
			}
			e := startOn(t, rt, c)
			set := normalisedWeb(t, tc.image, tc.policy)
			e.m.Apply("demo", set, 1)
			if tc.converges {
				e.converged("web", 1)
			} else {
				e.waiting("web", tc.waiting)
				if names := rt.ContainerNames(); len(names) != 0 {
					t.Errorf("containers %v created from an image the policy refused", names)
				}
			}
			got := fmt.Sprint(rt.ImageRequests())
			if reqs := rt.ImageRequests(); len(reqs) == 0 || reqs[0].String() != tc.want ||
				(tc.converges && len(reqs) != 1) {
				t.Errorf("image requests %s, want [%s]", got, tc.want)
			}
		})
	}
}

// normalisedWeb is webSet with its image and pull policy defaulted as the loader and the API do.
func normalisedWeb(t *testing.T, image, policy string) *compose.StatefulSet {
	t.Helper()
	s := webSet(1)
	s.Main().Image, s.Main().ImagePullPolicy = image, policy
	p := &compose.Project{Namespace: "demo", StatefulSets: map[string]*compose.StatefulSet{"web": s}}
	if err := compose.Normalize(p); err != nil {
		t.Fatal(err)
	}
	return p.StatefulSets["web"]
}
