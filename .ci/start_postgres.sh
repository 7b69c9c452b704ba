#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the store tests and print its admin URL.
# Usage: export AUTOML_TEST_POSTGRES_URL=$(bash .ci/start_postgres.sh)
# Needs the server binaries (Debian: apt-get install postgresql). As root it runs the
# server as the `postgres` user, because initdb refuses to run as root.
set -euo pipefail
PORT=${PGPORT_OPENAML:-55433}
ROOT=${PGROOT_OPENAML:-/tmp/openaml-pg}

bindir=""
for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/bin /usr/bin; do
  if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then bindir=$candidate; break; fi
done
if [ -z "$bindir" ]; then
  echo "no PostgreSQL server binaries found: apt-get install postgresql" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if ! as_owner "$bindir/pg_ctl" -D "$ROOT/data" status >/dev/null 2>&1; then
  rm -rf "$ROOT"
  mkdir -p "$ROOT"
  [ "$(id -u)" = 0 ] && chown postgres "$ROOT"
  as_owner "$bindir/initdb" -D "$ROOT/data" -A trust -U postgres >"$ROOT/initdb.log" 2>&1
  as_owner "$bindir/pg_ctl" -D "$ROOT/data" -o "-p $PORT -k $ROOT -c fsync=off -c listen_addresses=127.0.0.1" \
    -l "$ROOT/server.log" -w start >/dev/null
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PORT/postgres"
