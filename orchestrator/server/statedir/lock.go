package statedir

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrAlreadyRunning is returned when another daemon holds the state directory's lock.
var ErrAlreadyRunning = errors.New("another ordset daemon is running")

// Lock is an flock(2) held for the daemon's lifetime. The kernel drops it when the
// process dies, however it dies, so a SIGKILLed daemon never leaves a stale lock behind.
type Lock struct{ f *os.File }

// Acquire takes the state directory's lock (creating the directory), or fails with
// ErrAlreadyRunning naming the holder's pid and socket.
func Acquire(p Paths) (*Lock, error) {
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create state directory %s: %w", p.Dir, err)
	}
	f, err := os.OpenFile(p.Lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", p.Lock, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		raw, _ := os.ReadFile(p.Lock)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(raw))
			return nil, fmt.Errorf("%w (pid %s, socket %s)", ErrAlreadyRunning, pid, p.Socket)
		}
		return nil, fmt.Errorf("lock %s: %w", p.Lock, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f: f}, nil
}

// Release gives the lock up.
func (l *Lock) Release() {
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}

// LockedPID returns the pid of the daemon holding the lock, or 0 when none does.
func LockedPID(p Paths) int {
	f, err := os.OpenFile(p.Lock, os.O_RDONLY, 0)
	if err != nil {
		return 0
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return 0
	}
	raw, _ := os.ReadFile(p.Lock)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	return pid
}
