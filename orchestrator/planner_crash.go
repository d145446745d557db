package orchestrator

import (
	"fmt"
	"time"

	"github.com/ordset/ordset/orchestrator/identity"
)

// failed reports a container that will not run again: exited or dead, or never started
// because its start failed. A main container exiting 0 is a failure too (restartPolicy Always).
func failed(c Container) bool {
	return c.State == StateExited || c.State == StateDead || c.State == StateCreated && c.Error != ""
}

// crashCounters are a container's crash-loop counters: its restart record when it has one
// (it was restarted in place), else its labels.
func crashCounters(c Container, records map[string]RestartRecord) (restarts, step int) {
	if r, ok := records[c.ID]; ok {
		return r.Restarts, r.Backoff
	}
	return labelInt(c.Labels, identity.LabelRestarts), labelInt(c.Labels, identity.LabelBackoff)
}

// restartsOf is the restart count `ps` shows for a container.
func restartsOf(c Container, records map[string]RestartRecord) int {
	n, _ := crashCounters(c, records)
	return n
}

// Restart is the decision about one failed container (see decideRestart).
type Restart struct {
	// Wait is the crash-loop backoff left; the container is restarted only once it is 0.
	Wait time.Duration
	// Restarts and Backoff are the counters after the restart: the restart record's of an
	// in-place restart, the labels of a replacement.
	Restarts, Backoff int
	// InPlace restarts the same container (docker start) instead of replacing it.
	InPlace bool
	// Record is what an in-place restart records before the start.
	Record RestartRecord
}

// decideRestart decides how and when a failed container restarts, as the kubelet restarts a
// container: in place, counting restarts and backing off (10 s doubling to 5 min, reset after
// 10 min of running). intact says the container is still the pod's as it should be (current
// revision, canonical name, its network the namespace's): only then, and only when it merely
// exited (no start error, not dead), is it restarted in place; otherwise it is replaced by a
// fresh container carrying the counters. A failure its restart record already answers (a
// daemon killed between the record and the start) restarts at once with the same counters,
// so one failure is never counted twice.
func decideRestart(c Container, records map[string]RestartRecord, now time.Time, intact bool) Restart {
	inPlace := intact && c.State == StateExited && c.Error == ""
	at := failedAt(c)
	if r, ok := records[c.ID]; ok && !at.After(r.Failure) {
		return Restart{Restarts: r.Restarts, Backoff: r.Backoff, InPlace: inPlace, Record: r}
	}
	restarts, step := crashCounters(c, records)
	if !c.StartedAt.IsZero() && c.FinishedAt.Sub(c.StartedAt) >= BackoffReset {
		step = 0
	}
	var delay time.Duration
	if step > 0 {
		delay = BackoffMax
		if step <= 6 {
			delay = min(BackoffInitial<<(step-1), BackoffMax)
		}
	}
	return Restart{Wait: max(at.Add(delay).Sub(now), 0), Restarts: restarts + 1, Backoff: step + 1, InPlace: inPlace,
		Record: RestartRecord{Restarts: restarts + 1, Backoff: step + 1, Failure: at, ExitCode: c.ExitCode, OOMKilled: c.OOMKilled}}
}

// failedAt is when a container failed: its finish time, or its creation when it never ran.
func failedAt(c Container) time.Time {
	if c.FinishedAt.IsZero() {
		return c.CreatedAt
	}
	return c.FinishedAt
}

func exitReason(c Container) string {
	switch {
	case c.OOMKilled:
		return "OOMKilled"
	case c.Error != "":
		return c.Error
	case c.State == StateDead:
		return "dead"
	}
	return fmt.Sprintf("exit %d", c.ExitCode)
}
