#!/bin/sh
# Init container 1 of 2 (same image as the server). Picks the role from the pod index:
#  - writes /etc/mysql/ordset/server.cnf (the pod's emptyDir): primary.cnf for ordinal 0,
#    replica.cnf for any other, plus server-id 100+ordinal;
#  - on ordinal 0 with an empty data volume only: creates the system tables and the two users
#    (repl for replication, backup for the sidecar on 127.0.0.1). Other ordinals get their data,
#    users included, from the previous ordinal (clone.sh).
set -eu

pod=$(hostname)
ordinal=${POD_INDEX:?POD_INDEX not set}
service=${SERVICE_NAME:?SERVICE_NAME not set}
datadir=/var/lib/mysql
confdir=/etc/mysql/ordset
socket=/run/mysqld/init.sock

role=replica
[ "$ordinal" = 0 ] && role=primary
mkdir -p "$confdir" /run/mysqld
{
  cat "/config/$role.cnf"
  printf '\n# written by init.sh for %s\n[mysqld]\nserver-id = %d\nreport-host = %s.%s\n' \
    "$pod" $((100 + ordinal)) "$pod" "$service"
} >"$confdir/server.cnf"
chown mysql:mysql "$datadir" /run/mysqld
echo "$pod: wrote the $role config, server-id $((100 + ordinal))"

if [ "$role" = replica ] || [ -d "$datadir/mysql" ]; then
  exit 0
fi

echo "$pod: initialising an empty $datadir"
mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db >/run/mysqld/install.log 2>&1 || {
  cat /run/mysqld/install.log >&2
  exit 1
}
# A private, network-less server for the set-up statements.
mariadbd --defaults-extra-file="$confdir/server.cnf" --user=mysql --datadir="$datadir" \
  --skip-log-bin --skip-networking --socket="$socket" --pid-file=/run/mysqld/init.pid \
  >/run/mysqld/init.log 2>&1 &
pid=$!
tries=0
until mariadb-admin --socket="$socket" --silent ping >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || { echo "$pod: temporary server exited:" >&2; cat /run/mysqld/init.log >&2; exit 1; }
  tries=$((tries + 1))
  [ "$tries" -lt 600 ] || { echo "$pod: temporary server did not answer" >&2; exit 1; }
  sleep 0.1
done
mariadb --socket="$socket" <<SQL
CREATE USER 'repl'@'%' IDENTIFIED BY '$REPL_PASSWORD';
GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
CREATE USER 'backup'@'127.0.0.1' IDENTIFIED BY '$BACKUP_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'backup'@'127.0.0.1';
SQL
mariadb-admin --socket="$socket" shutdown
wait "$pid"
echo "$pod: initialised as the primary"
