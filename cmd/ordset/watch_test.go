package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// ps -w, get pods -w and get sts -w print the objects, then a line per change (a scale shows the new pod
// and the set's new counts), until interrupted.
func TestWatchPrintsChanges(t *testing.T) {
	startFakeDaemon(t)
	dir := t.TempDir()
	writeFile(t, dir, "ordset.yaml", cliFile)
	if code, _, stderr := runIn(t, dir, nil, "up", "--progress", "plain", "--timeout", "20s"); code != 0 {
		t.Fatalf("up: exit %d\n%s", code, stderr)
	}
	for _, args := range [][]string{{"ps", "-w"}, {"get", "pods", "-w", "-l", "statefulset=web"}, {"get", "sts", "-w", "-o", "json"}} {
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb syncBuffer
		done := make(chan int, 1)
		go func() {
			done <- runStreams(ctx, append([]string{"ordset"}, args...), &streams{Out: &out, Err: &errb, In: strings.NewReader("")})
		}()
		waitFor := func(what string) {
			t.Helper()
			for deadline := time.Now().Add(20 * time.Second); !strings.Contains(out.String(), what); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("%v: no %q in\n%s%s", args, what, out.String(), errb.String())
				}
			}
		}
		switch args[1] {
		case "-w":
			waitFor("web-2 ")
			if code, _, stderr := runIn(t, dir, nil, "scale", "web", "4", "--timeout", "20s"); code != 0 {
				t.Fatalf("scale: %s", stderr)
			}
			waitFor("web-3 ")
		case "pods":
			waitFor("web-3 ")
			if code, _, stderr := runIn(t, dir, nil, "scale", "web", "5", "--timeout", "20s"); code != 0 {
				t.Fatalf("scale: %s", stderr)
			}
			waitFor("web-4 ")
		default:
			waitFor(`"ready":5`)
			if code, _, stderr := runIn(t, dir, nil, "scale", "web", "2", "--timeout", "20s"); code != 0 {
				t.Fatalf("scale: %s", stderr)
			}
			waitFor(`"desired":2`)
		}
		cancel()
		if code := <-done; code != 0 && code != exitInterrupted {
			t.Errorf("%v ended with %d: %s", args, code, errb.String())
		}
	}
	if code, _, stderr := runIn(t, dir, nil, "ps", "-w", "-A"); code != 2 || !strings.Contains(stderr, "-w watches one namespace") {
		t.Errorf("ps -w -A: exit %d %s", code, stderr)
	}
}
