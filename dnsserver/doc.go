// Package dnsserver is the embedded DNS server that answers Kubernetes-style names for pods and
// headless services from an immutable snapshot, and forwards everything else upstream.
//
// The controller converts its pods into plain Endpoint values and calls Server.Publish (or
// builds a Snapshot with NewSnapshot and calls Server.Swap). A snapshot precomputes every name,
// including empty non-terminals, into a map keyed by the lowercase FQDN, and packs the wire reply
// of every (name, type) once; the server holds it in an atomic pointer, so a query never takes a
// lock and a publish is visible to the very next query.
//
// UDP listeners run their own read loops: a plain in-zone question is answered by copying the
// packed reply and patching ID, flags, question (the client's spelling) and the OPT record,
// without allocating. Everything else (truncation, unusual EDNS, ANY, NXDOMAIN, malformed
// packets) takes the general miekg/dns path, which TCP listeners always use and which built the
// packed replies in the first place.
//
// Names outside the zone go to the upstream resolvers (resolv.conf by default) with failover,
// a per-upstream timeout and a TCP retry of truncated answers; upstreams that are our own
// listeners are skipped. The server is never an open resolver: only loopback and the allowed
// client networks (the ordset bridges' subnets) get answers; everybody else is REFUSED.
package dnsserver
