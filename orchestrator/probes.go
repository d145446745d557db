package orchestrator

import (
	"context"
	"log/slog"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/probe"
)

// ProbeTarget is the pod container a prober watches.
type ProbeTarget struct {
	ContainerID, IP string
	StartedAt       time.Time
	// Container is the template name whose probes run ("" is the first container).
	Container string
}

// ProbeStatus is what a prober says about one pod container.
type ProbeStatus struct {
	Started, Ready, Live bool
	Reason               string
	ReadySince           time.Time
}

// Prober runs the probes of one pod container; it is started when the container runs and
// stopped when it stops or is replaced.
type Prober interface {
	Start(ctx context.Context)
	Stop()
	Status() ProbeStatus
}

// ProberFactory creates a prober for a set's probes on one container; onChange must be
// called whenever Started, Ready or Live changes (it triggers a controller pass).
type ProberFactory func(set *compose.StatefulSet, target ProbeTarget, onChange func()) Prober

// hasProbes reports whether a set needs a prober at all; without one readiness comes from
// the image HEALTHCHECK or, lacking that, from Running.
func hasProbes(s *compose.StatefulSet) bool {
	for _, cs := range [][]compose.Container{s.Template.Spec.InitContainers, s.Template.Spec.Containers} {
		for i := range cs {
			if containerProbed(&cs[i]) {
				return true
			}
		}
	}
	return false
}

func containerProbed(c *compose.Container) bool {
	return c.ReadinessProbe != nil || c.LivenessProbe != nil || c.StartupProbe != nil
}

// probedContainer returns the template entry whose probes a target runs.
func probedContainer(s *compose.StatefulSet, name string) *compose.Container {
	if name != "" {
		if c := findContainer(s, name); c != nil {
			return c
		}
	}
	return s.Main()
}

// workerProber adapts probe.Worker to Prober.
type workerProber struct{ w *probe.Worker }

func (p workerProber) Start(ctx context.Context) { p.w.Start(ctx) }
func (p workerProber) Stop()                     { p.w.Stop() }
func (p workerProber) Status() ProbeStatus {
	s := p.w.Status()
	return ProbeStatus{Started: s.Started, Ready: s.Ready, Live: s.Live, Reason: s.Reason, ReadySince: s.ReadySince}
}

// defaultProbers runs the real probe workers, with exec probes going through the runtime.
func defaultProbers(rt Runtime, log *slog.Logger, now func() time.Time) ProberFactory {
	exec := func(ctx context.Context, id string, cmd []string) (int, []byte, error) {
		res, err := rt.Exec(ctx, id, cmd)
		return res.ExitCode, res.Output, err
	}
	return func(s *compose.StatefulSet, t ProbeTarget, onChange func()) Prober {
		c := probedContainer(s, t.Container)
		return workerProber{probe.NewWorker(probe.WorkerConfig{
			Target:    probe.Target{ContainerID: t.ContainerID, IP: t.IP},
			Readiness: c.ReadinessProbe, Liveness: c.LivenessProbe, Startup: c.StartupProbe,
			Exec: exec, OnChange: func(probe.Status) { onChange() }, Logger: log, Now: now, StartedAt: t.StartedAt,
		})}
	}
}
