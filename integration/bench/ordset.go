package main

import (
	"context"
	"fmt"
	"github.com/ordset/ordset/orchestrator/identity"
	"os"
	"time"

	"github.com/docker/docker/api/types/network"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator"
	"github.com/ordset/ordset/orchestrator/docker"
)

// statusPoll is how often the ordset variant reads Manager.Status: an in-memory read, so
// polling it costs nothing measurable and adds at most this much to a measured time.
const statusPoll = 2 * time.Millisecond

// ordsetStarter drives orchestrator.Manager over the Docker runtime in this process: the
// engine `ordset up` runs inside the daemon, minus the CLI, socket and store round trips.
type ordsetStarter struct {
	env    *env
	rt     *docker.Runtime
	m      *orchestrator.Manager
	cancel context.CancelFunc
	done   chan struct{}
}

func newOrdsetStarter(ctx context.Context, e *env) (*ordsetStarter, error) {
	rt, err := docker.New(docker.Options{Logger: e.log, ExtraLabels: map[string]string{testLabel: "1"}})
	if err != nil {
		return nil, fmt.Errorf("ordset runtime: %w", err)
	}
	var run orchestrator.Runtime = rt
	if e.cfg.traceEvents {
		run = tracingRuntime{Runtime: rt, env: e}
	}
	m := orchestrator.NewManager(run, orchestrator.Options{Logger: e.log,
		ExtraLabels: map[string]string{testLabel: "1"}})
	ctx, cancel := context.WithCancel(ctx)
	s := &ordsetStarter{env: e, rt: rt, m: m, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := m.Run(ctx); err != nil {
			e.log.Error("manager stopped", "err", err)
		}
	}()
	return s, nil
}

func (s *ordsetStarter) name() string { return "ordset" }

func (s *ordsetStarter) close() {
	s.cancel()
	<-s.done
	s.rt.Close()
}

// set loads the benchmark set through the real loader, so defaults are the ones users get.
// The readiness probe is the same GET /ready the peers poll, with periodSeconds 1 like
// Compose's healthcheck interval; ordset's fast start-up probing does the rest.
func (s *ordsetStarter) set(ns string, n int, policy string) (*compose.StatefulSet, error) {
	doc := fmt.Sprintf(`namespace: %s
statefulsets:
  app:
    replicas: %d
    podManagementPolicy: %s
    image: %s
    imagePullPolicy: Never
    readinessProbe: {httpGet: {path: /ready, port: %d}, periodSeconds: 1}
    volumeMounts: [{name: data, mountPath: /data}]
    volumeClaimTemplates: [{name: data}]
`, ns, n, policy, s.env.cfg.image, s.env.cfg.port)
	p, err := compose.LoadBytes("bench.yaml", []byte(doc), compose.LoadOptions{})
	if err != nil {
		return nil, fmt.Errorf("load bench set: %w", err)
	}
	return p.StatefulSets["app"], nil
}

func (s *ordsetStarter) up(ctx context.Context, ns string, n int) error {
	set, err := s.set(ns, n, compose.OrderedReady)
	if err != nil {
		return err
	}
	s.m.Apply(ns, set, n)
	return s.waitStatus(ctx, ns, func(st orchestrator.SetStatus) bool { return st.Ready == n })
}

func (s *ordsetStarter) down(ctx context.Context, ns string, _ int) error {
	s.m.Delete(ns, "app", true)
	return s.waitGone(ctx, ns)
}

func (s *ordsetStarter) waitGone(ctx context.Context, ns string) error {
	ctx, cancel := context.WithTimeout(ctx, s.env.cfg.timeout)
	defer cancel()
	// The set is gone from Status first; the Manager removes the namespace network right after.
	for len(s.m.Status(ns)) > 0 || s.networkExists(ctx, ns) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("delete %s/app: %w", ns, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func (s *ordsetStarter) networkExists(ctx context.Context, ns string) bool {
	_, err := s.env.cli.NetworkInspect(ctx, identity.NetworkName(ns), network.InspectOptions{})
	return err == nil
}

// waitStatus polls the set's status until ok holds.
func (s *ordsetStarter) waitStatus(ctx context.Context, ns string, ok func(orchestrator.SetStatus) bool) error {
	last := ""
	for {
		for _, st := range s.m.Status(ns) {
			if st.Name == "app" {
				if ok(st) {
					return nil
				}
				last = st.Waiting
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s/app (waiting: %q): %w", ns, last, ctx.Err())
		case <-time.After(statusPoll):
		}
	}
}

// healOrdset crashes each pod of a cfg.kills-replica set once (see healDocker) and times
// until the Manager reports the pod Ready again in a new container.
func (e *env) healOrdset(ctx context.Context) ([]time.Duration, error) {
	s, err := newOrdsetStarter(ctx, e)
	if err != nil {
		return nil, err
	}
	defer s.close()
	ns := e.name("k", e.cfg.kills)
	set, err := s.set(ns, e.cfg.kills, compose.Parallel)
	if err != nil {
		return nil, err
	}
	s.m.Apply(ns, set, e.cfg.kills)
	defer func() {
		if err := s.down(context.WithoutCancel(ctx), ns, 0); err != nil {
			e.log.Warn("clean up", "err", err)
		}
	}()
	tctx, cancel := context.WithTimeout(ctx, e.cfg.timeout)
	defer cancel()
	if err := s.waitStatus(tctx, ns, func(st orchestrator.SetStatus) bool { return st.Ready == e.cfg.kills }); err != nil {
		return nil, err
	}
	var out []time.Duration
	for k := range e.cfg.kills {
		if err := e.pause(ctx, e.cfg.healGap); err != nil {
			return out, err
		}
		pod := fmt.Sprintf("app-%d", k)
		old := s.pod(ns, pod)
		if old.ContainerID == "" || !old.Ready {
			return out, fmt.Errorf("pod %s is not Ready before its kill: %+v", pod, old)
		}
		t0, err := e.crash(ctx, old.ContainerID)
		if err != nil {
			return out, err
		}
		kctx, cancel := context.WithTimeout(ctx, e.cfg.timeout)
		err = s.waitStatus(kctx, ns, func(orchestrator.SetStatus) bool {
			return healedAfter(old, s.pod(ns, pod))
		})
		cancel()
		if err != nil {
			return out, fmt.Errorf("kill %d: %w", k+1, err)
		}
		d := time.Since(t0)
		out = append(out, d)
		fmt.Fprintf(os.Stderr, "heal ordset  kill %d: %s\n", k+1, ms(d))
	}
	return out, nil
}

// healedAfter reports a pod Ready again after the kill of old: restarted in place (its
// restart count went up) or replaced (another container).
func healedAfter(old, p orchestrator.PodStatus) bool {
	return p.Ready && (p.ContainerID != old.ContainerID || p.Restarts > old.Restarts)
}

// pod returns one pod's status ("" ContainerID when absent).
func (s *ordsetStarter) pod(ns, name string) orchestrator.PodStatus {
	for _, st := range s.m.Status(ns) {
		for _, p := range st.Pods {
			if p.Name == name {
				return p
			}
		}
	}
	return orchestrator.PodStatus{}
}
