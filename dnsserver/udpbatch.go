package dnsserver

import (
	"errors"
	"net"
	"net/netip"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// udpBatch is how many datagrams one read loop takes per recvmmsg and answers per sendmmsg on
// Linux: under load the syscalls, not the answers, are the cost of a query.
const udpBatch = 32

// udpReadSize bounds a query datagram; real queries are a few hundred bytes (a larger one is
// reported truncated by the kernel and dropped).
const udpReadSize = 4096

// batchConn is the recvmmsg/sendmmsg view of a UDP socket (ipv4 and ipv6 share the message type).
type batchConn interface {
	ReadBatch(ms []ipv4.Message, flags int) (int, error)
	WriteBatch(ms []ipv4.Message, flags int) (int, error)
}

func newBatchConn(c *net.UDPConn, bound netip.AddrPort) batchConn {
	if bound.Addr().Is4() {
		return ipv4.NewPacketConn(c)
	}
	return ipv6.NewPacketConn(c)
}

// serveUDP is one read loop. In-zone queries are answered inline (fast path or general path),
// a batch at a time; forwards run in their own goroutine so a slow upstream never stalls the loop.
func (s *Server) serveUDP(l *listener) {
	defer l.loops.Done()
	bc := newBatchConn(l.udp, l.bound)
	in := make([]ipv4.Message, udpBatch)
	out := make([]ipv4.Message, udpBatch)
	bufs := make([][]byte, udpBatch)
	oobs := make([][]byte, udpBatch)
	replies := make([][]byte, 0, udpBatch)
	addrs := make([]net.Addr, 0, udpBatch)
	srcs := make([]netip.AddrPort, 0, udpBatch)
	for i := range in {
		in[i].Buffers = [][]byte{make([]byte, udpReadSize)}
		out[i].Buffers = make([][]byte, 1, gsoMaxSegments)
		bufs[i] = make([]byte, 0, udpReadSize)
		oobs[i] = make([]byte, gsoControlSpace)
	}
	for {
		n, err := readBatch(l, bc, in)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		replies, addrs, srcs = replies[:0], addrs[:0], srcs[:0]
		for i := range n {
			m := &in[i]
			if m.Flags&msgTrunc != 0 {
				continue
			}
			src := addrPortOf(m.Addr)
			src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
			k := len(replies)
			reply, fwd := s.udpReply(m.Buffers[0][:m.N], src, bufs[k])
			if reply != nil {
				if cap(reply) > cap(bufs[k]) {
					bufs[k] = reply[:0] // keep the grown buffer for next time
				}
				replies, addrs, srcs = append(replies, reply), append(addrs, m.Addr), append(srcs, src)
			}
			if fwd != nil {
				s.forwardUDP(l, fwd, src)
			}
		}
		k := groupReplies(out, replies, addrs, srcs, oobs, gsoAvailable && !l.noGSO.Load())
		if !s.sendBatch(l, bc, out[:k]) {
			return
		}
	}
}

// readBatch reads one batch into in, gathered (see gather.go) while queries keep arriving. The
// loops of a listener take turns here: the socket's own read lock is held by a loop parked in a
// blocking read, so a loop gathering without this turn waited on that lock, holding its queries
// unanswered, until some other query woke the parked loop; a client waiting for those replies
// sent none, and they stalled (seen as lost replies from a burst on one socket).
func readBatch(l *listener, bc batchConn, in []ipv4.Message) (int, error) {
	l.readTurn.Lock()
	defer l.readTurn.Unlock()
	n, err := bc.ReadBatch(in, 0)
	if err != nil {
		return 0, err
	}
	return gather(bc, in, n), nil
}

// sendBatch writes msgs, skipping a datagram the kernel refuses (e.g. the client's port is
// gone). A refused grouped send turns GSO off for the listener (a kernel or device without
// UDP_SEGMENT support) and goes out one datagram at a time. It returns false once the socket
// is closed.
func (s *Server) sendBatch(l *listener, bc batchConn, msgs []ipv4.Message) bool {
	for sent := 0; sent < len(msgs); {
		w, err := bc.WriteBatch(msgs[sent:], 0)
		if err == nil {
			sent += w
			continue
		}
		if errors.Is(err, net.ErrClosed) {
			return false
		}
		if m := &msgs[sent]; m.OOB != nil {
			if !l.noGSO.Swap(true) {
				s.log.Info("dns: segmentation offload refused, sending replies one by one", "addr", l.bound.String(), "err", err)
			}
			for _, b := range m.Buffers {
				_, _ = l.udp.WriteTo(b, m.Addr)
			}
		}
		sent++
	}
	return true
}

// forwardUDP answers fwd from the upstreams in a goroutine, within the forward budget.
func (s *Server) forwardUDP(l *listener, fwd *dns.Msg, src netip.AddrPort) {
	select {
	case s.forwards <- struct{}{}:
		go func() {
			defer func() { <-s.forwards }()
			if m := s.handle(fwd, src, true); m != nil {
				if b, err := m.Pack(); err == nil {
					_, _ = l.udp.WriteToUDPAddrPort(b, src)
				}
			}
		}()
	default:
		// A flood of outside names must not grow goroutines without bound; the client
		// retries as it would after a lost packet.
		s.log.Debug("forward dropped: too many in flight", "client", src.String())
	}
}
