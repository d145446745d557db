package dnsserver

import (
	"time"

	"golang.org/x/net/ipv4"
)

// Reply coalescing under load. A load generator like dnsperf sends one query per syscall and
// wakes once per burst of replies; answered as eagerly as possible, a batch held three or four
// queries, so every client socket got its replies one or two at a time and the client spent its
// core on wakeups, failed reads and polls (with 200 queries in flight it, not the server, set the
// rate). When a read already finds a backlog (gatherTrigger queries or more: the client keeps many
// in flight), the loop keeps reading without blocking while queries keep arriving, and answers
// the larger batch at once: each client then takes several replies per wakeup (one segmented
// send, see gso.go). Measured side by side on the same machine: about 15 % less client CPU per
// query and as much more throughput against dnsperf -c 4 -q 200.
//
// The cost is latency under load only: a query that arrives alone, or with one other (a
// resolver's A and AAAA pair), is answered at once; a backlog waits at most gatherGap after the
// last arrival and never more than gatherMax in all.

const (
	// gatherTrigger is the batch size from which a read keeps gathering.
	gatherTrigger = 3
	// gatherGap ends gathering once no query arrived for this long: the client has sent its burst.
	gatherGap = 20 * time.Microsecond
	// gatherMax bounds the extra wait of the first query of a batch.
	gatherMax = 200 * time.Microsecond
)

// keepGathering decides whether a read loop holding n queries reads again before answering:
// sinceLast is the time since a query last arrived, sinceStart the time since the batch began.
func keepGathering(n int, sinceLast, sinceStart time.Duration) bool {
	return gatherAvailable && n >= gatherTrigger && n < udpBatch && sinceLast <= gatherGap && sinceStart <= gatherMax
}

// gather tops the batch in[:n] up with queries that arrive while keepGathering allows, reading
// without blocking, and returns the new batch size.
func gather(bc batchConn, in []ipv4.Message, n int) int {
	start := time.Now()
	last := start
	for {
		now := time.Now()
		if !keepGathering(n, now.Sub(last), now.Sub(start)) {
			return n
		}
		m, err := bc.ReadBatch(in[n:], readNoWait)
		if err != nil && !errorIsWouldBlock(err) {
			return n // e.g. closed: the blocking read reports it
		}
		if m > 0 {
			n += m
			last = time.Now()
		}
	}
}
