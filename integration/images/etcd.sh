#!/usr/bin/env bash
# ordset-test/etcd:latest: Debian bookworm's etcd-server and etcd-client (etcd 3.4), with a shell,
# so it can also serve as the example's init-container image.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/debian.bash"

etcd_rootfs() {
  mkdir -p "$1/var/lib/etcd"
}

debian_image etcd "etcd-server,etcd-client" etcd_rootfs \
  'EXPOSE 2379 2380' 'CMD ["etcd"]'
