package orchestrator

import (
	"strconv"
	"time"

	"github.com/ordset/ordset/compose"
	"github.com/ordset/ordset/orchestrator/identity"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// testSet is a defaulted set "web" with one claim template "data".
func testSet(muts ...func(*compose.StatefulSet)) *compose.StatefulSet {
	one := 1
	s := &compose.StatefulSet{
		Name: "web", Replicas: &one, ServiceName: "web",
		PodManagementPolicy: compose.OrderedReady,
		UpdateStrategy:      compose.UpdateStrategy{Type: compose.RollingUpdate},
		PersistentVolumeClaimRetentionPolicy: compose.RetentionPolicy{
			WhenScaled: compose.Retain, WhenDeleted: compose.Retain},
		Image:                "app:1",
		VolumeClaimTemplates: []compose.VolumeClaimTemplate{{Name: "data"}},
	}
	for _, m := range muts {
		m(s)
	}
	return s
}

func parallel(s *compose.StatefulSet) { s.PodManagementPolicy = compose.Parallel }
func onDelete(s *compose.StatefulSet) { s.UpdateStrategy.Type = compose.OnDelete }
func noClaims(s *compose.StatefulSet) { s.VolumeClaimTemplates = nil }
func withInits(names ...string) func(*compose.StatefulSet) {
	return func(s *compose.StatefulSet) {
		for _, n := range names {
			s.InitContainers = append(s.InitContainers, compose.InitContainer{Name: n, Image: "busybox"})
		}
	}
}

func desired(s *compose.StatefulSet, replicas int) Desired {
	return Desired{Namespace: "demo", Set: s, Replicas: replicas, Revision: "r1"}
}

// obs builds an Observed snapshot fluently.
type obs struct{ o Observed }

func world() *obs { return &obs{o: Observed{Pods: map[int]*ObservedPod{}, Foreign: map[int]string{}}} }

func (b *obs) pod(ord int) *ObservedPod {
	if b.o.Pods[ord] == nil {
		b.o.Pods[ord] = &ObservedPod{}
	}
	return b.o.Pods[ord]
}

func podLabels(ord int, rev string) map[string]string {
	return map[string]string{identity.LabelManagedBy: identity.ManagedByValue, identity.LabelRole: identity.RolePod,
		identity.LabelNamespace: "demo", identity.LabelSet: "web", identity.LabelOrdinal: strconv.Itoa(ord),
		identity.LabelPod: identity.PodName("web", ord), identity.LabelRevision: rev}
}

func (b *obs) add(ord int, c Container) *obs {
	p := b.pod(ord)
	p.Containers = append(p.Containers, c)
	return b
}

func mainCtr(ord int, rev string, state ContainerState) Container {
	return Container{ID: "id-" + identity.PodName("web", ord), Name: identity.ContainerName("demo", "web", ord),
		Labels: podLabels(ord, rev), State: state, CreatedAt: t0.Add(-time.Hour), StartedAt: t0.Add(-time.Hour)}
}

// ready adds a Running, Ready pod (ready since an hour ago) with its volume.
func (b *obs) ready(ord int, rev string) *obs {
	b.vol(ord)
	b.add(ord, mainCtr(ord, rev, StateRunning))
	p := b.pod(ord)
	p.Ready, p.ReadySince = true, t0.Add(-time.Hour)
	return b
}

// running adds a Running pod that is not Ready.
func (b *obs) running(ord int, rev string) *obs {
	b.vol(ord)
	return b.add(ord, mainCtr(ord, rev, StateRunning))
}

// exited adds a pod whose container exited with code at finished, carrying restart counters.
func (b *obs) exited(ord int, code, restarts, backoff int, started, finished time.Time) *obs {
	b.vol(ord)
	c := mainCtr(ord, "r1", StateExited)
	c.ExitCode, c.StartedAt, c.FinishedAt = code, started, finished
	c.Labels[identity.LabelRestarts] = strconv.Itoa(restarts)
	c.Labels[identity.LabelBackoff] = strconv.Itoa(backoff)
	return b.add(ord, c)
}

func (b *obs) vol(ord int) *obs {
	name := identity.VolumeName("demo", "data", "web", ord)
	for _, v := range b.o.Volumes {
		if v.Name == name {
			return b
		}
	}
	b.o.Volumes = append(b.o.Volumes, Volume{Name: name, Labels: identity.VolumeLabels("demo", "web", "data", ord)})
	return b
}

func (b *obs) init(ord int, name, rev string, state ContainerState, code int) *obs {
	l := podLabels(ord, rev)
	l[identity.LabelRole], l[identity.LabelInit] = identity.RoleInit, name
	p := b.pod(ord)
	p.Inits = append(p.Inits, Container{ID: "id-init-" + name, Name: identity.InitContainerName("demo", "web", ord, name),
		Labels: l, State: state, ExitCode: code, StartedAt: t0.Add(-time.Minute), FinishedAt: t0.Add(-time.Minute)})
	return b
}
