package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// cliStarter times the user's path: `ordset up -f FILE`, which submits the file to a running
// daemon and returns once every pod is Ready. The daemon is private to the benchmark (its own
// state dir, DNS port and the test label on everything) and already running, as it is after
// a user's first `ordset up`: its start is not part of any measured start.
type cliStarter struct {
	env    *env
	bin    string
	state  string
	vars   []string
	daemon *exec.Cmd
	exited chan error
}

// daemonArgs go after "daemon" (e.g. --log-level debug).
func newCLIStarter(ctx context.Context, e *env, bin string, daemonArgs ...string) (*cliStarter, error) {
	// A short path: the daemon's unix socket lives in the state dir (108-byte limit).
	state, err := os.MkdirTemp("", "ordset-bench")
	if err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	port, err := freeUDPPort()
	if err != nil {
		return nil, err
	}
	s := &cliStarter{env: e, bin: bin, state: state, exited: make(chan error, 1)}
	s.vars = append(os.Environ(), "ORDSET_STATE_DIR="+state, "ORDSET_DNS_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"ORDSET_EXTRA_LABELS="+testLabel+"=1", "NO_COLOR=1")
	log, err := os.Create(filepath.Join(state, "bench-daemon.out"))
	if err != nil {
		return nil, fmt.Errorf("daemon log: %w", err)
	}
	s.daemon = exec.Command(bin, append([]string{"daemon"}, daemonArgs...)...)
	s.daemon.Env, s.daemon.Stdout, s.daemon.Stderr = s.vars, log, log
	if err := s.daemon.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("start %s daemon: %w", bin, err)
	}
	go func() { s.exited <- s.daemon.Wait(); log.Close() }()
	deadline := time.Now().Add(30 * time.Second)
	for s.ordset(ctx, "daemon", "status") != nil {
		select {
		case err := <-s.exited:
			s.exited <- err
			s.close()
			return nil, fmt.Errorf("ordset daemon exited: %v (log in %s)", err, state)
		default:
		}
		if time.Now().After(deadline) {
			s.close()
			return nil, fmt.Errorf("ordset daemon did not answer within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s, nil
}

func (s *cliStarter) name() string { return "ordset-up" }

func (s *cliStarter) file(ns string, n int) (string, error) {
	path := filepath.Join(s.state, ns+".yaml")
	doc := fmt.Sprintf(`namespace: %s
statefulsets:
  app:
    replicas: %d
    image: %s
    imagePullPolicy: Never
    readinessProbe: {httpGet: {path: /ready, port: %d}, periodSeconds: 1}
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
`, ns, n, s.env.cfg.image, s.env.cfg.port)
	return path, os.WriteFile(path, []byte(doc), 0o644)
}

func (s *cliStarter) up(ctx context.Context, ns string, n int) error {
	f, err := s.file(ns, n)
	if err != nil {
		return err
	}
	return s.ordset(ctx, "up", "-f", f)
}

func (s *cliStarter) down(ctx context.Context, ns string, n int) error {
	f, err := s.file(ns, n)
	if err != nil {
		return err
	}
	return s.ordset(ctx, "down", "-f", f, "--volumes")
}

func (s *cliStarter) ordset(ctx context.Context, args ...string) error {
	c := exec.CommandContext(ctx, s.bin, args...)
	c.Env = s.vars
	if out, err := c.CombinedOutput(); err != nil {
		return fmt.Errorf("ordset %v: %w\n%s", args, err, out)
	}
	return nil
}

// close stops the private daemon (gracefully, then by its PID) and removes its state dir.
func (s *cliStarter) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = s.ordset(ctx, "daemon", "stop")
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.daemon.Process.Signal(syscall.SIGKILL)
		<-s.exited
	}
	os.RemoveAll(s.state)
}

func freeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}
