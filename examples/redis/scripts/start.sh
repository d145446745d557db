#!/bin/sh
# Starts redis-server for this pod: ordinal 0 is the primary, the others replicate from
# redis-0 through the stable name redis-0.<service> (resolved via the pod's DNS search path).
# Append-only persistence keeps each pod's data on its own volume at /data.
set -eu

pod=${POD_NAME:-$(hostname)}
ordinal=${POD_ORDINAL:-${pod##*-}}
service=${REDIS_SERVICE:-redis}

set -- redis-server \
  --port 6379 \
  --bind 0.0.0.0 \
  --protected-mode no \
  --dir /data \
  --appendonly yes \
  --appendfsync everysec \
  --repl-diskless-sync-delay 0 \
  --replica-announce-ip "$pod.$service"

if [ "$ordinal" != 0 ]; then
  set -- "$@" --replicaof "redis-0.$service" 6379
fi

echo "starting $pod (ordinal $ordinal) as $([ "$ordinal" = 0 ] && echo primary || echo replica)"
exec "$@"
