package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// An init container that fails or crash-loops fails the wait like a main container does; a
// pod still running its init containers does not.
func TestProgressInitFailuresAreFailures(t *testing.T) {
	for status, failed := range map[string]bool{
		"Init:CrashLoopBackOff": true, "Init:Error": true, "CrashLoopBackOff": true, "Error": true,
		"Init:0/2": false, "Running": false, "Pending": false, "Unhealthy": false,
	} {
		p := newProgress(&bytes.Buffer{}, false)
		p.update(frame(1, pod("web-0", 0, status, false)), time.Now())
		got := p.firstFailure()
		if (got != "") != failed {
			t.Errorf("%s: firstFailure %q, want failed=%v", status, got, failed)
		}
		if failed && !strings.Contains(got, status) {
			t.Errorf("%s: firstFailure %q does not name the state", status, got)
		}
	}
}

// A pod that fails on its way out of a scale-down fails nothing; one that should stay does.
func TestProgressCondemnedPodFailureIsNoFailure(t *testing.T) {
	for desired, failed := range map[int]bool{1: false, 2: true} {
		p := newProgress(&bytes.Buffer{}, false)
		p.update(frame(desired, pod("web-0", 0, "Running", true), pod("web-1", 1, "Error", false)), time.Now())
		if got := p.firstFailure(); (got != "") != failed {
			t.Errorf("desired %d: firstFailure %q, want failed=%v", desired, got, failed)
		}
	}
}
