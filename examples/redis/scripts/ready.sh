#!/bin/sh
# Readiness: the server answers, and a replica has a live, synced link to its primary.
set -eu

[ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = PONG ] || exit 1

pod=${POD_NAME:-$(hostname)}
ordinal=${POD_ORDINAL:-${pod##*-}}
[ "$ordinal" = 0 ] && exit 0

redis-cli -h 127.0.0.1 -p 6379 info replication | grep -q '^master_link_status:up'
