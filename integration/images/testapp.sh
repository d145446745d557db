#!/usr/bin/env bash
# Builds ordset-test/testapp:latest FROM scratch: the static test app (integration/testapp) at
# /testapp (and /bin/testapp), with empty /tmp and /data. Skipped when the sources are unchanged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../testapp" && pwd)
. "$here/lib.sh"

tag=ordset-test/testapp:latest
need_cmd go golang-go
srcs=$(find "$src" -maxdepth 1 -name '*.go' ! -name '*_test.go' | sort)
hash=$( { cat $srcs "$here/testapp.sh"; go env GOVERSION; } | sha256sum | cut -c1-16)
if image_current "$tag" "$hash"; then
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Build in a scratch module: the test app uses only the standard library, so it never depends
# on the state of the main module's go.mod.
mkdir -p "$tmp/src" "$tmp/rootfs/bin" "$tmp/rootfs/tmp" "$tmp/rootfs/data"
cp $srcs "$tmp/src/"
printf 'module ordset.test/testapp\n\ngo 1.22\n' >"$tmp/src/go.mod"
(cd "$tmp/src" && CGO_ENABLED=0 GOWORK=off GOFLAGS=-mod=mod go build -trimpath -ldflags='-s -w' -o "$tmp/rootfs/testapp" .)
ln -s /testapp "$tmp/rootfs/bin/testapp"
chmod 1777 "$tmp/rootfs/tmp"

tar --numeric-owner --owner=0 --group=0 -C "$tmp/rootfs" -c . |
  docker import \
    --change 'ENTRYPOINT ["/testapp"]' \
    --change 'EXPOSE 8080/tcp 9000/tcp' \
    --change 'LABEL io.ordset.test=1' \
    --change "LABEL io.ordset.test.hash=$hash" \
    - "$tag" >/dev/null
