#!/bin/sh
# The backup sidecar (the xtrabackup container of the Kubernetes MySQL tutorial). It shares the
# pod's network with the server and mounts the same data volume:
#  1. waits until the server answers on 127.0.0.1:3306;
#  2. on a replica, points replication at ordinal 0 (by its stable DNS name) and starts it; right
#     after a clone, first sets the GTID position the backup was taken at;
#  3. serves a streamed physical backup (mariadb-backup, mbstream format) to every client of
#     port 3307: the next ordinal's clone init container.
set -eu

pod=$(hostname)
ordinal=${POD_INDEX:?POD_INDEX not set}
datadir=/var/lib/mysql
primary="${SET_NAME:?SET_NAME not set}-0.${SERVICE_NAME:?SERVICE_NAME not set}"
sql() { mariadb --host=127.0.0.1 --port=3306 --user=backup --password="$BACKUP_PASSWORD" "$@"; }

until sql -e 'SELECT 1' >/dev/null 2>&1; do sleep 1; done
echo "$pod: reached the server on 127.0.0.1:3306 as $(sql -N -B -e 'SELECT CURRENT_USER()')"

if [ "$ordinal" != 0 ]; then
  # "FILE<TAB>POSITION<TAB>GTID", written by mariadb-backup at the backup's consistent point
  # (MariaDB 11 names it mariadb_backup_binlog_info, 10.11 still xtrabackup_binlog_info).
  info=$datadir/mariadb_backup_binlog_info
  [ -f "$info" ] || info=$datadir/xtrabackup_binlog_info
  if [ -f "$info" ]; then
    gtid=$(cut -f3 "$info")
    echo "$pod: cloned at GTID '$gtid', replicating from $primary"
    sql <<SQL
STOP SLAVE;
RESET SLAVE ALL;
SET GLOBAL gtid_slave_pos = '$gtid';
CHANGE MASTER TO MASTER_HOST = '$primary', MASTER_PORT = 3306,
  MASTER_USER = 'repl', MASTER_PASSWORD = '$REPL_PASSWORD',
  MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 2, MASTER_SSL = 0;
SQL
    mv "$info" "$info.applied"
  fi
  sql -e 'START SLAVE'
  echo "$pod: replication started"
fi

touch /tmp/serving
echo "$pod: serving backups on port 3307"
exec socat TCP-LISTEN:3307,reuseaddr,fork \
  "SYSTEM:mariadb-backup --backup --stream=xbstream --host=127.0.0.1 --port=3306 --user=backup --password=\"\$BACKUP_PASSWORD\" --target-dir=/tmp/backup 2>>/tmp/backup.log"
