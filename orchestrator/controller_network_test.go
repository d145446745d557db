package orchestrator_test

import (
	"testing"
)

// A namespace network removed by hand is healed: the network is recreated and every pod,
// left running without an address, is recreated on it under its name with its volume, so
// it has an address (and DNS answers it) again.
func TestNetworkRemovedByHandIsHealed(t *testing.T) {
	e := start(t)
	e.m.Apply("demo", webSet(2), 2)
	e.converged("web", 2)
	before := map[string]string{}
	for _, n := range []string{"demo-web-0", "demo-web-1"} {
		c, _ := e.rt.Container(n)
		before[n] = c.ID
	}

	e.rt.DropNetwork("demo")
	e.eventually("pods recreated on a new network", func() bool {
		st := e.status("web")
		if st.Ready != 2 {
			return false
		}
		for _, p := range st.Pods {
			if p.IP == "" || p.ContainerID == before[p.Container] {
				return false
			}
		}
		return true
	})
	e.converged("web", 2)
	if n := len(e.rt.CallsTo("EnsureNetwork")); n < 2 {
		t.Fatalf("network ensured %d times, want it recreated", n)
	}
	for _, n := range []string{"demo-web-0", "demo-web-1"} {
		spec, _ := e.rt.Spec(n)
		if len(spec.Mounts) == 0 || spec.Mounts[0].Source != "demo_data-"+n[len("demo-"):] || spec.Network != "ordset-demo" {
			t.Errorf("%s recreated with mounts %v on network %q", n, spec.Mounts, spec.Network)
		}
	}
	if n := len(e.rt.CallsTo("CreateVolume")); n != 2 {
		t.Errorf("%d volumes created, want the 2 original ones reused", n)
	}
}
