#!/usr/bin/env bash
# The hand-written peer of `ordset up`: what a careful user does with the docker CLI alone to
# start a set in order. For each ordinal: create its volume, run its container on a
# user-defined network, and poll the readiness endpoint every 10 ms before starting the next.
#
#   baseline.sh up   NAME N IMAGE PORT   # prints nothing; exit 0 once every pod answers /ready
#   baseline.sh down NAME N              # removes containers, volumes and the network
#
# Every object carries io.ordset.test.object=1 so a crashed run can be swept.
set -euo pipefail
cmd=$1 name=$2 n=$3
label=io.ordset.test.object=1

case "$cmd" in
up)
  image=$4 port=$5
  docker network create --label "$label" "$name" >/dev/null
  for ((i = 0; i < n; i++)); do
    docker volume create --label "$label" "${name}_data-$i" >/dev/null
    docker run -d --name "$name-$i" --hostname "app-$i" --network "$name" --label "$label" \
      -v "${name}_data-$i:/data" "$image" >/dev/null
    ip=$(docker inspect -f "{{ (index .NetworkSettings.Networks \"$name\").IPAddress }}" "$name-$i")
    until curl -fso /dev/null --max-time 1 "http://$ip:$port/ready"; do sleep 0.01; done
  done
  ;;
down)
  for ((i = 0; i < n; i++)); do
    docker rm -f "$name-$i" >/dev/null 2>&1 || true
    docker volume rm -f "${name}_data-$i" >/dev/null 2>&1 || true
  done
  docker network rm "$name" >/dev/null 2>&1 || true
  ;;
*)
  echo "usage: baseline.sh up|down NAME N [IMAGE PORT]" >&2
  exit 2
  ;;
esac
