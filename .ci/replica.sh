#!/usr/bin/env bash
# A real streaming replica of the PostgreSQL at 127.0.0.1:5432, for the router tests (issue 12, item 3).
#   .ci/replica.sh start [PORT]   → pg_basebackup -R into a temp folder, started on PORT (default 5433)
#   .ci/replica.sh stop           → stops it and removes the folder
# The primary must accept replication connections from 127.0.0.1: the line is added to pg_hba.conf
# once (idempotent) and the primary reloaded. Runs the PostgreSQL binaries as the postgres user.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=${2:-5433}
STATE=${REPLICA_STATE:-/tmp/madoguchi-replica}
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
start)
  hba=$(psql -h 127.0.0.1 -U postgres -Atc "SHOW hba_file")
  if ! grep -Eq '^host[[:space:]]+replication[[:space:]]+all[[:space:]]+127\.0\.0\.1/32' "$hba"; then
    echo "host replication all 127.0.0.1/32 trust" >>"$hba"
    psql -h 127.0.0.1 -U postgres -qc "SELECT pg_reload_conf()" >/dev/null
  fi
  [ "$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW wal_level')" != minimal ] \
    || { echo "wal_level=minimal on the primary: streaming replication needs replica" >&2; exit 1; }
  if pg_isready -h 127.0.0.1 -p "$PORT" -q; then echo "replica already running on $PORT"; exit 0; fi
  rm -rf "$STATE"; mkdir -p "$STATE"; chown postgres: "$STATE" 2>/dev/null || true; chmod 700 "$STATE"
  run_pg "$PGBIN/pg_basebackup" -h 127.0.0.1 -p 5432 -U postgres -D "$STATE/data" -R -X stream -c fast
  # Debian keeps the primary's configuration in /etc, so the copy has none: give it its own.
  run_pg sh -c "echo 'hot_standby = on' >'$STATE/data/postgresql.conf'
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' >'$STATE/data/pg_hba.conf'
    : >'$STATE/data/pg_ident.conf'"
  run_pg "$PGBIN/pg_ctl" -D "$STATE/data" -l "$STATE/log" -w -t 60 \
    -o "-p $PORT -k $STATE -c listen_addresses=127.0.0.1" start
  psql -h 127.0.0.1 -p "$PORT" -U postgres -Atc "SELECT pg_is_in_recovery()" | grep -q t
  echo "replica streaming on 127.0.0.1:$PORT"
  ;;
stop)
  if [ -d "$STATE/data" ]; then run_pg "$PGBIN/pg_ctl" -D "$STATE/data" -m fast -w stop || true; fi
  rm -rf "$STATE"
  ;;
*) echo "usage: $0 start [PORT] | stop" >&2; exit 2 ;;
esac
