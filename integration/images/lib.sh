#!/usr/bin/env bash
# Shared helpers for image recipes; sourced, never run.

# image_current TAG HASH: true when TAG exists and carries io.ordset.test.hash=HASH.
image_current() {
  local have
  have=$(docker image inspect -f '{{ index .Config.Labels "io.ordset.test.hash" }}' "$1" 2>/dev/null) || return 1
  [ "$have" = "$2" ]
}

# need_cmd CMD PACKAGE: installs PACKAGE with apt-get when CMD is missing and we are root.
need_cmd() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing $2 (for $1)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null || {
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }
  fi
  command -v "$1" >/dev/null 2>&1 || { echo "missing $1: install the Debian package $2" >&2; return 1; }
}
