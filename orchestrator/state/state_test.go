package state

import "testing"

func TestPodPhase(t *testing.T) {
	cases := []struct {
		p                      PodPhase
		failed, terminal, init bool
	}{
		{Pending, false, false, false},
		{Running, false, false, false},
		{Created, false, false, false},
		{Error, true, true, false},
		{CrashLoopBackOff, true, false, false},
		{Completed, false, true, false},
		{Unhealthy, false, false, false},
		{Paused, false, false, false},
		{NameConflict, false, false, false},
		{Terminating, false, false, false},
		{InitPhase(0, 2), false, false, true},
		{InitFailed(Error), true, true, true},
		{InitFailed(CrashLoopBackOff), true, false, true},
	}
	for _, c := range cases {
		if c.p.Failed() != c.failed || c.p.Terminal() != c.terminal || c.p.Init() != c.init {
			t.Errorf("%s: Failed=%v Terminal=%v Init=%v, want %v %v %v", c.p, c.p.Failed(), c.p.Terminal(), c.p.Init(),
				c.failed, c.terminal, c.init)
		}
	}
	if got := InitFailed(CrashLoopBackOff); got != "Init:CrashLoopBackOff" {
		t.Errorf("InitFailed = %q", got)
	}
	if !Unhealthy.Alarming() || !InitFailed(Error).Alarming() || Running.Alarming() {
		t.Error("Alarming")
	}
}

func TestSetCondition(t *testing.T) {
	if NotObserved.Observed() || SetCondition("").Observed() || !Progressing.Observed() {
		t.Error("Observed")
	}
	if !Converged.Terminal() || Progressing.Terminal() || Deleting.Terminal() {
		t.Error("Terminal")
	}
}
