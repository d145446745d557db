#!/usr/bin/env bash
# Helpers for recipes that build an image from real Debian packages; sourced, never run.
# (The .bash suffix keeps build.sh from treating this file as a recipe.)
#
# The route needs no registry: debootstrap a minimal Debian bookworm root file system with the
# wanted packages from the mirror this machine's apt already uses, trim it, and `docker import`
# it. The trimmed root file system is cached as a tarball keyed by the recipe's hash, so a lost
# image is re-imported in seconds, and downloaded .deb files are shared between recipes.

# shellcheck source-path=SCRIPTDIR
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# image_cache_dir prints (and creates) the cache directory for root file systems and .debs.
image_cache_dir() {
  local d="${ORDSET_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ordset-images}"
  mkdir -p "$d/debs" && (cd "$d" && pwd)
}

# debian_mirror prints the Debian archive URI apt is configured with for the suite bookworm
# (ORDSET_DEBIAN_MIRROR overrides). Both the one-line and the deb822 source formats are read.
debian_mirror() {
  if [ -n "${ORDSET_DEBIAN_MIRROR:-}" ]; then echo "$ORDSET_DEBIAN_MIRROR"; return 0; fi
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
    function flush() { if (types ~ /(^| )deb( |$)/ && suites ~ /(^| )bookworm( |$)/ && first == "") { split(uris, u, " "); first = u[1] } types = uris = suites = "" }
    /^[ \t]*$/ { flush(); next }
    /^#/ { next }
    tolower($1) == "types:"  { $1 = ""; types = $0 }
    tolower($1) == "uris:"   { $1 = ""; uris = $0 }
    tolower($1) == "suites:" { $1 = ""; suites = $0 }
    END { flush(); print first }')
  if [ -z "$uri" ]; then
    uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '
      $1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                    if ($(i+1) == "bookworm") { print $i; exit } }')
  fi
  if [ -z "$uri" ]; then
    echo "no Debian bookworm mirror in /etc/apt/sources.list(.d); set ORDSET_DEBIAN_MIRROR" >&2
    return 1
  fi
  echo "${uri%/}"
}

# trim_rootfs DIR removes what a container never needs: docs, man pages, locales, apt lists
# and caches, logs, and the host files debootstrap copied in (Docker provides its own).
trim_rootfs() {
  local r=$1
  rm -rf "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/usr/share/lintian \
    "$r"/usr/share/locale/* "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/* "$r"/var/cache/debconf/*-old \
    "$r"/var/log/*.log "$r"/var/log/apt/* "$r"/etc/resolv.conf "$r"/etc/hostname
  find "$r/var/cache/apt" "$r/tmp" -mindepth 1 -delete 2>/dev/null || true
}

# release_rootfs DIR unmounts anything debootstrap left mounted below DIR and removes DIR,
# never crossing into another file system.
release_rootfs() {
  local r=$1 m
  [ -d "$r" ] || return 0
  for m in $(findmnt -rn -o TARGET | grep -F "$r/" | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$r"
}

# debian_image NAME PACKAGES CUSTOMIZE CHANGE...
#   Builds ordset-test/NAME:latest from Debian bookworm with the comma-separated PACKAGES.
#   CUSTOMIZE is a shell function called with the root file system directory before it is
#   trimmed and archived; each CHANGE is a Dockerfile instruction for `docker import -c`.
#   The io.ordset.test.hash label hashes the calling recipe, this file and the package list,
#   so editing any of them rebuilds; otherwise the call returns as soon as the label matches.
debian_image() {
  local name=$1 packages=$2 customize=$3
  shift 3
  local tag="ordset-test/$name:latest" recipe="${BASH_SOURCE[1]}"
  local hash
  hash=$(cat "$recipe" "${BASH_SOURCE[0]}" <(echo "$packages") <(printf '%s\n' "$@") | sha256sum | cut -c1-16)
  image_current "$tag" "$hash" && return 0

  need_cmd docker docker.io
  need_cmd debootstrap debootstrap
  local cache tarball
  cache=$(image_cache_dir)
  tarball="$cache/$name-$hash.tar"
  (
    # One builder per image at a time; a concurrent caller waits and then finds the image.
    flock 9
    image_current "$tag" "$hash" && exit 0
    if [ ! -s "$tarball" ]; then
      local mirror root
      mirror=$(debian_mirror)
      root=$(mktemp -d "${TMPDIR:-/tmp}/ordset-rootfs-$name.XXXXXX")
      trap 'release_rootfs "$root"' EXIT
      echo "debootstrap bookworm ($packages) from $mirror" >&2
      debootstrap --variant=minbase --include="$packages" --cache-dir="$cache/debs" \
        bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
        echo "debootstrap failed for $name; last lines of $root.log:" >&2
        tail -n 20 "$root.log" >&2
        exit 1
      }
      rm -f "$root.log"
      "$customize" "$root"
      trim_rootfs "$root"
      tar --numeric-owner --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* \
        -C "$root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
      # Older tarballs of this image are stale once the recipe changed.
      find "$cache" -maxdepth 1 -name "$name-*.tar" ! -name "$name-$hash.tar" -delete
    fi
    local args=(-c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
      -c 'LABEL io.ordset.test=1' -c "LABEL io.ordset.test.hash=$hash")
    local c
    for c in "$@"; do args+=(-c "$c"); done
    docker import "${args[@]}" "$tarball" "$tag" >/dev/null
  ) 9>"$cache/$name.lock"
}
