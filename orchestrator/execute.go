package orchestrator

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// execute runs one set's actions, publishes what happened and stores the set's next memory.
func (m *Manager) execute(ctx context.Context, s *setState, tpl PodTemplate, actions []Action) {
	results := m.exec.Execute(ctx, tpl, actions)
	var counted []Result
	for _, r := range results {
		a := r.Action
		if r.Err != nil {
			if ctx.Err() != nil {
				continue // shutting down: not a failure of the set
			}
			m.log.Error("action failed", "namespace", s.key.Namespace, "set", s.key.Name, "action", a.String(), "err", r.Err)
			m.publish(s.key, a.Pod, EventError, r.Err.Error())
		} else {
			m.log.Info("action done", "namespace", s.key.Namespace, "set", s.key.Name, "action", a.String())
			if typ, msg := describe(a); typ != "" {
				m.publish(s.key, a.Pod, typ, msg)
			}
		}
		counted = append(counted, r)
	}
	m.mu.Lock()
	s.mem, _ = afterExecution(s.mem, counted, m.opts.Now())
	s.busy = false
	s.execs++
	m.mu.Unlock()
	m.kick()
}

// describe turns a successful action into a progress event.
func describe(a Action) (string, string) {
	switch a.Kind {
	case ActCreateVolume:
		return EventVolumeCreated, "created volume " + a.Target
	case ActRemoveVolume:
		return EventVolumeRemoved, "removed volume " + a.Target
	case ActCreatePod:
		return EventPodCreated, fmt.Sprintf("created pod %s (container %s, revision %s)", a.Pod, a.Target, a.Revision)
	case ActPreparePod:
		return EventPodCreated, fmt.Sprintf("created pod %s ahead of its turn (container %s, revision %s; not started until the pod below is Ready)",
			a.Pod, a.Target, a.Revision)
	case ActStartPod:
		return EventPodStarted, fmt.Sprintf("started pod %s (container %s)", a.Pod, a.Target)
	case ActRestartInPlace:
		what := "pod " + a.Pod
		if a.Container != "" {
			what = fmt.Sprintf("container %s of pod %s", a.Container, a.Pod)
		}
		return EventPodRestarted, fmt.Sprintf("restarted %s in place (container %s, restart %d, after %s)",
			what, a.Target, a.Restarts, a.Reason)
	case ActRunInit:
		return EventInitStarted, fmt.Sprintf("started init container %s", a.Target)
	case ActStopPod:
		return EventPodStopped, fmt.Sprintf("stopped pod %s: %s", a.Pod, a.Reason)
	case ActDeletePod:
		return EventPodDeleted, fmt.Sprintf("deleted pod %s (%s)", a.Pod, a.Reason)
	case ActRemoveContainer:
		if a.Reason == "scale down" || a.Reason == "delete" {
			return EventPodDeleted, fmt.Sprintf("deleted pod %s (%s)", a.Pod, a.Reason)
		}
	}
	return "", ""
}

// noteStatus stores a set's new status and publishes what changed. m.mu is held.
func (m *Manager) noteStatus(s *setState, st SetStatus) {
	old := map[string]PodStatus{}
	for _, p := range s.status.Pods {
		old[p.Name] = p
	}
	for _, p := range st.Pods {
		o, had := old[p.Name]
		switch {
		case p.Ready && (!had || !o.Ready):
			m.publish(s.key, p.Name, EventPodReady, fmt.Sprintf("pod %s is Ready (%s)", p.Name, p.IP))
		case !p.Ready && had && o.Ready:
			m.publish(s.key, p.Name, EventPodNotReady, fmt.Sprintf("pod %s is not Ready (%s)", p.Name, p.Status))
		}
		if p.Status.Alarming() && (!had || o.Status != p.Status) {
			m.publish(s.key, p.Name, EventPodFailed, fmt.Sprintf("pod %s: %s", p.Name, p.Status))
		}
	}
	if st.Waiting != s.status.Waiting && st.Waiting != "" {
		m.publish(s.key, "", EventWaiting, st.Waiting)
	}
	s.status, s.seen, s.stale = st, true, false
}

// notifyPods calls OnPods when any pod's name, IP or readiness changed since the last call,
// or its own Service's ports (servicePorts change no revision, so no pod is replaced, yet
// they name the SRV records).
func (m *Manager) notifyPods() {
	if m.opts.OnPods == nil {
		return
	}
	m.mu.Lock()
	var pods []PodStatus
	for _, s := range m.sets {
		pods = append(pods, s.status.Pods...)
	}
	slices.SortFunc(pods, func(a, b PodStatus) int {
		return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name)
	})
	var b strings.Builder
	for _, p := range pods {
		fmt.Fprintf(&b, "%s/%s/%s/%s/%s/%v/%v/%v;", p.Namespace, p.Service, p.Name, p.IP, p.IPv6, p.Ready, p.PublishNotReady, p.ServicePorts)
	}
	fp := b.String()
	changed := fp != m.lastPods
	m.lastPods = fp
	m.mu.Unlock()
	if changed {
		m.opts.OnPods(pods)
	}
}
