package dnsserver

import (
	"net"
	"net/netip"

	"golang.org/x/net/ipv4"
)

// Generic segmentation offload for replies: the kernel's per-datagram send path (routing,
// netfilter, the device, the receive softirq) was three quarters of the server's time under
// load, and dnsperf-style clients keep many queries in flight on one socket, so a batch often
// holds several replies of the same size to the same client. Those go out as one UDP_SEGMENT
// send: the stack carries one buffer to the receiving socket, which splits it back into the
// same datagrams (a GSO send is equivalent to sending them one by one; only the order of
// replies within a batch may change, which UDP never promised).

// gsoMaxSegments stays within every kernel's UDP_MAX_SEGMENTS (64 before Linux 6.x).
const gsoMaxSegments = 64

// gsoMaxBytes keeps the super-datagram under the 64 KiB IP limit with headers.
const gsoMaxBytes = 65000

// groupReplies fills msgs with replies[i] addressed to addrs[i] (srcs[i] in comparable form) and
// returns how many messages it used. With gso, replies of equal size to the same client share one
// message whose buffers are the segments; oobs[n] is the control-message space of message n.
func groupReplies(msgs []ipv4.Message, replies [][]byte, addrs []net.Addr, srcs []netip.AddrPort, oobs [][]byte, gso bool) int {
	var used [udpBatch]bool
	n := 0
	for i, r := range replies {
		if used[i] {
			continue
		}
		m := &msgs[n]
		m.Addr = addrs[i]
		m.Buffers = append(m.Buffers[:0], r)
		m.OOB = nil
		if gso {
			size, total := len(r), len(r)
			for j := i + 1; j < len(replies) && len(m.Buffers) < gsoMaxSegments; j++ {
				if !used[j] && len(replies[j]) == size && srcs[j] == srcs[i] && total+size <= gsoMaxBytes {
					used[j] = true
					m.Buffers = append(m.Buffers, replies[j])
					total += size
				}
			}
			if len(m.Buffers) > 1 {
				m.OOB = gsoControl(oobs[n], size)
			}
		}
		n++
	}
	return n
}
