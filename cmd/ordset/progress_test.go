package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ordset/ordset/orchestrator/server/api"
	"github.com/ordset/ordset/orchestrator/state"
)

func pod(name string, ordinal int, status string, ready bool) api.Pod {
	return api.Pod{Name: name, Namespace: "demo", StatefulSet: "web", Ordinal: ordinal, Status: state.PodPhase(status), Ready: ready}
}

func frame(desired int, pods ...api.Pod) api.WatchFrame {
	s := api.StatefulSet{Namespace: "demo", Name: "web", Desired: desired, Pods: pods}
	for _, p := range pods {
		s.Current++
		s.Updated++
		if p.Ready {
			s.Ready++
		}
	}
	return api.WatchFrame{Sets: []api.StatefulSet{s}}
}

func TestProgressPlainPrintsChanges(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, false)
	t0 := time.Unix(0, 0)
	p.update(frame(2, pod("web-0", 0, "Pending", false)), t0)
	p.update(frame(2, pod("web-0", 0, "Pending", false)), t0.Add(100*time.Millisecond)) // no change: no line
	p.update(frame(2, pod("web-0", 0, "Running", true), pod("web-1", 1, "Pending", false)), t0.Add(1200*time.Millisecond))
	p.update(frame(2, pod("web-0", 0, "Running", true), pod("web-10", 10, "Running", true)), t0.Add(2*time.Second))
	got := out.String()
	want := []string{
		"- Pod demo/web-0                   Pending            0.0s",
		"✔ Pod demo/web-0                   Ready              1.2s",
		"- Pod demo/web-1                   Pending            0.0s",
		"✔ Pod demo/web-1                   Removed            0.8s",
		"✔ Pod demo/web-10                  Ready              0.0s",
	}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(lines), got)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i, lines[i], want[i])
		}
	}
}

func TestProgressTTYRedrawsInPlace(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, true)
	p.color = false
	p.update(frame(1, pod("web-0", 0, "Pending", false)), time.Unix(0, 0))
	first := out.Len()
	p.update(frame(1, pod("web-0", 0, "Running", true)), time.Unix(1, 0))
	second := out.String()[first:]
	if !strings.HasPrefix(second, "\x1b[1A") || !strings.Contains(second, "✔ Pod demo/web-0") {
		t.Errorf("redraw %q", second)
	}
}

func TestProgressFailure(t *testing.T) {
	p := newProgress(&bytes.Buffer{}, false)
	p.update(frame(1, pod("web-0", 0, "CrashLoopBackOff", false)), time.Unix(0, 0))
	if got := p.firstFailure(); got != "pod demo/web-0 is CrashLoopBackOff" {
		t.Errorf("firstFailure = %q", got)
	}
}

func TestGoalReached(t *testing.T) {
	ready := frame(2, pod("web-0", 0, "Running", true), pod("web-1", 1, "Running", true))
	partly := frame(2, pod("web-0", 0, "Running", true), pod("web-1", 1, "Running", false))
	tests := []struct {
		name string
		f    api.WatchFrame
		sets []string
		goal waitFor
		want bool
	}{
		{"all ready", ready, []string{"web"}, untilReady, true},
		{"one not ready", partly, []string{"web"}, untilReady, false},
		{"set missing", api.WatchFrame{}, []string{"web"}, untilReady, false},
		{"gone", api.WatchFrame{Gone: []string{"demo/web"}}, []string{"web"}, untilGone, true},
		{"still has pods", ready, []string{"web"}, untilGone, false},
		{"deleting, volumes may remain", frame(0), []string{"web"}, untilGone, false},
		{"not yet reported as gone", api.WatchFrame{}, []string{"web"}, untilGone, false},
	}
	for _, tt := range tests {
		if got := goalReached(tt.f, tt.sets, tt.goal); got != tt.want {
			t.Errorf("%s: goalReached = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAge(t *testing.T) {
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{5 * time.Second, "5s"}, {119 * time.Second, "119s"}, {150 * time.Second, "2m30s"},
		{5 * time.Minute, "5m"}, {90 * time.Minute, "90m"}, {4*time.Hour + 5*time.Minute, "4h5m"},
		{30 * time.Hour, "30h"}, {72 * time.Hour, "3d"},
	}
	for _, tt := range tests {
		if got := age(now.Add(-tt.d), now); got != tt.want {
			t.Errorf("age(%s) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if age(time.Time{}, now) != "<unknown>" {
		t.Error("zero time")
	}
}

// A note on a terminal lands above the pod block, which the next frame redraws below it.
func TestProgressNoteTTY(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, true)
	p.color = false
	p.update(frame(2, pod("web-0", 0, "Pending", false), pod("web-1", 1, "Pending", false)), time.Unix(0, 0))
	out.Reset()
	p.note("! pod demo/web-0: boom")
	p.update(frame(2, pod("web-0", 0, "Pending", false), pod("web-1", 1, "Pending", false)), time.Unix(1, 0))
	got := out.String()
	want := "\x1b[2A\r\x1b[2K! pod demo/web-0: boom\n\x1b[1B\x1b[1A\r\x1b[2K"
	if !strings.HasPrefix(got, want) || strings.Count(got, "Pod demo/web-") != 2 {
		t.Errorf("got %q\nwant prefix %q and both pods redrawn", got, want)
	}
}

// When the waiting line goes away the block shrinks: the stale line is cleared and the
// cursor returns to the block's end, so no blank line is left before the next output.
func TestProgressTTYShrinks(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, true)
	p.color = false
	f := frame(1, pod("web-0", 0, "Running", false))
	f.Sets[0].Waiting = "web-0 not Ready"
	p.update(f, time.Unix(0, 0))
	out.Reset()
	p.update(frame(1, pod("web-0", 0, "Running", true)), time.Unix(1, 0))
	if got := out.String(); !strings.HasSuffix(got, "\n\r\x1b[2K\n\x1b[1A") || p.drawn != 1 {
		t.Errorf("shrinking redraw %q (drawn %d)", got, p.drawn)
	}
}

// On a terminal a long waiting reason is cut to the width: a wrapped line would take two
// rows and the next redraw would climb one row short.
func TestProgressTTYCutsLongLines(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, true)
	p.color, p.width = false, 40
	f := frame(1, pod("web-0", 0, "Pending", false))
	f.Sets[0].Waiting = "retrying after error: " + strings.Repeat("x", 200)
	p.update(f, time.Unix(0, 0))
	for _, l := range strings.Split(out.String(), "\n") {
		l = strings.TrimPrefix(strings.TrimPrefix(l, "\r\x1b[2K"), "\x1b[1A")
		if strings.Contains(l, "retrying") && (utf8.RuneCountInString(l) >= 40 || !strings.HasSuffix(l, "…")) {
			t.Errorf("waiting line not cut to 40 columns: %q", l)
		}
	}
}

// Plain output lists a frame's finished pods first: during down the higher ordinal's
// Removed reads before the next one's Terminating, the order they happened in.
func TestProgressPlainFinishedFirst(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, false)
	t0 := time.Unix(0, 0)
	p.update(frame(2, pod("web-0", 0, "Running", true), pod("web-1", 1, "Terminating", false)), t0)
	out.Reset()
	p.update(frame(2, pod("web-0", 0, "Terminating", false)), t0.Add(time.Second))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "web-1") || !strings.Contains(lines[0], "Removed") ||
		!strings.Contains(lines[1], "web-0") || !strings.Contains(lines[1], "Terminating") {
		t.Errorf("want web-1 Removed before web-0 Terminating, got:\n%s", out.String())
	}
}

// NO_COLOR switches colours off when set to anything but the empty string (no-color.org).
func TestProgressNoColor(t *testing.T) {
	for _, tt := range []struct {
		val   string
		color bool
	}{{"", true}, {"1", false}} {
		t.Setenv("NO_COLOR", tt.val)
		if got := newProgress(&bytes.Buffer{}, true).color; got != tt.color {
			t.Errorf("NO_COLOR=%q: color %v, want %v", tt.val, got, tt.color)
		}
	}
}

// During a rolling update, Ready pods still on the old revision are not shown as done, the
// set says how many are updated, and a pod that is not Ready says why, in one short line.
func TestProgressRollingUpdate(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, false)
	t0 := time.Unix(0, 0)
	old := func(name string, ord int) api.Pod {
		pd := pod(name, ord, "Running", true)
		pd.Revision = "old"
		return pd
	}
	fresh := pod("web-2", 2, "Running", false)
	fresh.Revision, fresh.Reason = "new", "HTTP probe failed with statuscode: 404 <html><head><title>404 Not Found</title></head>\n<body>nope</body></html>"
	f := api.WatchFrame{Sets: []api.StatefulSet{{Namespace: "demo", Name: "web", Desired: 3, Current: 3, Updated: 1, Revision: "new",
		Pods: []api.Pod{old("web-0", 0), old("web-1", 1), fresh}}}}
	p.update(f, t0)
	got := out.String()
	for _, w := range []string{"- StatefulSet demo/web 1/3 updated", "- Pod demo/web-0                   Ready, outdated",
		"- Pod demo/web-2                   Running, not ready: HTTP probe failed with statuscode: 404 404 Not Found nope"} {
		if !strings.Contains(got, w) {
			t.Errorf("lacks %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "✔") || strings.Contains(got, "<html>") {
		t.Errorf("an outdated pod shown as done, or raw HTML:\n%s", got)
	}
}

// On a terminal the block is redrawn between frames, so elapsed times move (they once
// jumped from one frame to the next, seconds apart).
func TestProgressTTYAnimates(t *testing.T) {
	var out syncBuffer
	p := newProgress(&out, true)
	p.update(frame(1, pod("web-0", 0, "Pending", false)), time.Now())
	before := strings.Count(out.String(), "Pod demo/web-0")
	stop := p.animate(time.Millisecond)
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(out.String(), "Pod demo/web-0") < before+3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	stop()
	if n := strings.Count(out.String(), "Pod demo/web-0"); n < before+3 {
		t.Errorf("no redraw between frames: %d draws", n)
	}
	n := strings.Count(out.String(), "Pod demo/web-0")
	time.Sleep(5 * time.Millisecond)
	if strings.Count(out.String(), "Pod demo/web-0") != n {
		t.Error("redraws after stop")
	}
}
