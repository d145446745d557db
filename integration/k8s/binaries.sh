#!/usr/bin/env bash
# Builds the Kubernetes control plane the export proof runs against, from the Go module proxy:
# kube-apiserver, kube-controller-manager, kube-scheduler and kubectl from one pinned
# k8s.io/kubernetes, etcd from go.etcd.io/etcd/server/v3, and kwok (a node simulator), plus kwok's
# stage files. Binaries are cached outside the repository, keyed by version, and reused when present.
# Prints the cache directory on stdout; progress goes to stderr.
#
# The kubernetes module replaces every k8s.io/* staging module with ./staging/... directories that
# its module zip does not contain; etcd's server module does the same with ../api etc. We copy each
# module out of the read-only module cache, point those replace lines at the published versions and
# build with GOWORK=off -mod=mod.
set -euo pipefail

K8S_VERSION=${K8S_VERSION:-v1.37.2}
ETCD_VERSION=${ETCD_VERSION:-v3.6.16}
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
staging_version="v0.${K8S_VERSION#v1.}"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/ordset"
out="$cache_root/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
export GOWORK=off GOFLAGS=-mod=mod GOTOOLCHAIN=local CGO_ENABLED=0

log() { echo "k8s-binaries: $*" >&2; }

mkdir -p "$cache_root"
exec 9>"$cache_root/.build.lock"
flock 9 # one build at a time; a second caller waits and then finds the cache

if [[ -f "$out/.complete" ]]; then
	log "cached in $out"
	echo "$out"
	exit 0
fi
mkdir -p "$out/bin"
work=$(mktemp -d "$cache_root/build.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# fetch MODULE@VERSION DIR: copy a module's source out of the module cache into a writable DIR.
fetch() {
	local src
	src=$(go mod download -json "$1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[[ -n "$src" ]] || { log "cannot download $1"; exit 1; }
	cp -r "$src" "$2"
	chmod -R u+w "$2"
}

build_kubernetes() {
	[[ -x "$out/bin/kube-apiserver" && -x "$out/bin/kubectl" ]] && return
	local dir="$work/kubernetes" pkg="k8s.io/component-base/version"
	fetch "k8s.io/kubernetes@$K8S_VERSION" "$dir"
	sed -i -E "s#^(\s*)(k8s\.io/[a-z0-9-]+) => \./staging/src/k8s\.io/[a-z0-9-]+\$#\1\2 => \2 $staging_version#" "$dir/go.mod"
	local minor=${K8S_VERSION#v1.}
	minor=${minor%%.*}
	local ldflags="-s -w -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
	ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
	log "building kubernetes $K8S_VERSION (tens of minutes)"
	(cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out/bin/" \
		./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler ./cmd/kubectl)
}

build_etcd() {
	[[ -x "$out/bin/etcd" ]] && return
	local dir="$work/etcd"
	fetch "go.etcd.io/etcd/server/v3@$ETCD_VERSION" "$dir"
	sed -i -E "s#^(\s*)(go\.etcd\.io/etcd/[a-z/0-9]+) => \.\./[a-z/0-9]+\$#\1\2 => \2 $ETCD_VERSION#" "$dir/go.mod"
	log "building etcd $ETCD_VERSION"
	(cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$out/bin/etcd" .)
}

build_kwok() {
	[[ -x "$out/bin/kwok" ]] && return
	local dir="$work/kwok"
	fetch "sigs.k8s.io/kwok@$KWOK_VERSION" "$dir"
	log "building kwok $KWOK_VERSION"
	(cd "$dir" && go build -trimpath -ldflags "-s -w" -o "$out/bin/kwok" ./cmd/kwok)
	rm -rf "$out/stage"
	cp -r "$dir/kustomize/stage" "$out/stage"
}

start=$(date +%s)
build_etcd
build_kwok
build_kubernetes
touch "$out/.complete"
log "built in $(( $(date +%s) - start ))s into $out"
echo "$out"
