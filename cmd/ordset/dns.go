package main

import (
	"context"
	"fmt"
	"github.com/ordset/ordset/orchestrator/identity"
	"net"
	"os"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/urfave/cli/v2"

	"github.com/ordset/ordset/dnsserver"
)

func dnsCommand(s *streams) *cli.Command {
	return &cli.Command{
		Name:  "dns",
		Usage: "query the daemon's embedded DNS server",
		Description: `Examples:
   ordset dns resolve redis-0.redis
   ordset dns resolve _redis._tcp.redis SRV`,
		Subcommands: []*cli.Command{{
			Name:      "resolve",
			Usage:     "resolve a name (A by default) and print the answers",
			ArgsUsage: "NAME [TYPE]",
			Description: `Names without a trailing dot go through the pods' search path
(<ns>.svc.<zone>, svc.<zone>, <zone>), so "redis-0.redis" works as inside a pod.
An IP address is looked up as PTR (the pod's name). Exits 1 when there is no answer,
saying whether the name does not exist (NXDOMAIN) or exists without records of that
type (NODATA). -o json or yaml prints the query, the name answered, the rcode and the records.

Examples:
   ordset dns resolve redis-0.redis.demo.svc.cluster.local
   ordset dns resolve redis -n demo
   ordset dns resolve _redis._tcp.redis.demo.svc.cluster.local SRV
   ordset dns resolve 172.18.0.2
   ordset dns resolve redis-0.redis -o json`,
			Action: action(s, runDNSResolve),
		}},
	}
}

// dnsAnswer is dns resolve's result, as -o json/yaml prints it.
type dnsAnswer struct {
	Query   string     `json:"query"`
	Type    string     `json:"type"`
	Name    string     `json:"name"` // the candidate of the search path that answered
	Rcode   string     `json:"rcode"`
	NoData  bool       `json:"nodata"` // the name exists, with no records of this type
	Records []dnsEntry `json:"records"`
}

type dnsEntry struct {
	Name string `json:"name"`
	Type string `json:"type"`
	TTL  uint32 `json:"ttl"`
	Data string `json:"data"`
	text string
}

func runDNSResolve(ctx context.Context, in invocation, s *streams) error {
	if len(in.args) < 1 || len(in.args) > 2 {
		return usageErrorf("dns resolve needs NAME [TYPE]")
	}
	out, err := in.outputFormat("text", dataFormats("text")...)
	if err != nil {
		return err
	}
	name, qtype, err := dnsQuestion(in.arg(0), in.arg(1))
	if err != nil {
		return err
	}
	ns, cl, err := connectNamespace(ctx, in, s)
	if err != nil {
		return err
	}
	st, err := cl.Status(ctx)
	if err != nil {
		return err
	}
	server := firstNonEmpty(st.DNS.HostAddr, os.Getenv("ORDSET_DNS_ADDR"), dnsserver.DefaultHostAddr)
	zone := firstNonEmpty(st.DNS.Zone, identity.DefaultZone)
	var replies []*dns.Msg
	var lastErr error
	for _, cand := range searchCandidates(name, ns, zone) {
		qctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		m, err := dnsserver.Query(qctx, server, cand, qtype)
		cancel()
		if err != nil { // one candidate failing (an upstream's odd reply) must not hide the others
			lastErr = fmt.Errorf("query %s at %s: %w", cand, server, err)
			continue
		}
		replies = append(replies, m)
		if m.Rcode == dns.RcodeSuccess && len(m.Answer) > 0 {
			break
		}
	}
	if len(replies) == 0 {
		return lastErr
	}
	ans := pickAnswer(in.arg(0), qtype, replies)
	if isData(out) {
		if err := writeData(s.Out, out, ans); err != nil {
			return err
		}
	} else {
		for _, r := range ans.Records {
			fmt.Fprintln(s.Out, r.text)
		}
	}
	if len(ans.Records) > 0 {
		return nil
	}
	if ans.NoData {
		return fmt.Errorf("%s: NODATA (%s exists, with no %s records)", ans.Query, strings.TrimSuffix(ans.Name, "."), ans.Type)
	}
	return fmt.Errorf("%s: %s (no %s records)", ans.Query, ans.Rcode, ans.Type)
}

// dnsQuestion turns NAME [TYPE] into a question; an address asks for its pod name (PTR),
// as "dig -x" does.
func dnsQuestion(name, typ string) (string, uint16, error) {
	qtype, err := dnsserver.ParseType(typ)
	if err != nil {
		return "", 0, usageErrorf("%v", err)
	}
	if ip := net.ParseIP(name); ip != nil && (typ == "" || qtype == dns.TypePTR) {
		rev, err := dns.ReverseAddr(name)
		if err != nil {
			return "", 0, usageErrorf("reverse name of %s: %v", name, err)
		}
		return rev, dns.TypePTR, nil
	}
	if err := checkDNSName(name); err != nil {
		return "", 0, usageErrorf("%v", err)
	}
	return name, qtype, nil
}

// maxNameLen is the longest name in text form without the final dot (255 octets on the wire).
const maxNameLen = 253

// checkDNSName rejects what no DNS message can carry, before any query: the DNS library would
// only say "bad rdata" for a label over 63 characters.
func checkDNSName(name string) error {
	if n := len(strings.TrimSuffix(name, ".")); n > maxNameLen {
		return fmt.Errorf("%q is longer than %d characters (%d), the most a DNS name can have", name, maxNameLen, n)
	}
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		switch {
		case l == "":
			return fmt.Errorf("%q has an empty label (two dots in a row, or a leading dot)", name)
		case len(l) > 63:
			return fmt.Errorf("label %q of %q is longer than 63 characters, the most a DNS label can have", l, name)
		}
	}
	return nil
}

// searchCandidates applies the pods' search path to a relative name, as their resolver does;
// a name already in the zone is taken as it is. A candidate too long to be a DNS name is
// skipped, as a resolver skips it: with a namespace and set names near the 63-character label
// limit, "<pod>.<set>.<ns>" plus "<ns>.svc.<zone>" is over 253 characters.
func searchCandidates(name, ns, zone string) []string {
	lower := strings.ToLower(name)
	if strings.HasSuffix(name, ".") || strings.HasSuffix(lower, "."+zone) {
		return []string{name}
	}
	var out []string
	for _, suffix := range []string{ns + ".svc." + zone, "svc." + zone, zone} {
		if c := name + "." + suffix; !strings.HasSuffix(lower, suffix) && len(c) <= maxNameLen {
			out = append(out, c)
		}
	}
	return append(out, name)
}

// pickAnswer chooses the reply to report: the first with records, else the first NODATA (the
// name exists: that is what the user needs to hear, not the NXDOMAIN of a later candidate),
// else the last reply.
func pickAnswer(query string, qtype uint16, replies []*dns.Msg) dnsAnswer {
	chosen := replies[len(replies)-1]
	for _, m := range replies {
		if m.Rcode == dns.RcodeSuccess && len(m.Answer) > 0 {
			chosen = m
			break
		}
	}
	if len(chosen.Answer) == 0 {
		for _, m := range replies {
			if m.Rcode == dns.RcodeSuccess {
				chosen = m
				break
			}
		}
	}
	ans := dnsAnswer{Query: query, Type: dns.TypeToString[qtype], Rcode: dns.RcodeToString[chosen.Rcode], Records: []dnsEntry{}}
	if len(chosen.Question) > 0 {
		ans.Name = chosen.Question[0].Name
	}
	ans.NoData = chosen.Rcode == dns.RcodeSuccess && len(chosen.Answer) == 0
	for _, rr := range append(append([]dns.RR{}, chosen.Answer...), chosen.Extra...) {
		if _, opt := rr.(*dns.OPT); opt {
			continue
		}
		h := rr.Header()
		data := strings.TrimPrefix(rr.String(), h.String())
		ans.Records = append(ans.Records, dnsEntry{Name: h.Name, Type: dns.TypeToString[h.Rrtype], TTL: h.Ttl, Data: data, text: rr.String()})
	}
	if len(chosen.Answer) == 0 {
		ans.Records = ans.Records[:0] // extras without answers are not an answer
	}
	return ans
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
