#!/bin/sh
# The official postgres image's start, in short: on an empty PGDATA, initdb with POSTGRES_USER as
# the superuser (password POSTGRES_PASSWORD, scram-sha-256 over TCP) and create POSTGRES_DB; then
# run postgres in the foreground, listening on every address of the container.
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set (as for the official image)}"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    postgres -D "$PGDATA" -c listen_addresses='' -k /var/run/postgresql &
    pid=$!
    i=0
    until pg_isready -q -h /var/run/postgresql; do
      i=$((i + 1))
      [ $i -lt 300 ] || { echo "postgres did not start to create $db" >&2; exit 1; }
      sleep 0.1
    done
    psql -q -h /var/run/postgresql -U "$user" -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db\""
    kill -INT "$pid"
    wait "$pid" || true
  fi
  echo "postgres-entrypoint: initialised $PGDATA (user $user, database $db)"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -k /var/run/postgresql
