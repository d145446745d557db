#!/usr/bin/env bash
# Side-by-side DNS benchmark on loopback: ordset's embedded DNS server against dnsmasq, serving
# the same names (3 namespaces x 5 sets x 5 pods: 75 pod names + 15 service names), each server
# pinned to one core and dnsperf pinned to another, same query file, same duration. A third run
# repeats ordset while it republishes a fresh snapshot every 10 ms, to price snapshot swaps.
#
# Needs: go, dnsperf, dnsmasq, taskset (apt-get install dnsperf dnsmasq).
# Knobs: DURATION (s, default 10), ROUNDS (default 1), SERVER_CPU (0), CLIENT_CPU (1),
#        ORDSET_PORT (23530), DNSMASQ_PORT (23540): the first free port from there, REPUBLISH (10ms).
# dnsmasq runs with its default cache; hosts-file names are answered from its hash table, which
# the cache size does not limit. Idempotent: every server started here is stopped on exit.
set -euo pipefail

DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-1}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
ORDSET_PORT=${ORDSET_PORT:-23530}
DNSMASQ_PORT=${DNSMASQ_PORT:-23540}
REPUBLISH=${REPUBLISH:-10ms}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

for tool in go dnsperf dnsmasq taskset; do
	command -v "$tool" >/dev/null || { echo "dnsbench: $tool not found (apt-get install -y dnsperf dnsmasq)" >&2; exit 2; }
done

work=$(mktemp -d)
chmod 755 "$work" # dnsmasq drops privileges before it reads the hosts file
server_pid=""

stop_server() {
	if [[ -n "$server_pid" ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}
cleanup() {
	stop_server
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port P: the first port from P up that is free for both UDP and TCP.
free_port() {
	local p=$1
	while ss -Hlnu "sport = :$p" | grep -q . || ss -Hlnt "sport = :$p" | grep -q .; do
		p=$((p + 1))
	done
	echo "$p"
}
ORDSET_PORT=$(free_port "$ORDSET_PORT")
DNSMASQ_PORT=$(free_port "$DNSMASQ_PORT")
[[ $DNSMASQ_PORT != "$ORDSET_PORT" ]] || DNSMASQ_PORT=$(free_port $((ORDSET_PORT + 1)))

(cd "$root" && go build -o "$work/dnsbench" ./integration/dnsbench)
"$work/dnsbench" gen -hosts "$work/hosts" -queries "$work/queries"
probe_name=$(head -n1 "$work/queries" | cut -d' ' -f1)

# wait_ready PORT: poll until the server answers (no fixed sleep).
wait_ready() {
	local deadline=$((SECONDS + 10))
	until "$work/dnsbench" query -addr "127.0.0.1:$1" "$probe_name" >/dev/null 2>&1; do
		if ((SECONDS > deadline)); then
			echo "dnsbench: server on port $1 did not answer within 10s" >&2
			exit 1
		fi
		sleep 0.05
	done
}

start_dnsmasq() {
	taskset -c "$SERVER_CPU" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--addn-hosts="$work/hosts" --listen-address=127.0.0.1 --bind-interfaces --port="$DNSMASQ_PORT" \
		--pid-file= --local-ttl=5 --log-facility="$work/dnsmasq.log" &
	server_pid=$!
	wait_ready "$DNSMASQ_PORT"
}

start_ordset() { # $1: republish interval or 0
	rm -f "$work/stats"
	taskset -c "$SERVER_CPU" "$work/dnsbench" serve -addr "127.0.0.1:$ORDSET_PORT" -republish "$1" -stats "$work/stats" &
	server_pid=$!
	wait_ready "$ORDSET_PORT"
}

# cpu_ticks: user+system clock ticks the server process has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

# perf NAME PORT: run dnsperf against the running server and append one result line:
# name qps avg_ms max_ms sent lost rcodes server_cpu_seconds
perf() {
	local out="$work/perf-$1.txt" t0 t1
	t0=$(cpu_ticks)
	taskset -c "$CLIENT_CPU" dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries" -l "$DURATION" -c 1 -q 100 >"$out" 2>&1
	t1=$(cpu_ticks)
	awk -v name="$1" -v cpu="$(awk -v d=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { print d / hz }')" '
		/Queries sent:/ { sent = $3 }
		/Queries lost:/ { lost = $3 }
		/Response codes:/ { codes = $0; sub(/.*Response codes: */, "", codes); gsub(/ /, "_", codes) }
		/Queries per second:/ { qps = $4 }
		/Average Latency/ { avg = $4; max = $8; sub(/\)/, "", max) }
		END { printf "%s %.0f %.3f %.3f %d %d %s %s\n", name, qps, avg * 1000, max * 1000, sent, lost, codes, cpu }
	' "$out" >>"$work/results"
}

: >"$work/results"
for round in $(seq 1 "$ROUNDS"); do
	start_dnsmasq
	perf "dnsmasq#$round" "$DNSMASQ_PORT"
	stop_server

	start_ordset 0
	perf "ordset#$round" "$ORDSET_PORT"
	stop_server

	start_ordset "$REPUBLISH"
	perf "ordset+swaps#$round" "$ORDSET_PORT"
	stop_server
	read -r publishes worst <"$work/stats"
	echo "swaps#$round $publishes $worst" >>"$work/results"
done

echo
echo "DNS benchmark: loopback, ${DURATION}s per run, server on CPU $SERVER_CPU, dnsperf (-c 1 -q 100) on CPU $CLIENT_CPU"
echo "$(wc -l <"$work/queries") in-zone A queries (pod FQDNs and service names), no EDNS; dnsmasq $(dnsmasq --version | awk 'NR==1{print $3}') default cache"
echo
awk -v dur="$DURATION" -v rounds="$ROUNDS" '
	/^swaps#/ { split($1, r, "#"); swaps[r[2]] = $2; worst[r[2]] = $3; next }
	{
		split($1, r, "#"); k = r[1]; rr = r[2]; n++
		row[n] = $0; nm[n] = k; rd[n] = rr
		qps[k, rr] = $2; cpu[k, rr] = $8; done[k, rr] = $5 - $6
		tq[k] += $5 - $6; tc[k] += $8
	}
	END {
		printf "%-14s %5s %9s %8s %8s %9s %5s %8s %9s  %s\n", "server", "round", "QPS", "avg ms", "max ms", "sent", "lost", "srv CPU", "CPU us/q", "rcodes"
		for (i = 1; i <= n; i++) {
			split(row[i], f, " ")
			printf "%-14s %5s %9d %8s %8s %9d %5d %7.0f%% %9.2f  %s\n", nm[i], rd[i], f[2], f[3], f[4], f[5], f[6], f[8] * 100 / dur, (f[5] - f[6] ? f[8] * 1e6 / (f[5] - f[6]) : 0), f[7]
		}
		print ""
		for (rr = 1; rr <= rounds; rr++) {
			b = qps["dnsmasq", rr]; o = qps["ordset", rr]; s = qps["ordset+swaps", rr]
			printf "round %d: ordset/dnsmasq QPS %.2f, server CPU per query ordset/dnsmasq %.2f (lower is better)\n", rr, (b ? o / b : 0),
				(cpu["dnsmasq", rr] && done["ordset", rr] ? (cpu["ordset", rr] / done["ordset", rr]) / (cpu["dnsmasq", rr] / done["dnsmasq", rr]) : 0)
			printf "round %d: swaps every %s: %d publishes, slowest build+swap %s, QPS delta %+.1f%% vs no swaps\n", rr, period, swaps[rr], worst[rr], (o ? (s - o) * 100 / o : 0)
		}
		if (tq["dnsmasq"] && tq["ordset"]) {
			printf "all rounds: ordset/dnsmasq QPS %.2f, CPU per query ordset/dnsmasq %.2f; ordset+swaps/ordset QPS %.2f\n",
				tq["ordset"] / tq["dnsmasq"], (tc["ordset"] / tq["ordset"]) / (tc["dnsmasq"] / tq["dnsmasq"]), tq["ordset+swaps"] / tq["ordset"]
		}
	}
' period="$REPUBLISH" "$work/results"
