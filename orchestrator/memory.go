package orchestrator

import (
	"errors"
	"fmt"
	"maps"
	"time"
)

// Retry delays after a failed execution (e.g. a missing image): 1 s doubling to 30 s.
const (
	errorRetryInitial = time.Second
	errorRetryMax     = 30 * time.Second
)

// SetMemory is everything the loop remembers about one set between passes. None of it is
// needed to converge after a restart (Docker labels carry the crash-loop counters); it only
// avoids repeating a failing call too fast, hammering a foreign container's name, or
// restarting a minReadySeconds count. The planner reads it as an input and returns its
// next value; the loop only stores it.
type SetMemory struct {
	// Conflicts maps an ordinal to the foreign container that refused one of its names.
	Conflicts map[int]Conflict
	// ReadySince is when a pod container without a prober was first seen Ready, by ID.
	ReadySince map[string]time.Time
	// Failures counts consecutive executions with errors; RetryAt holds actions back until
	// then; LastErr is the first error of the last failed execution.
	Failures int
	RetryAt  time.Time
	LastErr  string
	// InFlight is set while an execution runs, or when one finished after the snapshot was
	// listed: the snapshot may be mid-change, so the set is neither acted on nor reported.
	InFlight bool
}

// Conflict is a foreign container holding one of a pod's container names (main or init).
type Conflict struct{ Container, Message string }

// liveConflicts drops the conflicts whose foreign container is gone (or is ours now), as
// the snapshot's foreign names show; without them every conflict stays.
func liveConflicts(c map[int]Conflict, foreign map[string]bool) map[int]Conflict {
	if foreign == nil || len(c) == 0 {
		return c
	}
	out := map[int]Conflict{}
	for ord, x := range c {
		if foreign[x.Container] {
			out[ord] = x
		}
	}
	return out
}

// afterExecution is the memory once an execution's results are in: conflicts learnt from a
// refused create, and the retry backoff (reset by a clean execution; a conflict alone is not
// retried, it waits for the name to be freed). It also returns the errors in order.
func afterExecution(mem SetMemory, results []Result, now time.Time) (SetMemory, []error) {
	var errs []error
	conflicts := maps.Clone(mem.Conflicts)
	if conflicts == nil {
		conflicts = map[int]Conflict{}
	}
	foreign := false
	for _, r := range results {
		if r.Err == nil {
			continue
		}
		errs = append(errs, r.Err)
		a := r.Action
		if a.creates() && errors.Is(r.Err, ErrNotOwned) {
			conflicts[a.Ordinal] = Conflict{a.Target,
				fmt.Sprintf("container %s exists and is not managed by ordset; remove or rename it", a.Target)}
			foreign = true
		}
	}
	mem.Conflicts = conflicts
	switch {
	case len(errs) == 0:
		mem.Failures, mem.RetryAt, mem.LastErr = 0, time.Time{}, ""
	case !foreign:
		d := errorRetryInitial << min(mem.Failures, 5)
		mem.Failures++
		mem.RetryAt = now.Add(min(d, errorRetryMax))
		mem.LastErr = errs[0].Error()
	}
	return mem, errs
}
