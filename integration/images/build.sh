#!/usr/bin/env bash
# Builds the local images that tests and offline example runs use. No registry is needed:
# each image is made from files on this machine or from Debian packages.
#
#   integration/images/build.sh [NAME...]     (default: every recipe in this folder)
#
# Each NAME has a recipe integration/images/NAME.sh that builds ordset-test/NAME:latest.
# Recipes are idempotent: they hash their inputs and skip the build when an image with the
# same io.ordset.test.hash label already exists, so a second run takes well under a second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/*.sh; do
    n=$(basename "$f" .sh)
    [ "$n" = build ] || [ "$n" = lib ] || names+=("$n")
  done
fi

for n in "${names[@]}"; do
  recipe="$here/$n.sh"
  if [ ! -f "$recipe" ]; then
    echo "build.sh: no recipe for image '$n' (expected $recipe)" >&2
    exit 2
  fi
  start=$(date +%s.%N)
  bash "$recipe"
  awk -v n="$n" -v s="$start" -v e="$(date +%s.%N)" 'BEGIN{printf "image ordset-test/%s:latest ready (%.1fs)\n", n, e-s}'
done
