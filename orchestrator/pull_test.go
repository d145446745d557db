package orchestrator

import (
	"errors"
	"strings"
	"testing"

	"github.com/ordset/ordset/compose"
)

func TestPullDecision(t *testing.T) {
	cases := []struct {
		policy  string
		present bool
		want    ImageStep
		err     string
	}{
		{compose.PullNever, true, UseLocal, ""},
		{compose.PullNever, false, UseLocal, "image app:1 not present and imagePullPolicy is Never: build or load it locally under that name, or run a local image in its place: --image app:1=LOCAL_IMAGE on the command line, or {name: app:1, newName: LOCAL_IMAGE} under images: in ordset-images.yaml beside the files: not found"},
		{compose.PullIfNotPresent, true, UseLocal, ""},
		{compose.PullIfNotPresent, false, Pull, ""},
		{compose.PullAlways, true, Pull, ""},
		{compose.PullAlways, false, Pull, ""},
		{"Sometimes", true, UseLocal, `image app:1: unknown imagePullPolicy "Sometimes"`},
	}
	for _, c := range cases {
		got, err := PullDecision("app:1", c.policy, c.present)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if got != c.want || msg != c.err {
			t.Errorf("%s present=%v: %v %q, want %v %q", c.policy, c.present, got, msg, c.want, c.err)
		}
	}
	if _, err := PullDecision("app:1", compose.PullNever, false); !errors.Is(err, ErrNotFound) {
		t.Errorf("Never without the image is not ErrNotFound: %v", err)
	}
	if use, err := PullFailed("app:1", true, errors.New("offline")); !use || err != nil {
		t.Errorf("a failed pull with a local copy: %v %v", use, err)
	}
	if use, err := PullFailed("app:1", false, errors.New("offline")); use || err == nil || err.Error() !=
		"image app:1 not present and pull failed: offline; build or load it locally under that name, or run a local image in its place: "+
			"--image app:1=LOCAL_IMAGE on the command line, or {name: app:1, newName: LOCAL_IMAGE} under images: in ordset-images.yaml beside the files" {
		t.Errorf("a failed pull without a local copy: %v %v", use, err)
	}
	// A missing image is not helped by imagePullPolicy: Never; no message suggests it.
	_, neverErr := PullDecision("app:1", compose.PullNever, false)
	_, failErr := PullFailed("app:1", false, errors.New("offline"))
	for _, err := range []error{neverErr, failErr} {
		if msg := err.Error(); strings.Contains(msg, "set imagePullPolicy") || !strings.Contains(msg, "--image app:1=") || !strings.Contains(msg, "ordset-images.yaml") {
			t.Errorf("missing-image hint: %s", msg)
		}
	}
}
