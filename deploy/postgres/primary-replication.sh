#!/bin/sh
# The primary's side of streaming replication: a replication role and the pg_hba.conf line that lets it
# connect. Run by the postgres image on its first start (mounted into /docker-entrypoint-initdb.d/); on a
# database made before, run it once by hand (README, "A read replica"):
#   docker compose exec db sh /docker-entrypoint-initdb.d/20-replication.sh
# Safe to run again: the role's password is set anew and the line is added only once. Without
# POSTGRES_REPLICATION_PASSWORD (no replica planned) it does nothing.
set -eu

: "${PGDATA:?PGDATA is not set}"
role="${POSTGRES_REPLICATION_USER:-replicator}"
line="host replication $role all scram-sha-256"

if [ -z "${POSTGRES_REPLICATION_PASSWORD:-}" ]; then
    echo "replication: POSTGRES_REPLICATION_PASSWORD is empty, no replication role made"
else
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        -v role="$role" -v password="$POSTGRES_REPLICATION_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I WITH REPLICATION LOGIN', :'role')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH REPLICATION LOGIN PASSWORD %L', :'role', :'password') \gexec
SQL
    # Only this role, only for replication, only with its password (scram-sha-256).
    if ! grep -qxF "$line" "$PGDATA/pg_hba.conf"; then
        printf '%s\n' "$line" >> "$PGDATA/pg_hba.conf"
    fi
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        --quiet --tuples-only -c "SELECT pg_reload_conf()" >/dev/null
    echo "replication: role $role may stream from this server"
fi
