#!/usr/bin/env bash
# ordset-test/mariadb:latest: Debian bookworm's mariadb-server, mariadb-client and mariadb-backup
# (MariaDB 10.11), plus socat (a dependency of the server), as the official image has them.
# Like the official image it starts with an empty /var/lib/mysql and a writable /run/mysqld;
# unlike it there is no entrypoint that initialises the data directory: the examples do that
# themselves (mariadb-install-db) so they work with either image.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/debian.bash"

mariadb_rootfs() {
  # The package's postinst already created system tables; a fresh volume must start empty.
  find "$1/var/lib/mysql" -mindepth 1 -delete
  mkdir -p "$1/run/mysqld"
  chroot "$1" chown mysql:mysql /var/lib/mysql /run/mysqld
}

debian_image mariadb "mariadb-server,mariadb-client,mariadb-backup" mariadb_rootfs \
  'EXPOSE 3306' 'CMD ["mariadbd", "--user=mysql"]'
