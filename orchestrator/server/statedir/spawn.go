package statedir

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/ordset/ordset/orchestrator/server/api"
)

// Connect returns a client for the daemon of p. When the socket accepts a connection it
// returns at once, with no request: the command's own first request is the first round trip
// (api.Client.OnDaemonVersion then reports the daemon's version). Otherwise it is
// EnsureRunning, which starts a daemon and waits for it to answer.
func Connect(ctx context.Context, p Paths, timeout time.Duration) (*api.Client, error) {
	if listening(p.Socket) {
		return api.NewClient(p.Socket), nil
	}
	c, _, err := EnsureRunning(ctx, p, timeout)
	return c, err
}

// listening reports whether something accepts connections on the unix socket at path. The
// kernel completes the connection, so this does not wait for the daemon to be scheduled.
func listening(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// EnsureRunning returns a client for the daemon of p, starting one in the background when
// nothing answers on the socket: the same binary re-executed as "ordset daemon", detached in
// its own session, logging to p.Log. It waits (polling, bounded by timeout) for the socket.
// It also returns the daemon's version, so the caller can notice an older daemon still
// running after an upgrade.
func EnsureRunning(ctx context.Context, p Paths, timeout time.Duration) (*api.Client, api.VersionInfo, error) {
	c := api.NewClient(p.Socket)
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	v, err := c.Version(pctx)
	cancel()
	if err == nil {
		return c, v, nil
	}
	var exited <-chan error
	if LockedPID(p) == 0 {
		if exited, err = spawn(p); err != nil {
			return nil, api.VersionInfo{}, err
		}
	}
	deadline := time.Now().Add(timeout)
	delay := 10 * time.Millisecond
	for {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		v, err := c.Version(pctx)
		cancel()
		if err == nil {
			return c, v, nil
		}
		if time.Now().After(deadline) {
			return nil, api.VersionInfo{}, fmt.Errorf("the ordset daemon did not answer on %s within %s (see %s): %w", p.Socket, timeout, p.Log, err)
		}
		if exited == nil && LockedPID(p) == 0 {
			// The lock was held by a daemon that has died since (killed just before we
			// looked, its lock not yet released): nobody will answer unless we start one.
			if exited, err = spawn(p); err != nil {
				return nil, api.VersionInfo{}, err
			}
		}
		select {
		case <-ctx.Done():
			return nil, api.VersionInfo{}, ctx.Err()
		case err := <-exited:
			exited = nil
			if LockedPID(p) == 0 { // not merely beaten to the lock by a concurrent start
				return nil, api.VersionInfo{}, fmt.Errorf("the ordset daemon exited at start (%v); %s says:\n%s", err, p.Log, logTail(p.Log, 5))
			}
		case <-time.After(delay):
		}
		delay = min(delay*2, 200*time.Millisecond)
	}
}

// spawn starts the daemon; the channel yields its exit status if it ends while we wait.
func spawn(p Paths) (<-chan error, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable to start the daemon: %w", err)
	}
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create state directory %s: %w", p.Dir, err)
	}
	logf, err := os.OpenFile(p.Log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open daemon log %s: %w", p.Log, err)
	}
	defer logf.Close()
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, err
	}
	defer devnull.Close()
	cmd := exec.Command(exe, "daemon")
	cmd.Env = append(os.Environ(), "ORDSET_STATE_DIR="+p.Dir)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, logf, logf
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start daemon %s daemon: %w", exe, err)
	}
	// The child lives on in its own session after we exit; while we run, reap it if it
	// fails at start so the caller can say why instead of timing out.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return exited, nil
}

// logTail returns the last n lines of a file, for error messages.
func logTail(path string, n int) string {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}

// Stop asks the daemon of p to shut down gracefully and waits until its lock is released.
// Pods keep running. It reports whether a daemon was running.
func Stop(ctx context.Context, p Paths, timeout time.Duration) (bool, error) {
	pid := LockedPID(p)
	c := api.NewClient(p.Socket)
	if err := c.Shutdown(ctx); err != nil {
		if pid == 0 {
			return false, nil
		}
		// The API does not answer but the process holds the lock: signal it.
		if perr := syscall.Kill(pid, syscall.SIGTERM); perr != nil && !errors.Is(perr, syscall.ESRCH) {
			return true, fmt.Errorf("stop daemon pid %d: %w", pid, perr)
		}
	}
	deadline := time.Now().Add(timeout)
	for LockedPID(p) != 0 {
		if time.Now().After(deadline) {
			return true, fmt.Errorf("daemon pid %d still running after %s", pid, timeout)
		}
		select {
		case <-ctx.Done():
			return true, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true, nil
}
