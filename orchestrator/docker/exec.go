package docker

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/ordset/ordset/orchestrator"
)

// MaxExecOutput caps the combined output Exec keeps; the rest is read and discarded.
const MaxExecOutput = 64 << 10

// Exec runs cmd in a running ordset container and returns its exit code and combined output.
// When ctx ends first the call returns ctx's error; the engine cannot kill an exec'd process,
// so a hung command keeps running inside the container (as with kubelet exec probes).
// The exit code comes from the exec_die event when it arrives in time, else from an inspect.
func (r *Runtime) Exec(ctx context.Context, id string, cmd []string) (orchestrator.ExecResult, error) {
	if err := r.checkOwned(ctx, id); err != nil {
		return orchestrator.ExecResult{}, err
	}
	created, err := r.cli.ContainerExecCreate(ctx, id, container.ExecOptions{
		Cmd: cmd, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return orchestrator.ExecResult{}, fmt.Errorf("exec in container %s: %w", id, wrapNotFound(err))
	}
	exited, release := r.execs.register(created.ID)
	defer release()
	hj, err := r.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return orchestrator.ExecResult{}, fmt.Errorf("exec in container %s: attach: %w", id, err)
	}
	// Closing the hijacked connection is the only way to stop reading when ctx ends.
	stop := context.AfterFunc(ctx, func() { hj.Close() })
	out := &cappedBuffer{limit: MaxExecOutput}
	_, copyErr := stdcopy.StdCopy(out, out, hj.Reader)
	stop()
	hj.Close()
	if ctx.Err() != nil {
		return orchestrator.ExecResult{Output: out.bytes()}, fmt.Errorf("exec %q in container %s: %w", cmd, id, ctx.Err())
	}
	if copyErr != nil {
		return orchestrator.ExecResult{}, fmt.Errorf("exec %q in container %s: read output: %w", cmd, id, copyErr)
	}
	if code, ok := waitExit(ctx, exited); ok {
		return orchestrator.ExecResult{ExitCode: code, Output: out.bytes()}, nil
	}
	ins, err := r.cli.ContainerExecInspect(ctx, created.ID)
	if err != nil {
		return orchestrator.ExecResult{}, fmt.Errorf("exec %q in container %s: inspect: %w", cmd, id, err)
	}
	if ins.Running {
		// Output closed but the process lives on (it closed stdout/stderr); not an answer yet.
		return orchestrator.ExecResult{Output: out.bytes()}, fmt.Errorf("exec %q in container %s: process still running after its output closed", cmd, id)
	}
	return orchestrator.ExecResult{ExitCode: ins.ExitCode, Output: out.bytes()}, nil
}

// waitExit waits up to execWaitGrace (and ctx) for an exec's exit code from its event.
func waitExit(ctx context.Context, exited <-chan int) (int, bool) {
	t := time.NewTimer(execWaitGrace)
	defer t.Stop()
	select {
	case code := <-exited:
		return code, true
	case <-t.C:
	case <-ctx.Done():
	}
	return 0, false
}

// cappedBuffer keeps the first limit bytes and swallows the rest, so the stream is drained.
type cappedBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.limit - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (b *cappedBuffer) bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf
}

// Logs streams a container's stdout and stderr, demultiplexed into one stream.
func (r *Runtime) Logs(ctx context.Context, id string, opts orchestrator.LogOptions) (io.ReadCloser, error) {
	if err := r.checkOwned(ctx, id); err != nil {
		return nil, err
	}
	tail := opts.Tail
	if tail == "" {
		tail = "all"
	}
	lo := container.LogsOptions{ShowStdout: true, ShowStderr: true, Follow: opts.Follow, Tail: tail, Timestamps: opts.Timestamps}
	if !opts.Until.IsZero() {
		lo.Until = fmt.Sprintf("%d.%09d", opts.Until.Unix(), opts.Until.Nanosecond())
	}
	rc, err := r.cli.ContainerLogs(ctx, id, lo)
	if err != nil {
		return nil, fmt.Errorf("logs of container %s: %w", id, wrapNotFound(err))
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := stdcopy.StdCopy(pw, pw, rc)
		rc.Close()
		pw.CloseWithError(err)
	}()
	return &logReader{PipeReader: pr, src: rc}, nil
}

// logReader closes the engine stream too, so a follower stops when the caller closes.
type logReader struct {
	*io.PipeReader
	src io.Closer
}

func (l *logReader) Close() error {
	l.src.Close()
	return l.PipeReader.Close()
}
