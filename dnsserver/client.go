package dnsserver

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// Query asks serverAddr ("ip:port") for name (made fully qualified) of type qtype over UDP with
// EDNS0, retrying over TCP when the answer is truncated, like dig. A negative answer (NXDOMAIN,
// SERVFAIL, ...) is not an error: inspect the reply's Rcode.
func Query(ctx context.Context, serverAddr, name string, qtype uint16) (*dns.Msg, error) {
	if _, _, err := net.SplitHostPort(serverAddr); err != nil {
		serverAddr = net.JoinHostPort(serverAddr, "53")
	}
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	q.SetEdns0(ednsSize, false)
	c := &dns.Client{Net: "udp"}
	m, _, err := c.ExchangeContext(ctx, q, serverAddr)
	if err == nil && m.Truncated {
		c.Net = "tcp"
		m, _, err = c.ExchangeContext(ctx, q, serverAddr)
	}
	if err != nil {
		return nil, fmt.Errorf("query %s %s at %s: %w", dns.Fqdn(name), dns.TypeToString[qtype], serverAddr, err)
	}
	return m, nil
}

// ParseType turns "A", "srv", "AAAA", ... into a query type; empty means A.
func ParseType(s string) (uint16, error) {
	if s == "" {
		return dns.TypeA, nil
	}
	t, ok := dns.StringToType[strings.ToUpper(s)]
	if !ok {
		return 0, fmt.Errorf("unknown DNS record type %q", s)
	}
	return t, nil
}

// FormatShort prints the answer section the way `dig +short` does: one record's data per line
// ("10.0.0.2", "0 33 6379 redis-0.redis.demo.svc.cluster.local."). A reply without answers
// gives its status instead ("NXDOMAIN", or "NOERROR (no records)" for NODATA), so the command
// never prints nothing.
func FormatShort(m *dns.Msg) string {
	var b strings.Builder
	for _, rr := range m.Answer {
		h := rr.Header().String()
		b.WriteString(strings.TrimPrefix(rr.String(), h))
		b.WriteByte('\n')
	}
	if len(m.Answer) == 0 {
		status := dns.RcodeToString[m.Rcode]
		if m.Rcode == dns.RcodeSuccess {
			status += " (no records)"
		}
		b.WriteString(status + "\n")
	}
	return b.String()
}
