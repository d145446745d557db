package orchestrator

import (
	"fmt"
	"testing"
	"time"

	"github.com/ordset/ordset/orchestrator/identity"
)

func TestDecideRestart(t *testing.T) {
	exited := func(restarts, backoff string, ran time.Duration) Container {
		c := Container{ID: "c1", State: StateExited, ExitCode: 1, StartedAt: t0.Add(-ran), FinishedAt: t0,
			Labels: map[string]string{identity.LabelRestarts: restarts, identity.LabelBackoff: backoff}}
		return c
	}
	startErr := exited("0", "0", time.Minute)
	startErr.Error = "network not found"
	dead := exited("0", "0", time.Minute)
	dead.State = StateDead
	rec := func(restarts, backoff int, failure time.Time) map[string]RestartRecord {
		return map[string]RestartRecord{"c1": {Restarts: restarts, Backoff: backoff, Failure: failure}}
	}
	cases := []struct {
		name    string
		c       Container
		records map[string]RestartRecord
		now     time.Time
		intact  bool
		want    string
	}{
		{"first failure restarts at once, in place", exited("0", "0", time.Minute), nil, t0, true,
			"wait=0s restarts=1 backoff=1 inPlace=true"},
		{"not intact: replaced, same counters", exited("0", "0", time.Minute), nil, t0, false,
			"wait=0s restarts=1 backoff=1 inPlace=false"},
		{"labels count when there is no record", exited("2", "2", time.Minute), nil, t0.Add(5 * time.Second), true,
			"wait=15s restarts=3 backoff=3 inPlace=true"},
		{"a record overrides the labels", exited("0", "0", time.Minute), rec(3, 3, t0.Add(-time.Hour)), t0, true,
			"wait=40s restarts=4 backoff=4 inPlace=true"},
		{"a failure the record answers is not counted again", exited("0", "0", time.Minute), rec(3, 3, t0), t0, true,
			"wait=0s restarts=3 backoff=3 inPlace=true"},
		{"nor when it must be replaced after all", startErr, rec(3, 3, t0), t0, true,
			"wait=0s restarts=3 backoff=3 inPlace=false"},
		{"a start error is replaced", startErr, nil, t0, true,
			"wait=0s restarts=1 backoff=1 inPlace=false"},
		{"a dead container is replaced", dead, nil, t0, true,
			"wait=0s restarts=1 backoff=1 inPlace=false"},
		{"10 min of running resets the backoff, not the count", exited("7", "7", 11*time.Minute), nil, t0, true,
			"wait=0s restarts=8 backoff=1 inPlace=true"},
		{"backoff caps at 5 min", exited("0", "0", time.Minute), rec(30, 30, t0.Add(-time.Hour)), t0, true,
			"wait=5m0s restarts=31 backoff=31 inPlace=true"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := decideRestart(c.c, c.records, c.now, c.intact)
			got := fmt.Sprintf("wait=%s restarts=%d backoff=%d inPlace=%t", r.Wait, r.Restarts, r.Backoff, r.InPlace)
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// onNetwork puts the namespace's network (net) in the snapshot and attaches every main
// container to it.
func (b *obs) onNetwork(net string) *obs {
	b.o.NetworkID = net
	for _, p := range b.o.Pods {
		for i := range p.Containers {
			p.Containers[i].NetworkID = net
		}
	}
	return b
}

// record adds a restart record for the main container of an ordinal.
func (b *obs) record(ord int, r RestartRecord) *obs {
	if b.o.Restarts == nil {
		b.o.Restarts = map[string]RestartRecord{}
	}
	b.o.Restarts[b.o.Pods[ord].Containers[0].ID] = r
	return b
}

func TestPlanRestartInPlace(t *testing.T) {
	crashed := func() *obs { return world().ready(0, "r1").exited(1, 1, 0, 0, t0.Add(-time.Minute), t0) }
	renamed := crashed().onNetwork("net1")
	renamed.o.Pods[1].Containers[0].Name = identity.RetiredName("demo-web-1", "id-web-1")
	detached := crashed().onNetwork("net1")
	detached.o.Pods[1].Containers[0].Detached = true
	oldRev := world().ready(0, "r1").exited(1, 1, 0, 0, t0.Add(-time.Minute), t0).onNetwork("net1")
	oldRev.o.Pods[1].Containers[0].Labels[identity.LabelRevision] = "r0"
	runPlanCases(t, []planCase{
		{"a crashed pod starts again, same container", desired(testSet(), 2), crashed().onNetwork("net1"), t0,
			"restart-in-place web-1 restarts=1 (exit 1)"},
		{"its backoff comes from its restart record", desired(testSet(), 2),
			crashed().onNetwork("net1").record(1, RestartRecord{Restarts: 2, Backoff: 2, Failure: t0.Add(-time.Hour)}), t0.Add(5 * time.Second),
			"waiting: web-1 crash-looping, restart in 15s\nrequeue: 15s"},
		{"a restart recorded but not done (daemon killed) is done, not counted again", desired(testSet(), 2),
			crashed().onNetwork("net1").record(1, RestartRecord{Restarts: 2, Backoff: 2, Failure: t0}), t0,
			"restart-in-place web-1 restarts=2 (exit 1)"},
		{"a replacement carries the recorded counters", desired(testSet(), 2),
			crashed().record(1, RestartRecord{Restarts: 2, Backoff: 2, Failure: t0.Add(-time.Hour)}), t0.Add(time.Minute),
			"retire-container demo-web-1 (exit 1); create-pod web-1 rev=r1 restarts=3"},
		{"network recreated since: replaced", desired(testSet(), 2), crashed().onNetwork("net1").onNetworkOnly("net2"), t0,
			"retire-container demo-web-1 (exit 1); create-pod web-1 rev=r1 restarts=1"},
		{"network missing: replaced (the network is created first)", desired(testSet(), 2), crashed().onNetwork("net1").onNetworkOnly(""), t0,
			"retire-container demo-web-1 (exit 1); create-pod web-1 rev=r1 restarts=1"},
		{"disconnected from its network: replaced", desired(testSet(), 2), detached, t0,
			"retire-container demo-web-1 (exit 1); create-pod web-1 rev=r1 restarts=1"},
		{"not under the pod's name: replaced", desired(testSet(), 2), renamed, t0,
			"create-pod web-1 rev=r1 restarts=1"},
		{"another revision with OnDelete: replaced at the update revision", desired(testSet(onDelete), 2), oldRev, t0,
			"retire-container demo-web-1 (exit 1); create-pod web-1 rev=r1 restarts=1"},
		{"another revision the update replaces: a fresh pod", desired(testSet(), 2), oldRev, t0,
			"retire-container demo-web-1 (exit 1); create-pod web-1 rev=r1"},
	})
	p := PlanSet(desired(testSet(), 2), crashed().onNetwork("net1").record(1, RestartRecord{Restarts: 4, Failure: t0}).o, t0)
	if got := p.Pods[1].Restarts; got != 4 {
		t.Errorf("status restarts %d, want the record's 4", got)
	}
}

// onNetworkOnly changes the namespace's network in the snapshot, not the containers'.
func (b *obs) onNetworkOnly(net string) *obs {
	b.o.NetworkID = net
	return b
}
