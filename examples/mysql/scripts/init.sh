#!/bin/sh
# Init container: prepares one pod before the server starts, with the same image as the server.
#  1. writes /etc/mysql/ordset/server.cnf: the primary or replica settings chosen by the ordinal,
#     plus server-id 100+ordinal;
#  2. on the first start only (empty volume), creates the system tables with mariadb-install-db,
#     the replication user, and on a replica the replication source (mysql-0.<service>, GTID).
# It works with the official mariadb image (which has an entrypoint we bypass) and with a plain
# Debian mariadb-server image (which has none).
set -eu

pod=${POD_NAME:-$(hostname)}
ordinal=${POD_ORDINAL:-${pod##*-}}
service=${MYSQL_SERVICE:-mysql}
datadir=/var/lib/mysql
confdir=/etc/mysql/ordset
socket=/run/mysqld/init.sock
password=${MYSQL_REPL_PASSWORD:-repl-password}

role=replica
[ "$ordinal" = 0 ] && role=primary

mkdir -p "$confdir" /run/mysqld
{
  cat "/config/$role.cnf"
  printf '\n# written by init.sh for %s\n[mysqld]\nserver-id = %d\nreport-host = %s.%s\n' \
    "$pod" $((100 + ordinal)) "$pod" "$service"
} >"$confdir/server.cnf"
chown mysql:mysql "$datadir" /run/mysqld
echo "$pod: wrote $role config, server-id $((100 + ordinal))"

if [ -d "$datadir/mysql" ]; then
  echo "$pod: data directory already initialised"
  exit 0
fi

echo "$pod: initialising $datadir"
mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db >/run/mysqld/install.log 2>&1 || {
  cat /run/mysqld/install.log >&2
  exit 1
}

# A private, network-less server for the setup statements; they are not binary-logged, so the
# primary's log starts empty and replicas can replay it from the very beginning.
# It reads the pod's config (so relay log names match the real server) minus the binary log.
mariadbd --defaults-extra-file="$confdir/server.cnf" --user=mysql --datadir="$datadir" \
  --skip-log-bin --skip-networking --socket="$socket" --pid-file=/run/mysqld/init.pid \
  --skip-slave-start >/run/mysqld/init.log 2>&1 &
pid=$!
tries=0
until mariadb-admin --socket="$socket" --silent ping >/dev/null 2>&1; do
  kill -0 "$pid" 2>/dev/null || { echo "$pod: temporary server exited:" >&2; cat /run/mysqld/init.log >&2; exit 1; }
  tries=$((tries + 1))
  [ "$tries" -lt 600 ] || { echo "$pod: temporary server did not answer" >&2; exit 1; }
  sleep 0.1
done

{
  echo "SET SESSION sql_log_bin = 0;"
  echo "CREATE USER 'repl'@'%' IDENTIFIED BY '$password';"
  echo "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';"
  if [ "$role" = replica ]; then
    echo "CHANGE MASTER TO MASTER_HOST = 'mysql-0.$service', MASTER_PORT = 3306,"
    echo "  MASTER_USER = 'repl', MASTER_PASSWORD = '$password',"
    # Plain TCP inside the pod network: MariaDB 11.4 would otherwise verify a TLS certificate
    # the primary does not have.
    echo "  MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 2, MASTER_SSL = 0;"
  fi
} | mariadb --socket="$socket"

mariadb-admin --socket="$socket" shutdown
wait "$pid"
echo "$pod: initialised as $role"
