package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// waitFor says what a progress watch waits for.
type waitFor int

const (
	untilReady waitFor = iota // every watched set converged: all pods exist, updated and Ready
	untilGone                 // every watched set deleted and its pods gone
)

// watchProgress streams the daemon's progress frames for sets of ns, drawing per-pod lines,
// until the goal is reached, a pod fails, or timeout passes.
func watchProgress(ctx context.Context, c *api.Client, ns string, sets []string, goal waitFor, timeout time.Duration, out io.Writer, tty bool) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	p := newProgress(out, tty)
	defer p.animate(100 * time.Millisecond)()
	var last api.WatchFrame
	reached := false
	var failure string
	errs := engineErrors{sets: sets, seen: map[string]int{}, first: map[string]time.Time{}}
	pullsSeen := map[string]bool{}
	err := c.Watch(ctx, ns, sets, func(f api.WatchFrame) error {
		last = f
		for _, note := range errs.fold(f.Events) {
			p.note(note)
		}
		for _, note := range pullNotes(f.Events, errs.watches, pullsSeen) {
			p.note(note)
		}
		p.update(f, time.Now())
		if msg := errs.persistent(); msg != "" {
			// The "!" line above already shows the error: say it once, then what to do.
			what, _, _ := strings.Cut(msg, ": ")
			failure = what + ": the error above keeps coming back\n  (the daemon keeps retrying: fix the cause and run the command again, or \"ordset down\")"
			return api.ErrStop
		}
		if goal == untilReady {
			if msg := p.firstFailure(); msg != "" {
				failure = msg
				return api.ErrStop
			}
		}
		if goalReached(f, sets, goal) {
			reached = true
			return api.ErrStop
		}
		return nil
	})
	switch {
	case reached:
		return nil
	case failure != "":
		return fmt.Errorf("%s%s", failure, waitingReasons(errs.withoutShown(last)))
	case parent.Err() != nil:
		return &interruptedError{what: "stopped waiting; the daemon carries on in the background (\"ordset ps -n " + ns + "\" shows where it is)"}
	case errors.Is(err, context.DeadlineExceeded) || (err == nil && ctx.Err() != nil):
		return fmt.Errorf("timed out after %s%s%s", timeout, waitingReasons(last), describeHint(last))
	case err != nil:
		return err
	}
	return fmt.Errorf("the daemon ended the progress stream%s", waitingReasons(last))
}

func goalReached(f api.WatchFrame, sets []string, goal waitFor) bool {
	byName := map[string]api.StatefulSet{}
	for _, s := range f.Sets {
		byName[s.Name] = s
	}
	gone := map[string]bool{}
	for _, g := range f.Gone {
		_, name, _ := strings.Cut(g, "/")
		gone[name] = true
	}
	names := sets
	if len(names) == 0 {
		for n := range byName {
			names = append(names, n)
		}
	}
	for _, n := range names {
		s, ok := byName[n]
		switch goal {
		case untilReady:
			if !ok || !s.Converged() {
				return false
			}
		case untilGone:
			// A deleted set stays listed until its pods and (when asked) volumes are gone.
			if ok || !gone[n] {
				return false
			}
		}
	}
	return true
}

func waitingReasons(f api.WatchFrame) string {
	var parts []string
	for _, s := range f.Sets {
		if !s.Converged() {
			r := s.Waiting
			if r == "" {
				r = fmt.Sprintf("%d/%d ready, %d/%d updated", s.Ready, s.Desired, s.Updated, s.Desired)
			}
			parts = append(parts, fmt.Sprintf("statefulset %s/%s: %s", s.Namespace, s.Name, r))
		}
	}
	sort.Strings(parts)
	if len(parts) == 0 {
		return ""
	}
	return "\n  " + strings.Join(parts, "\n  ")
}

// errorRepeats is how often, over at least errorSpan, the controller must hit the same
// error on the same object (the first try and a retry after back-off, about a second later)
// before a wait gives up on it: a missing image or a foreign container in the way does not
// go away by waiting, while a hiccup of the engine does within the span.
const (
	errorRepeats = 2
	errorSpan    = 500 * time.Millisecond
)

// engineErrors collects the controller's Error events of the watched sets, so a wait shows
// them as they happen and fails on one that keeps coming back instead of hanging until
// --timeout.
type engineErrors struct {
	sets  []string             // watched sets; empty means all
	seen  map[string]int       // object + message -> times seen
	first map[string]time.Time // object + message -> first seen (event time)
	worst string               // the first object+message seen errorRepeats times over errorSpan
}

// fold records events and returns the lines to show for errors seen for the first time.
func (e *engineErrors) fold(events []api.Event) []string {
	var notes []string
	for _, ev := range events {
		if ev.Type != "Warning" || ev.Reason != "Error" || !e.watches(ev.Object) {
			continue
		}
		what := ev.Object
		switch {
		case ev.Object == "":
			what = "engine" // not about one set: the daemon cannot observe Docker
		case ev.Namespace != "":
			kind, name, _ := strings.Cut(ev.Object, "/")
			what = kind + " " + ev.Namespace + "/" + name
		}
		key := what + ": " + ev.Message
		e.seen[key]++
		if e.seen[key] == 1 {
			e.first[key] = ev.Time
			notes = append(notes, "! "+key)
		}
		if e.worst == "" && e.seen[key] >= errorRepeats && ev.Time.Sub(e.first[key]) >= errorSpan {
			e.worst = key
		}
	}
	return notes
}

// pullNotes renders the daemon's (already throttled) image pull progress of watched pods; a
// message already shown (the same image pulled for the next pod) is not repeated, and a
// failed pull that fell back to the local image is said once per set, not once per pod.
func pullNotes(events []api.Event, watched func(object string) bool, seen map[string]bool) []string {
	var notes []string
	for _, ev := range events {
		if ev.Reason != "ImagePull" || !watched(ev.Object) {
			continue
		}
		pod := strings.TrimPrefix(ev.Object, "pod/")
		key, line := ev.Message, "↓ "+ev.Namespace+"/"+pod+": "+ev.Message
		if head, detail, ok := strings.Cut(ev.Message, localFallback); ok { // head: "pulling IMAGE: "
			set := ev.Namespace + "/" + setOfPod(pod)
			key, line = set+localFallback, "↓ "+set+": "+head+localFallback+" (offline?), for every pod of the set"+oneLine(detail, 120)
		}
		if !seen[key] {
			seen[key] = true
			notes = append(notes, line)
		}
	}
	return notes
}

// localFallback starts the daemon's message for a failed pull of an image present locally.
const localFallback = "pull failed, using the local image"

func (e *engineErrors) watches(object string) bool {
	if len(e.sets) == 0 || object == "" {
		return true
	}
	kind, name, _ := strings.Cut(object, "/")
	if kind == "pod" {
		name = setOfPod(name)
	}
	return slices.Contains(e.sets, name)
}

// withoutShown drops from the sets' waiting reasons the errors already shown as "!" lines, so
// a failed wait prints each error once.
func (e *engineErrors) withoutShown(f api.WatchFrame) api.WatchFrame {
	sets := make([]api.StatefulSet, len(f.Sets))
	for i, s := range f.Sets {
		for key := range e.seen {
			_, msg, _ := strings.Cut(key, ": ")
			s.Waiting = strings.ReplaceAll(s.Waiting, "retrying after error: "+msg, "retrying after the error above")
		}
		sets[i] = s
	}
	f.Sets = sets
	return f
}

// persistent returns the first error seen errorRepeats times, or "".
func (e *engineErrors) persistent() string { return e.worst }

// describeHint names the command that shows why the first unconverged set waits.
func describeHint(f api.WatchFrame) string {
	for _, s := range f.Sets {
		if !s.Converged() {
			return fmt.Sprintf("\n  (\"ordset describe %s -n %s\" shows its pods and events; the daemon keeps trying)", s.Name, s.Namespace)
		}
	}
	return ""
}
