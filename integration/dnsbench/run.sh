#!/usr/bin/env bash
# Side-by-side DNS benchmark on loopback: ordset's embedded DNS server against dnsmasq, serving
# the same names (3 pod names; 75 pod names + 15 service names), each server pinned to one core
# and the load tool to another, UDP with 1 and 4 clients (dnsperf and the batch generator) and
# TCP. Prints a markdown table (stdout); progress goes to stderr.
#
# Needs: go, dnsperf, dnsmasq, taskset (apt-get install -y dnsperf dnsmasq).
# Knobs: ROUNDS (3), DURATION (5s), SERVER_CPU (0), CLIENT_CPU (1), DNS_PORT (23530), SUMMARY
#        (a file to append the summary table's rows to), ONLY (run only the rows whose
#        "names, load" label contains one of these strings, separated by ";": e.g.
#        ONLY='dnsperf, 4' for the two "UDP dnsperf, 4 clients" rows),
#        AUTOGROUP_NICE (-10): the benchmark runs under setsid, in its own scheduling group that gets
#        this nice value, so other work on a shared machine does not decide the ratio (both
#        servers run in that same group). Idempotent: every server started here is stopped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
for tool in go dnsperf dnsmasq taskset setsid; do
	command -v "$tool" >/dev/null || { echo "dnsbench: $tool not found (apt-get install -y dnsperf dnsmasq)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/dnsbench" ./integration/dnsbench)
port=${DNS_PORT:-23530}
while ss -Hlnu "sport = :$port" | grep -q . || ss -Hlnt "sport = :$port" | grep -q .; do port=$((port + 1)); done
setsid -w bash -c 'echo "$1" >/proc/self/autogroup 2>/dev/null || true; shift; exec "$@"' _ "${AUTOGROUP_NICE:--10}" \
	"$work/dnsbench" bench -rounds "${ROUNDS:-3}" -duration "${DURATION:-5s}" -server-cpu "${SERVER_CPU:-0}" \
	-client-cpu "${CLIENT_CPU:-1}" -port "$port" ${SUMMARY:+-summary "$SUMMARY"} \
	${ONLY:+-only "$ONLY"}

