package daemon

import "testing"

// A crash loop's countdown is one event, not one a second; another reason is news.
func TestWaitingGist(t *testing.T) {
	same := [][2]string{
		{"web-0 crash-looping, restart in 20s", "web-0 crash-looping, restart in 19s"},
		{"web-0 init container init crash-looping, restart in 4m10s", "web-0 init container init crash-looping, restart in 3m59s"},
	}
	for _, p := range same {
		if waitingGist(p[0]) != waitingGist(p[1]) {
			t.Errorf("%q and %q differ: %q vs %q", p[0], p[1], waitingGist(p[0]), waitingGist(p[1]))
		}
	}
	if waitingGist("web-0 crash-looping, restart in 20s") == waitingGist("web-1 crash-looping, restart in 20s") {
		t.Error("different pods have the same gist")
	}
	if got := waitingGist("waiting for web-0 to be Ready"); got != "waiting for web-0 to be Ready" {
		t.Errorf("no countdown changed: %q", got)
	}
}
