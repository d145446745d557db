package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
)

// The load generator exists because dnsperf, pinned to one core, tops out near the rate both
// servers reach (about 165k queries/s here): it measured the client, not the servers. This one
// sends and receives in batches (sendmmsg/recvmmsg), so one client core drives a server core
// to saturation and the figure is the server's capacity. It keeps a fixed window of queries in
// flight per socket, like dnsperf's -q, and checks every reply (ID, QR, NOERROR, an answer).

// loadBatch is how many queries one sendmmsg carries at most.
const loadBatch = 32

// loadResult is what one load run observed.
type loadResult struct {
	sent, answered, lost, bad int
	elapsed                   time.Duration
}

func (r loadResult) qps() float64 { return float64(r.answered) / r.elapsed.Seconds() }

func (r *loadResult) add(o loadResult) {
	r.sent += o.sent
	r.answered += o.answered
	r.lost += o.lost
	r.bad += o.bad
	r.elapsed = max(r.elapsed, o.elapsed)
}

// readQueries packs every "NAME TYPE" line of a dnsperf query file into a query (ID 0, RD off).
func readQueries(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read queries: %w", err)
	}
	var out [][]byte
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("%s:%d: want NAME TYPE, got %q", path, i+1, line)
		}
		t, ok := dns.StringToType[strings.ToUpper(f[1])]
		if !ok {
			return nil, fmt.Errorf("%s:%d: unknown type %q", path, i+1, f[1])
		}
		q := new(dns.Msg).SetQuestion(dns.Fqdn(f[0]), t)
		q.RecursionDesired = false
		b, err := q.Pack()
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no queries", path)
	}
	return out, nil
}

// loadUDP runs clients sockets against addr for d, each with window queries in flight.
func loadUDP(ctx context.Context, addr string, queries [][]byte, clients, window int, d time.Duration) (loadResult, error) {
	raddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return loadResult{}, fmt.Errorf("load %s: %w", addr, err)
	}
	var (
		mu    sync.Mutex
		total loadResult
		errs  []error
		wg    sync.WaitGroup
	)
	deadline := time.Now().Add(d)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := loadClient(ctx, raddr, queries, c, window, deadline)
			mu.Lock()
			defer mu.Unlock()
			total.add(r)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	return total, errors.Join(errs...)
}

// settle counts a batch of replies into res and clears their pending ids; it returns how many
// answered an outstanding query (a good answer or not).
func settle(in []ipv4.Message, pending *[1 << 16]bool, res *loadResult) (matched int) {
	for i := range in {
		p := in[i].Buffers[0][:in[i].N]
		if len(p) < 12 || !pending[binary.BigEndian.Uint16(p)] {
			res.bad++ // a reply to nothing we asked (or one we already gave up on)
			continue
		}
		pending[binary.BigEndian.Uint16(p)] = false
		matched++
		// QR set, NOERROR, one question, at least one answer.
		if p[2]&0x80 == 0 || p[3]&0x0f != 0 || binary.BigEndian.Uint16(p[6:]) == 0 {
			res.bad++
			continue
		}
		res.answered++
	}
	return matched
}

// lossTimeout is how long a client waits for any reply before it counts its window as lost.
const lossTimeout = 200 * time.Millisecond

// loadClient is one socket's send/receive loop (one goroutine: with one core that is cheaper
// than a sender and a receiver handing off to each other).
func loadClient(ctx context.Context, raddr *net.UDPAddr, queries [][]byte, seed, window int, deadline time.Time) (loadResult, error) {
	conn, err := net.DialUDP("udp", nil, raddr)
	if err != nil {
		return loadResult{}, fmt.Errorf("load client: %w", err)
	}
	defer conn.Close()
	_ = conn.SetReadBuffer(4 << 20)
	pc := ipv4.NewPacketConn(conn)
	out := make([]ipv4.Message, loadBatch)
	in := make([]ipv4.Message, loadBatch)
	for i := range out {
		out[i].Buffers = [][]byte{make([]byte, 0, 512)}
		in[i].Buffers = [][]byte{make([]byte, 4096)}
	}
	var (
		res         loadResult
		pending     [1 << 16]bool
		outstanding int
		id          = uint16(seed * 7919)
		next        = seed
	)
	start := time.Now()
	for ctx.Err() == nil && time.Now().Before(deadline) {
		// Top the window up, a batch at a time, once a few replies have come back (one
		// sendmmsg per reply would make the client the bottleneck again).
		for outstanding == 0 || window-outstanding >= min(window, loadBatch/2) {
			k := min(loadBatch, window-outstanding)
			for i := range k {
				q := queries[next%len(queries)]
				next++
				id++
				for pending[id] {
					id++
				}
				b := append(out[i].Buffers[0][:0], q...)
				binary.BigEndian.PutUint16(b, id)
				out[i].Buffers[0] = b
				pending[id] = true
			}
			w, err := pc.WriteBatch(out[:k], 0)
			if err != nil {
				return res, fmt.Errorf("load send: %w", err)
			}
			res.sent += w
			outstanding += w
			if w < k { // the rest were never sent: forget them
				for i := w; i < k; i++ {
					pending[binary.BigEndian.Uint16(out[i].Buffers[0])] = false
				}
			}
		}
		_ = conn.SetReadDeadline(time.Now().Add(lossTimeout))
		n, err := pc.ReadBatch(in, 0)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				res.lost += outstanding
				outstanding = 0
				clear(pending[:])
				continue
			}
			return res, fmt.Errorf("load receive: %w", err)
		}
		outstanding -= settle(in[:n], &pending, &res)
	}
	res.elapsed = time.Since(start)
	return res, nil
}
