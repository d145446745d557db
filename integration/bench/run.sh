#!/usr/bin/env bash
# Side-by-side benchmarks, run by `make bench` (after `make build images`):
#   1. the StatefulSet engine: ordered start (N=3, 10) and self-heal; ordset (`ordset up` on a
#      private daemon, and the Manager in process) vs the docker CLI, the Engine API from Go and
#      docker-compose (this folder's Go program);
#   2. DNS, when integration/dnsbench is present (owned there; run through its own script).
# Extra arguments go to the engine benchmark, e.g. `run.sh -runs 5 -kills 5`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
export TESTCONTAINERS_RYUK_DISABLED=true

bash integration/images/build.sh testapp
command -v docker-compose >/dev/null || { echo "bench: docker-compose is missing (Debian package docker-compose)" >&2; exit 1; }

bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/enginebench" ./integration/bench
CGO_ENABLED=0 go build -o "$bin/ordset" ./cmd/ordset
"$bin/enginebench" -dir integration/bench -ordset "$bin/ordset" "$@"

if [ -f integration/dnsbench/run.sh ]; then
  echo
  bash integration/dnsbench/run.sh
elif [ -d integration/dnsbench ] && ls integration/dnsbench/*.go >/dev/null 2>&1; then
  echo
  go run ./integration/dnsbench
fi
