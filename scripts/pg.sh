#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on a Unix socket for the test run.
# Usage: source scripts/pg.sh  -> exports DATABASE_URL; call pg_stop at the end.
set -euo pipefail
# Debian keeps the server binaries in /usr/lib/postgresql/N/bin; prefer the newest there.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$PGBIN" ] || PGBIN=$(dirname "$(command -v initdb)")
PGDIR=$(mktemp -d /tmp/tequio-pg.XXXXXX)
PGPORT=${PGPORT:-55432}
RUN=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres:postgres "$PGDIR"
  RUN=(runuser -u postgres --)
fi
"${RUN[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U tequio --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# A port taken by another server (a leftover run, another project) is skipped.
for attempt in 1 2 3 4 5; do
  if "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -o "-k $PGDIR -p $PGPORT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" -l "$PGDIR/log" -w start >/dev/null; then
    break
  fi
  [ "$attempt" -lt 5 ] || { cat "$PGDIR/log"; exit 1; }
  PGPORT=$((PGPORT + 1))
done
# The cluster's own "postgres" database; Django's test runner creates test_postgres beside it.
export DATABASE_URL="postgres://tequio@/postgres?host=$PGDIR&port=$PGPORT"
pg_stop() { "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -m fast stop >/dev/null || true; rm -rf "$PGDIR"; }
