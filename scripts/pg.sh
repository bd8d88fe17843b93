#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on a Unix socket for the test run.
# Usage: source scripts/pg.sh  -> exports DATABASE_URL; call pg_stop at the end.
set -euo pipefail
PGBIN=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
PGDIR=$(mktemp -d /tmp/tequio-pg.XXXXXX)
PGPORT=${PGPORT:-55432}
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$PGDIR"
  RUN=(runuser -u postgres --)
fi
"${RUN[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U tequio --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -o "-k $PGDIR -p $PGPORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -l "$PGDIR/log" -w start >/dev/null
"${RUN[@]}" "$PGBIN/createdb" -h "$PGDIR" -p "$PGPORT" -U tequio tequio
export DATABASE_URL="postgres://tequio@/tequio?host=$PGDIR&port=$PGPORT"
pg_stop() { "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null || true; rm -rf "$PGDIR"; }
