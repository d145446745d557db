#!/bin/sh
# Sidecar "sync", beside the app container in the pod's network namespace:
#  - serves a snapshot of this pod's log on port 3307 (the next ordinal's clone reads it), taken
#    from the app over 127.0.0.1;
#  - on a replica, follows the primary: every second it reads the primary's log and, when it
#    differs, hands it to the app on 127.0.0.1.
set -u
POD_NAME=${POD_NAME:-$(hostname)} # Kubernetes sets no POD_NAME; the hostname is the pod name
set_name=${POD_NAME%-*}
ordinal=${POD_ORDINAL:-${POD_NAME##*-}}
mkdir -p /tmp/srv/cgi-bin
cat >/tmp/srv/cgi-bin/snapshot <<'CGI'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
exec wget -qO- http://127.0.0.1:8080/log
CGI
chmod 755 /tmp/srv/cgi-bin/snapshot
httpd -p 3307 -h /tmp/srv
trap 'exit 0' TERM INT
primary=http://$set_name-0.$set_name:8080/log
while true; do
  if [ "$ordinal" != 0 ] && theirs=$(wget -qO- "$primary") && ours=$(wget -qO- http://127.0.0.1:8080/log) &&
    [ "$theirs" != "$ours" ]; then
    wget -qO- --post-data "$theirs" "http://127.0.0.1:8080/cgi-bin/write?replace" >/dev/null
  fi
  sleep 1 &
  wait $!
done
