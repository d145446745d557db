package orchestrator

import (
	"errors"
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
		{compose.PullNever, false, UseLocal, "image app:1 not present and imagePullPolicy is Never: build or load it locally: not found"},
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
		"image app:1 not present and pull failed: offline; build it locally or set imagePullPolicy: Never" {
		t.Errorf("a failed pull without a local copy: %v %v", use, err)
	}
}
