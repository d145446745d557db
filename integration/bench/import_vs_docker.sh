#!/usr/bin/env bash
# Time from `ordset up -f` of a 3-replica Kubernetes manifest (exec readiness probe, one claim
# per pod) to every pod Ready, against the same pods started by hand with the docker CLI: per
# ordinal, `docker volume create`, `docker run` on a user-defined network, then `docker exec`
# of the same probe every 10 ms until it passes, before the next ordinal (what OrderedReady
# does). Rounds alternate (ordset, hand, ordset, ...) so a noisy moment hurts both; the median of
# ROUNDS is reported with the machine's load. Run from the repository root:
#
#   bash integration/bench/import_vs_docker.sh [ROUNDS]     # default 3; needs `make images`
#
# It starts a private daemon (its own state dir and DNS port) and removes only what it made;
# every object carries io.ordset.test.object=1 so a crashed run can be swept.
set -euo pipefail
rounds=${1:-3}
replicas=3
image=ordset-test/busybox:latest
label=io.ordset.test.object=1
docker image inspect "$image" >/dev/null || { echo "no $image: run make images" >&2; exit 1; }

tmp=$(mktemp -d /tmp/ordset-impbench.XXXXXX)
bin=$tmp/ordset
go build -tags urfave_cli_no_docs -o "$bin" ./cmd/ordset # the tags of make build
export ORDSET_STATE_DIR=$tmp/state ORDSET_EXTRA_LABELS=$label NO_COLOR=1
export ORDSET_DNS_ADDR=127.0.0.1:$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" daemon >"$tmp/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 300); do "$bin" daemon status >/dev/null 2>&1 && break; sleep 0.1; done
id=ib$RANDOM

cleanup() {
  for ns in $(seq -f "$id-o%g" 1 "$rounds"); do "$bin" down -n "$ns" --volumes --timeout 1m >/dev/null 2>&1 || true; done
  "$bin" daemon stop >/dev/null 2>&1 || kill "$daemon" 2>/dev/null || true
  wait "$daemon" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

manifest() { # namespace
  cat <<EOF
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: $1}
spec:
  serviceName: web
  replicas: $replicas
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: $image
        imagePullPolicy: Never
        command: [sh, -c, "touch /tmp/ready; exec sleep 3600"]
        readinessProbe:
          exec: {command: [test, -e, /tmp/ready]}
          periodSeconds: 1
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
EOF
}

by_hand() { # name
  docker network create --label "$label" "$1" >/dev/null
  for ((i = 0; i < replicas; i++)); do
    docker volume create --label "$label" "${1}_data-$i" >/dev/null
    docker run -d --name "$1-$i" --hostname "web-$i" --network "$1" --label "$label" \
      -v "${1}_data-$i:/data" "$image" sh -c "touch /tmp/ready; exec sleep 3600" >/dev/null
    until docker exec "$1-$i" test -e /tmp/ready 2>/dev/null; do sleep 0.01; done
  done
}

by_hand_down() { # name
  for ((i = 0; i < replicas; i++)); do
    docker rm -f "$1-$i" >/dev/null 2>&1 || true
    docker volume rm -f "${1}_data-$i" >/dev/null 2>&1 || true
  done
  docker network rm "$1" >/dev/null 2>&1 || true
}

secs() { python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) / 1e9:.2f}')" "$1" "$2"; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
ordset_times=() hand_times=()
for r in $(seq "$rounds"); do
  ns=$id-o$r
  manifest "$ns" >"$tmp/web-$r.yaml"
  t0=$(date +%s%N)
  "$bin" up -f "$tmp/web-$r.yaml" --progress plain --timeout 5m >"$tmp/up-$r.log" 2>&1 || { cat "$tmp/up-$r.log" >&2; exit 1; }
  t1=$(date +%s%N)
  ordset_times+=("$(secs "$t0" "$t1")")
  "$bin" down -n "$ns" --volumes --timeout 1m >/dev/null 2>&1

  name=$id-h$r
  t0=$(date +%s%N)
  by_hand "$name"
  t1=$(date +%s%N)
  hand_times+=("$(secs "$t0" "$t1")")
  by_hand_down "$name"
  echo "round $r: ordset up -f ${ordset_times[-1]}s, by hand ${hand_times[-1]}s" >&2
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "3-replica manifest (OrderedReady, exec readiness probe, one volume per pod) to all Ready, $rounds rounds"
echo "machine: $(nproc) cores, load average $load_before before, $load_after after"
printf '%-34s %s   (rounds: %s)\n' "ordset up -f web.yaml" "$(median "${ordset_times[@]}")s" "${ordset_times[*]}"
printf '%-34s %s   (rounds: %s)\n' "docker volume/run/exec by hand" "$(median "${hand_times[@]}")s" "${hand_times[*]}"
