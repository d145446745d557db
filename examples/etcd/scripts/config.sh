#!/bin/sh
# Init container: writes this member's etcd configuration file onto its data volume, so the
# etcd container itself needs no shell (the upstream etcd image has none). The initial cluster
# is spelled out from the stable pod names: etcd-0=http://etcd-0.etcd:2380,etcd-1=...
# etcd reads the initial-* settings only when its data directory is empty: a member that
# restarts on its old volume rejoins with the identity stored there.
set -eu

pod=${POD_NAME:-$(hostname)}
set_name=${pod%-*}
service=${SERVICE_NAME:-$set_name}
size=${CLUSTER_SIZE:-3}
dir=/var/lib/etcd

peers=""
i=0
while [ "$i" -lt "$size" ]; do
  peers="${peers:+$peers,}$set_name-$i=http://$set_name-$i.$service:2380"
  i=$((i + 1))
done

cat >"$dir/etcd.conf.yml.tmp" <<CONF
# written by config.sh for $pod
name: $pod
data-dir: $dir/data
listen-peer-urls: http://0.0.0.0:2380
listen-client-urls: http://0.0.0.0:2379
initial-advertise-peer-urls: http://$pod.$service:2380
advertise-client-urls: http://$pod.$service:2379
initial-cluster: $peers
initial-cluster-state: new
initial-cluster-token: ${CLUSTER_TOKEN:-$set_name-$service}
CONF
mv "$dir/etcd.conf.yml.tmp" "$dir/etcd.conf.yml"
echo "$pod: initial cluster $peers"
