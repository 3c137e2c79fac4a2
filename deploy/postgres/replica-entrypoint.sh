#!/bin/sh
# A hot standby of the primary (docker compose --profile replica): when its data folder is empty it copies
# the primary with pg_basebackup -R (which writes standby.signal and primary_conninfo), then starts
# PostgreSQL as a read-only standby that replays the primary's WAL as it streams in. Later starts find the
# copy and only start the server. Arguments are passed on to postgres (e.g. -c max_connections=200).
# A replica that fell behind further than the primary keeps WAL for (wal_keep_size) cannot catch up:
# remove its volume and start it again for a fresh copy.
set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
: "${PRIMARY_HOST:?PRIMARY_HOST is not set}"
: "${POSTGRES_REPLICATION_PASSWORD:?POSTGRES_REPLICATION_PASSWORD is not set}"
PRIMARY_PORT="${PRIMARY_PORT:-5432}"
role="${POSTGRES_REPLICATION_USER:-replicator}"

# The official image starts as root: hand the data folder to postgres and run as postgres (gosu comes
# with the image), as the image's own entrypoint does.
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 700 "$PGDATA"
    exec gosu postgres /bin/sh "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "replica: copying the primary $PRIMARY_HOST:$PRIMARY_PORT into $PGDATA"
    tries=0
    until pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; do
        tries=$((tries + 1))
        if [ "$tries" -ge "${PRIMARY_WAIT_SECONDS:-120}" ]; then
            echo "replica: the primary $PRIMARY_HOST:$PRIMARY_PORT did not answer" >&2
            exit 1
        fi
        sleep 1
    done
    # The password goes through the environment, never the command line (ps shows that). -R keeps it in
    # postgresql.auto.conf's primary_conninfo, inside the data folder only postgres can read.
    PGPASSWORD="$POSTGRES_REPLICATION_PASSWORD" pg_basebackup \
        --host "$PRIMARY_HOST" --port "$PRIMARY_PORT" --username "$role" --no-password \
        --pgdata "$PGDATA" --write-recovery-conf --wal-method=stream --checkpoint=fast --progress
    chmod 700 "$PGDATA"
    echo "replica: copy made, starting as a standby"
elif [ ! -f "$PGDATA/standby.signal" ]; then
    # A promoted or foreign data folder: refuse rather than run a second primary by mistake.
    echo "replica: $PGDATA holds a database that is not a standby (no standby.signal); refusing to start" >&2
    exit 1
fi

exec postgres -c hot_standby=on "$@"
