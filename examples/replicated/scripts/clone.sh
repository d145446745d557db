#!/bin/sh
# Init container "clone": prepares the pod's volume before the app starts.
#  - installs the app's write script (the app is plain busybox httpd serving /data/www);
#  - on the first start only (no log yet): the primary (ordinal 0) starts an empty log, every
#    other ordinal copies the log of the previous ordinal from that pod's sync sidecar, as the
#    Kubernetes MySQL tutorial's clone-mysql copies the previous ordinal's backup.
set -eu
ordinal=${POD_ORDINAL:-${POD_NAME##*-}}
POD_NAME=${POD_NAME:-$(hostname)} # Kubernetes sets no POD_NAME; the hostname is the pod name
set_name=${POD_NAME%-*}
mkdir -p /data/www/cgi-bin
cp /scripts/write.cgi /data/www/cgi-bin/write
chmod 755 /data/www/cgi-bin/write

if [ -f /data/www/log ]; then
  echo "$POD_NAME: log already there ($(wc -l </data/www/log) entries)"
  exit 0
fi
if [ "$ordinal" = 0 ]; then
  : >/data/www/log
  echo "$POD_NAME: primary, new empty log"
  exit 0
fi
prev=$set_name-$((ordinal - 1)).$set_name
until wget -qO /data/www/log.clone "http://$prev:3307/cgi-bin/snapshot"; do
  echo "$POD_NAME: waiting for $prev to serve its snapshot"
  sleep 1
done
mv /data/www/log.clone /data/www/log
echo "$POD_NAME: cloned $(wc -l </data/www/log) entries from $prev"
