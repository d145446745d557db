package orchestrator

// networkLost replaces a running pod that lost its namespace network (removed or disconnected
// by hand): it keeps running without an address, so nothing reaches it. Reconnecting it to a
// recreated network would not be enough: its DNS server (the network's gateway, fixed when the
// container was created) may have moved, so a fresh container under the same name, on the
// same volumes, is the only way to give it an address, its aliases and working DNS back.
// Like any pod removal it is ordered: OrderedReady halts above it until it is back.
func (p *planner) networkLost(ord int, c Container, st *PodState, act bool) {
	st.Phase = PhaseTerminating
	if !act {
		st.Phase = PhaseRunning
		return
	}
	p.emit(Action{Kind: ActDeletePod, Pod: p.podName(ord), Ordinal: ord, Target: c.Name, ContainerID: c.ID,
		Grace: p.grace(), Reason: "network lost"})
}
