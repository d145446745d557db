package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestEndsComparesTheMediansOfBothEnds(t *testing.T) {
	ms := func(xs ...int) []time.Duration {
		var out []time.Duration
		for _, x := range xs {
			out = append(out, time.Duration(x)*time.Millisecond)
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		xs          []time.Duration
		width       int
		first, last time.Duration
	}{
		{"flat", ms(5, 5, 5, 5, 5, 5), 3, 5 * time.Millisecond, 5 * time.Millisecond},
		{"growing", ms(1, 2, 3, 10, 20, 30), 3, 2 * time.Millisecond, 20 * time.Millisecond},
		{"an outlier does not move a median", ms(1, 3000, 1, 9, 9, 9), 3, 1 * time.Millisecond, 9 * time.Millisecond},
		{"width above the length takes all", ms(4, 8), 10, 6 * time.Millisecond, 6 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, l := ends(tc.xs, tc.width)
			if f != tc.first || l != tc.last {
				t.Errorf("ends = %v, %v; want %v, %v", f, l, tc.first, tc.last)
			}
		})
	}
}

func TestFirstActionsReadsTheFirstActionOfEachPodAfterTheOffset(t *testing.T) {
	before := `time=2026-11-30T10:00:00.000Z level=DEBUG msg="action start" component=controller action="create-volume data-kv-0" pod=kv-0` + "\n"
	after := strings.Join([]string{
		`time=2026-11-30T10:00:01.250Z level=INFO msg="action done" component=controller action="create-volume data-kv-1"`,
		`time=2026-11-30T10:00:01.100Z level=DEBUG msg="action start" component=controller action="create-volume data-kv-1" pod=kv-1`,
		`time=2026-11-30T10:00:01.300Z level=DEBUG msg="action start" component=controller action="create-pod kv-1 rev=abc" pod=kv-1`,
		`time=2026-11-30T10:00:02.007Z level=DEBUG msg="action start" component=controller action="create-volume data-kv-2" pod=kv-2`,
		`time=2026-11-30T10:00:02.500Z level=DEBUG msg=pass component=controller took=3ms`,
	}, "\n") + "\n"
	path := filepath.Join(t.TempDir(), "daemon.log")
	if err := os.WriteFile(path, []byte(before+after), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := firstActions(path, int64(len(before)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"kv-1": "10:00:01.100 10:00:01.300", "kv-2": "10:00:02.007"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want pods %v (kv-0 is before the offset)", got, want)
	}
	for pod, at := range want {
		var s []string
		for _, x := range got[pod] {
			s = append(s, x.UTC().Format("15:04:05.000"))
		}
		if strings.Join(s, " ") != at {
			t.Errorf("%s: actions at %v, want %s", pod, s, at)
		}
	}
}

// A pod created ahead has actions before the pod below started; its turn ends at its start.
func TestFirstFromSkipsTheActionsBeforeTheStartBelow(t *testing.T) {
	at := func(ms int) time.Time { return time.Date(2026, 11, 30, 10, 0, 0, ms*int(time.Millisecond), time.UTC) }
	ahead := []time.Time{at(100), at(150), at(900)} // create-volume, create-pod ahead, start-pod
	for _, tc := range []struct {
		from time.Time
		want time.Time
	}{
		{at(50), at(100)},              // no create-ahead: the first action
		{at(400), at(900)},             // created ahead: the start
		{at(900).Add(300000), at(900)}, // logged in the same millisecond
		{at(901), time.Time{}},         // nothing after
	} {
		if got := firstFrom(ahead, tc.from); !got.Equal(tc.want) {
			t.Errorf("firstFrom(%v) = %v, want %v", tc.from.Format("05.000000"), got, tc.want)
		}
	}
}

func TestFirstActionsSaysWhenTheLogHasNoActionLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "daemon.log")
	if err := os.WriteFile(path, []byte("time=2026-11-30T10:00:00.000Z level=INFO msg=started\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := firstActions(path, 0); err == nil || !strings.Contains(err.Error(), "debug level") {
		t.Fatalf("err = %v, want one that names the debug level", err)
	}
}

func TestTailKeepsTheFirstAndTheLastLines(t *testing.T) {
	var lines []string
	for i := range 30 {
		lines = append(lines, "line"+string(rune('a'+i%26)))
	}
	err := tail(errors.New(strings.Join(lines, "\n")), 5)
	got := strings.Split(err.Error(), "\n")
	if len(got) != 7 || got[0] != lines[0] || got[1] != "... 24 lines ..." || got[6] != lines[29] {
		t.Fatalf("tail = %q", got)
	}
	if short := errors.New("one\ntwo"); tail(short, 5) != short {
		t.Error("a short error must be kept as it is")
	}
	if tail(nil, 5) != nil {
		t.Error("nil must stay nil")
	}
}
