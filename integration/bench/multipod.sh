#!/usr/bin/env bash
# Time `ordset up` (until every pod is Ready) and `ordset down` of 3 one-container pods against 3
# two-container pods sharing an emptyDir (so with an infrastructure container each), on a
# private daemon and unique namespaces, with the offline busybox image (`make build images`).
# Usage: integration/bench/multipod.sh [ROUNDS]   (ORDSET=path/to/ordset, default bin/ordset)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${ORDSET:-$root/bin/ordset}
work=$(mktemp -d)
export ORDSET_STATE_DIR=$work/state ORDSET_DNS_ADDR=127.0.0.1:$((20000 + RANDOM % 20000))
export ORDSET_EXTRA_LABELS=io.ordset.test.object=1 NO_COLOR=1
trap '"$bin" daemon stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
for round in $(seq "${1:-3}"); do
  for kind in single multi; do
    ns=bench$kind$round$RANDOM
    if [ $kind = single ]; then
      pod='    image: ordset-test/busybox:latest
    imagePullPolicy: Never
    command: [sleep, "3600"]'
    else
      pod='    containers:
      - {name: main, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [sleep, "3600"], volumeMounts: [{name: s, mountPath: /s}]}
      - {name: side, image: ordset-test/busybox:latest, imagePullPolicy: Never, command: [sleep, "3600"], volumeMounts: [{name: s, mountPath: /s}]}
    volumes: [{name: s, emptyDir: {}}]'
    fi
    printf 'namespace: %s\nstatefulsets:\n  web:\n    replicas: 3\n    terminationGracePeriodSeconds: 1\n%s\n' "$ns" "$pod" >"$work/$ns.yaml"
    start=$(date +%s%N); "$bin" up -f "$work/$ns.yaml" --timeout 2m >/dev/null 2>&1; up=$(( ($(date +%s%N) - start) / 1000000 ))
    start=$(date +%s%N); "$bin" down -n "$ns" --volumes --timeout 1m >/dev/null 2>&1; down=$(( ($(date +%s%N) - start) / 1000000 ))
    echo "round $round $kind: up (3 pods Ready) ${up} ms, down ${down} ms"
  done
done
