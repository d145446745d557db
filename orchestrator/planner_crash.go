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

// crashBackoff reads a failed container's counters and returns its restart count, the delay
// (from FinishedAt) before it may be replaced, and the backoff step its replacement carries.
func crashBackoff(c Container) (restarts int, delay time.Duration, next int) {
	restarts = labelInt(c.Labels, identity.LabelRestarts)
	step := labelInt(c.Labels, identity.LabelBackoff)
	if !c.StartedAt.IsZero() && c.FinishedAt.Sub(c.StartedAt) >= BackoffReset {
		step = 0
	}
	if step > 0 {
		delay = BackoffMax
		if step <= 6 {
			delay = min(BackoffInitial<<(step-1), BackoffMax)
		}
	}
	return restarts, delay, step + 1
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
