#!/usr/bin/env bash
# Start (or stop) a throwaway PostgreSQL server for the tests, as an unprivileged user, on 127.0.0.1.
#   eval "$(scripts/pg-test-server.sh start)"   # exports YC_TEST_POSTGRES_URL
#   scripts/pg-test-server.sh stop
set -euo pipefail

PORT="${YC_PG_PORT:-54329}"
DATA="${YC_PG_DATA:-/tmp/youthcouncil-pg}"
PG_USER="${YC_PG_OS_USER:-ycpg}"
DB="youthcouncil_test"

find_bin() {
  local name="$1"
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/$name" ]; then echo "$dir/$name"; return; fi
  done
  return 1
}

as_pg_user() {
  if [ "$(id -u)" = "0" ]; then
    runuser -u "$PG_USER" -- "$@"
  else
    "$@"
  fi
}

start() {
  local initdb pg_ctl
  initdb="$(find_bin initdb)" || { echo "initdb not found: install PostgreSQL 15 server binaries" >&2; exit 1; }
  pg_ctl="$(find_bin pg_ctl)"
  if [ "$(id -u)" = "0" ] && ! id "$PG_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
  fi
  if [ "$(id -u)" != "0" ]; then PG_USER="$(id -un)"; fi
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg_user "$pg_ctl" -D "$DATA" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DATA"
  mkdir -p "$DATA"
  chown "$PG_USER" "$DATA" 2>/dev/null || true
  as_pg_user "$initdb" -D "$DATA" -U "$PG_USER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  as_pg_user "$pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -t 60 \
    -o "-p $PORT -c listen_addresses=127.0.0.1 -k $DATA -c fsync=off -c synchronous_commit=off -c max_connections=200" \
    start >/dev/null
  as_pg_user "$(find_bin createdb)" -h 127.0.0.1 -p "$PORT" -U "$PG_USER" "$DB"
  echo "export YC_TEST_POSTGRES_URL=postgresql+psycopg://$PG_USER@127.0.0.1:$PORT/$DB"
}

stop() {
  local pg_ctl
  pg_ctl="$(find_bin pg_ctl)" || exit 0
  [ "$(id -u)" != "0" ] && PG_USER="$(id -un)"
  if [ -f "$DATA/postmaster.pid" ]; then
    as_pg_user "$pg_ctl" -D "$DATA" -m fast stop >/dev/null
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
