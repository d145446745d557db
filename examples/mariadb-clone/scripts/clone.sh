#!/bin/sh
# Init container 2 of 2 (same image as the server): on an empty data volume of ordinal N > 0,
# streams a physical backup from the backup sidecar of ordinal N-1 (by its stable DNS name,
# port 3307), prepares it, and leaves it as the data directory. Skipped on ordinal 0 and when
# the volume already holds data (a restarted or recreated pod keeps its own).
set -eu

pod=$(hostname)
ordinal=${POD_INDEX:?POD_INDEX not set}
datadir=/var/lib/mysql
staging=$datadir/.clone

if [ "$ordinal" = 0 ]; then
  echo "$pod: ordinal 0, nothing to clone"
  exit 0
fi
if [ -d "$datadir/mysql" ]; then
  echo "$pod: data directory already present, not cloning"
  exit 0
fi

source="${SET_NAME:?SET_NAME not set}-$((ordinal - 1)).${SERVICE_NAME:?SERVICE_NAME not set}"
attempt=0
while :; do
  attempt=$((attempt + 1))
  rm -rf "$staging"
  mkdir -p "$staging"
  echo "$pod: cloning from $source:3307 (attempt $attempt)"
  # A stream cut short leaves no checkpoints file, so --prepare fails and we try again.
  if socat -u "TCP:$source:3307,connect-timeout=5" STDOUT | mbstream -x -C "$staging" &&
    mariadb-backup --prepare --target-dir="$staging" >"$datadir/.clone-prepare.log" 2>&1; then
    break
  fi
  [ "$attempt" -lt 60 ] || { echo "$pod: no usable backup from $source" >&2; tail -20 "$datadir/.clone-prepare.log" >&2; exit 1; }
  sleep 2
done
# The binary log position (with its GTID) travels in the backup; the sidecar sets it on start.
find "$staging" -mindepth 1 -maxdepth 1 -exec mv -t "$datadir" {} +
rmdir "$staging"
rm -f "$datadir/.clone-prepare.log"
chown -R mysql:mysql "$datadir"
echo "$pod: cloned $(du -sh "$datadir" | cut -f1) from $source"
