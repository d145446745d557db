package state

import (
	"fmt"
	"strings"
)

// PodPhase is a pod's state as `ordset ps` shows it, spelled like kubectl's STATUS column.
// While init containers run it is InitPhase(done, total), or Init: followed by the failing
// init container's phase (Init:Error, Init:CrashLoopBackOff).
type PodPhase string

// Pod phases.
const (
	Pending          PodPhase = "Pending"
	Created          PodPhase = "Created" // container created, not started yet
	Running          PodPhase = "Running"
	CrashLoopBackOff PodPhase = "CrashLoopBackOff"
	Error            PodPhase = "Error"
	Completed        PodPhase = "Completed" // exited 0; replaced all the same (restartPolicy Always)
	Terminating      PodPhase = "Terminating"
	NameConflict     PodPhase = "NameConflict" // a foreign container holds one of the pod's names
	Unhealthy        PodPhase = "Unhealthy"    // liveness failed; the pod is being restarted
	Paused           PodPhase = "Paused"       // its processes are frozen (docker pause); not Ready until unpaused
	Removed          PodPhase = "Removed"      // gone (progress output only)
)

const initPrefix = "Init:"

// InitPhase is the phase of a pod whose init containers are not all done yet.
func InitPhase(done, total int) PodPhase {
	return PodPhase(fmt.Sprintf("%s%d/%d", initPrefix, done, total))
}

// InitFailed is the phase of a pod whose current init container is in phase p (Error or CrashLoopBackOff).
func InitFailed(p PodPhase) PodPhase { return PodPhase(initPrefix) + p }

// Init reports a phase of the init stage (Init:1/2, Init:Error, ...).
func (p PodPhase) Init() bool { return strings.HasPrefix(string(p), initPrefix) }

// container is the phase of the failing container: the init container's for Init:X.
func (p PodPhase) container() PodPhase { return PodPhase(strings.TrimPrefix(string(p), initPrefix)) }

// Failed reports a pod whose container (main or init) failed and that does not recover by
// waiting alone: `up` and `scale` stop on it, and the controller reports it as PodFailed.
func (p PodPhase) Failed() bool {
	switch p.container() {
	case Error, CrashLoopBackOff:
		return true
	}
	return false
}

// Terminal reports a phase whose container has stopped for good (exited or failed to start):
// only the controller replacing the pod changes it.
func (p PodPhase) Terminal() bool {
	switch p.container() {
	case Error, Completed:
		return true
	}
	return false
}

// Alarming reports a phase worth an event of its own: a failure, or a liveness restart.
func (p PodPhase) Alarming() bool { return p.Failed() || p == Unhealthy }

func (p PodPhase) String() string { return string(p) }
