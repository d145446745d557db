package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func execCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:      "exec",
		Usage:     "run a command in a pod",
		ArgsUsage: "POD -- COMMAND [ARG...]",
		Description: `The daemon resolves the pod to its container; the CLI then talks to the Docker engine
directly (DOCKER_HOST and friends apply), so an interactive terminal needs no proxy.
The exit code is the command's.

Examples:
   ordset exec redis-0 -- redis-cli info replication
   ordset exec -it redis-1 -- sh
   ordset exec -u 0 -e DEBUG=1 -w /data redis-0 -- ls`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "stdin", Aliases: []string{"i"}, Usage: "pass stdin to the command"},
			&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a terminal"},
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "run as this user (name or UID[:GID])"},
			&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "set VAR=value in the command's environment (repeatable)"},
			&cli.StringFlag{Name: "workdir", Aliases: []string{"w"}, Usage: "working directory of the command"},
		},
		Action: action(s, runExec),
	}
}

func runExec(ctx context.Context, in invocation, s *streams) error {
	args := in.args
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) < 2 {
		return usageErrorf("exec needs a POD and a command (e.g. ordset exec redis-0 -- redis-cli ping)")
	}
	pod, cmd := args[0], args[1:]
	if cmd[0] == "--" {
		cmd = cmd[1:]
	}
	if len(cmd) == 0 {
		return usageErrorf("exec needs a command after the pod name")
	}
	ns, target, err := podContainer(ctx, in, s, pod)
	if err != nil {
		return err
	}
	if !target.Running {
		return fmt.Errorf("pod %s/%s is not running", ns, pod)
	}
	opts := container.ExecOptions{Cmd: cmd, Tty: in.Bool("tty"), AttachStdin: in.Bool("stdin"), AttachStdout: true, AttachStderr: true,
		User: in.String("user"), Env: in.StringSlice("env"), WorkingDir: in.String("workdir")}
	code, err := dockerExec(ctx, target.ContainerID, opts, s.Out, s.Err)
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitCodeError{code: code}
	}
	return nil
}

func dockerExec(ctx context.Context, id string, opts container.ExecOptions, stdout, stderr io.Writer) (int, error) {
	stdin, tty := opts.AttachStdin, opts.Tty
	dc, err := engineClient()
	if err != nil {
		return 0, err
	}
	defer dc.Close()
	if tty {
		if w, h, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			opts.ConsoleSize = &[2]uint{uint(h), uint(w)}
		}
	}
	created, err := dc.ContainerExecCreate(ctx, id, opts)
	if err != nil {
		return 0, fmt.Errorf("exec in container %s: %w", id[:min(12, len(id))], err)
	}
	hj, err := dc.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{Tty: tty, ConsoleSize: opts.ConsoleSize})
	if err != nil {
		return 0, fmt.Errorf("attach exec: %w", err)
	}
	defer hj.Close()
	if tty && term.IsTerminal(int(os.Stdin.Fd())) {
		old, err := term.MakeRaw(int(os.Stdin.Fd()))
		if err == nil {
			defer term.Restore(int(os.Stdin.Fd()), old)
		}
	}
	if stdin {
		go func() {
			_, _ = io.Copy(hj.Conn, os.Stdin)
			_ = hj.CloseWrite()
		}()
	}
	if tty {
		_, err = io.Copy(stdout, hj.Reader)
	} else {
		_, err = stdcopy.StdCopy(stdout, stderr, hj.Reader)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("exec output: %w", err)
	}
	insp, err := dc.ContainerExecInspect(ctx, created.ID)
	if err != nil {
		return 0, fmt.Errorf("exec result: %w", err)
	}
	return insp.ExitCode, nil
}
