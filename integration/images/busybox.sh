#!/usr/bin/env bash
# Builds ordset-test/busybox:latest FROM scratch from Debian's busybox-static: /bin/busybox with
# a symlink per applet (sh, nslookup, wget, nc, sleep, cat, ...), /tmp, and a minimal /etc.
# Skipped when the busybox binary and this recipe are unchanged.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

tag=ordset-test/busybox:latest
# Debian's busybox-static ships /bin/busybox; the dynamic "busybox" package would not run in scratch.
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing busybox-static" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null || {
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null; }
  fi
fi
need_cmd busybox busybox-static
bb=/bin/busybox
if ldd "$bb" >/dev/null 2>&1; then
  echo "busybox.sh: $bb is dynamically linked; install the Debian package busybox-static" >&2
  exit 1
fi
hash=$( { sha256sum <"$bb"; cat "$here/busybox.sh"; } | sha256sum | cut -c1-16)
if image_current "$tag" "$hash"; then
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/tmp" "$tmp/etc" "$tmp/root"
cp "$bb" "$tmp/bin/busybox"
for applet in $("$bb" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$tmp/bin/$applet"
done
chmod 1777 "$tmp/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$tmp/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"

tar --numeric-owner --owner=0 --group=0 -C "$tmp" -c bin tmp etc root |
  docker import \
    --change 'ENV PATH=/bin' \
    --change 'CMD ["sh"]' \
    --change 'LABEL io.ordset.test=1' \
    --change "LABEL io.ordset.test.hash=$hash" \
    - "$tag" >/dev/null
