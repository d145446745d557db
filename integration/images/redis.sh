#!/usr/bin/env bash
# ordset-test/redis:latest: Debian bookworm's redis-server and redis-tools, shaped like the
# official redis image where the examples rely on it (redis-server and redis-cli on PATH,
# a /data working directory, a shell).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/debian.bash"

redis_rootfs() {
  mkdir -p "$1/data"
  # Debian's packaged config daemonizes and logs to a file; the image runs redis in the foreground.
  rm -f "$1/etc/redis/redis.conf"
}

debian_image redis "redis-server,redis-tools" redis_rootfs \
  'WORKDIR /data' 'EXPOSE 6379' 'CMD ["redis-server", "--protected-mode", "no"]'
