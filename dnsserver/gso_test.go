package dnsserver

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
)

func TestGroupReplies(t *testing.T) {
	a := netip.MustParseAddrPort("127.0.0.1:1000")
	b := netip.MustParseAddrPort("127.0.0.1:2000")
	type reply struct {
		to   netip.AddrPort
		size int
	}
	tests := []struct {
		name    string
		replies []reply
		gso     bool
		want    []string // per message: "port:size xN"
	}{
		{"one reply", []reply{{a, 60}}, true, []string{"1000:60x1"}},
		{"same client same size", []reply{{a, 60}, {a, 60}, {a, 60}}, true, []string{"1000:60x3"}},
		{"sizes differ", []reply{{a, 60}, {a, 70}, {a, 60}}, true, []string{"1000:60x2", "1000:70x1"}},
		{"clients differ", []reply{{a, 60}, {b, 60}, {a, 60}, {b, 60}}, true, []string{"1000:60x2", "2000:60x2"}},
		{"without gso", []reply{{a, 60}, {a, 60}}, false, []string{"1000:60x1", "1000:60x1"}},
		{"too big together", []reply{{a, 40000}, {a, 40000}}, true, []string{"1000:40000x1", "1000:40000x1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				replies [][]byte
				addrs   []net.Addr
				srcs    []netip.AddrPort
			)
			for i, r := range tt.replies {
				replies = append(replies, bytes.Repeat([]byte{byte(i)}, r.size))
				addrs = append(addrs, net.UDPAddrFromAddrPort(r.to))
				srcs = append(srcs, r.to)
			}
			msgs := make([]ipv4.Message, udpBatch)
			oobs := make([][]byte, udpBatch)
			for i := range oobs {
				oobs[i] = make([]byte, gsoControlSpace)
			}
			n := groupReplies(msgs, replies, addrs, srcs, oobs, tt.gso && gsoAvailable)
			var got []string
			seen := 0
			for _, m := range msgs[:n] {
				got = append(got, fmt.Sprintf("%d:%dx%d", m.Addr.(*net.UDPAddr).Port, len(m.Buffers[0]), len(m.Buffers)))
				if (len(m.Buffers) > 1) != (m.OOB != nil) {
					t.Errorf("message with %d segments has control data %v", len(m.Buffers), m.OOB)
				}
				seen += len(m.Buffers)
			}
			if !gsoAvailable && tt.gso {
				t.Skip("no UDP segmentation offload on this platform")
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if seen != len(tt.replies) {
				t.Errorf("%d replies in messages, want %d", seen, len(tt.replies))
			}
		})
	}
}

// TestServerBurstFromOneSocket sends many queries from one socket before reading any reply, as
// load tools and busy resolvers do, so replies leave in grouped sends; every query must get its
// own correct answer, whatever the order. The burst repeats: the end of a burst is when a read
// loop gathering the last queries could stall behind another loop's blocking read (it did, about
// once in a hundred bursts), so more bursts make that visible.
func TestServerBurstFromOneSocket(t *testing.T) {
	_, addr := startServer(t, Config{}, testEndpoints())
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const bursts, burst = 30, 200
	for round := range bursts {
		sendBurst(t, conn, round*burst, burst)
	}
}

// sendBurst sends n queries with ids first+1.. from conn, then reads and checks every reply.
func sendBurst(t *testing.T, conn net.Conn, first, n int) {
	t.Helper()
	names := map[string]string{"redis-0.redis.demo" + zs: "10.1.0.2", "redis-1.redis.demo" + zs: "10.1.0.3"}
	want := map[uint16]string{}
	for i := first; i < first+n; i++ {
		name := "redis-0.redis.demo" + zs
		if i%2 == 1 {
			name = "redis-1.redis.demo" + zs
		}
		q := new(dns.Msg).SetQuestion(name, dns.TypeA)
		q.Id = uint16(i + 1)
		b, _ := q.Pack()
		if _, err := conn.Write(b); err != nil {
			t.Fatal(err)
		}
		want[q.Id] = name
	}
	buf := make([]byte, 65535)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for len(want) > 0 {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("burst from id %d: %d replies missing: %v", first+1, len(want), err)
		}
		m := new(dns.Msg)
		if err := m.Unpack(buf[:n]); err != nil {
			t.Fatalf("reply does not unpack (segments glued together?): %v", err)
		}
		name, ok := want[m.Id]
		if !ok {
			t.Fatalf("unexpected or duplicate reply id %d", m.Id)
		}
		delete(want, m.Id)
		if len(m.Question) != 1 || !strings.EqualFold(m.Question[0].Name, name) {
			t.Fatalf("reply %d answers %v, want %s", m.Id, m.Question, name)
		}
		if got := rdata(m.Answer); len(got) != 1 || strings.TrimSpace(got[0]) != names[name] {
			t.Fatalf("reply %d for %s: %v, want %s", m.Id, name, got, names[name])
		}
	}
}

// TestServerManyQueriesOneTCPConnection: a client may keep one connection for as many queries as
// it likes (the library's default closed it after 128, dropping queries in flight).
func TestServerManyQueriesOneTCPConnection(t *testing.T) {
	_, addr := startServer(t, Config{}, testEndpoints())
	c := &dns.Client{Net: "tcp", Timeout: 2 * time.Second}
	conn, err := c.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for i := range 300 {
		q := new(dns.Msg).SetQuestion("redis-0.redis.demo"+zs, dns.TypeA)
		m, _, err := c.ExchangeWithConn(q, conn)
		if err != nil {
			t.Fatalf("query %d on one connection: %v", i+1, err)
		}
		if got := rdata(m.Answer); len(got) != 1 || strings.TrimSpace(got[0]) != "10.1.0.2" {
			t.Fatalf("query %d: %v", i+1, got)
		}
	}
}

// TestSendBatchSegments sends grouped replies through a real socket and reads them on another:
// each segment must arrive as its own datagram, byte for byte, and on Linux the grouped send must
// have been accepted (no fallback).
func TestSendBatchSegments(t *testing.T) {
	server, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	client, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	to := client.LocalAddr().(*net.UDPAddr)
	l := &listener{udp: server, bound: server.LocalAddr().(*net.UDPAddr).AddrPort()}
	var (
		replies [][]byte
		addrs   []net.Addr
		srcs    []netip.AddrPort
	)
	for i := range 20 {
		size := 60
		if i%5 == 4 {
			size = 90 // a different size goes in a message of its own group
		}
		replies = append(replies, bytes.Repeat([]byte{byte('a' + i)}, size))
		addrs = append(addrs, to)
		srcs = append(srcs, to.AddrPort())
	}
	msgs := make([]ipv4.Message, udpBatch)
	oobs := make([][]byte, udpBatch)
	for i := range oobs {
		oobs[i] = make([]byte, gsoControlSpace)
	}
	n := groupReplies(msgs, replies, addrs, srcs, oobs, gsoAvailable)
	s := &Server{log: quietLogger()}
	if !s.sendBatch(l, newBatchConn(server, l.bound), msgs[:n]) {
		t.Fatal("sendBatch reported a closed socket")
	}
	if gsoAvailable && l.noGSO.Load() {
		t.Error("the kernel refused the grouped send; replies went out one by one")
	}
	want := map[string]bool{}
	for _, r := range replies {
		want[string(r)] = true
	}
	buf := make([]byte, 65535)
	_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
	for range replies {
		k, err := client.Read(buf)
		if err != nil {
			t.Fatalf("%d datagrams missing: %v", len(want), err)
		}
		if !want[string(buf[:k])] {
			t.Fatalf("unexpected datagram of %d bytes %q", k, buf[:min(k, 8)])
		}
		delete(want, string(buf[:k]))
	}
}
