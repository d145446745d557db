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
	for i := range in {
		in[i].Buffers = [][]byte{make([]byte, udpReadSize)}
		out[i].Buffers = make([][]byte, 1)
		bufs[i] = make([]byte, 0, udpReadSize)
	}
	for {
		n, err := bc.ReadBatch(in, 0)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		k := 0
		for i := range n {
			m := &in[i]
			if m.Flags&msgTrunc != 0 {
				continue
			}
			src := addrPortOf(m.Addr)
			src = netip.AddrPortFrom(src.Addr().Unmap(), src.Port())
			reply, fwd := s.udpReply(m.Buffers[0][:m.N], src, bufs[k])
			if reply != nil {
				if cap(reply) > cap(bufs[k]) {
					bufs[k] = reply[:0] // keep the grown buffer for next time
				}
				out[k].Buffers[0] = reply
				out[k].Addr = m.Addr
				k++
			}
			if fwd != nil {
				s.forwardUDP(l, fwd, src)
			}
		}
		for sent := 0; sent < k; {
			w, err := bc.WriteBatch(out[sent:k], 0)
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				sent++ // skip the datagram the kernel refused (e.g. client port gone)
				continue
			}
			sent += w
		}
	}
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
