"""The scripts of docker-compose's replica profile (deploy/postgres/), run with PostgreSQL's own binaries on
free ports as the containers would run them: the primary's init script makes the replication role and its
pg_hba.conf line; the replica's entrypoint copies the primary with pg_basebackup when its folder is empty,
starts as a hot standby streaming what the primary writes, starts again without a new copy, and refuses a
folder that is not a standby's."""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
import yaml

from tests.test_replica import _binary, _free_port

pytestmark = pytest.mark.replica

ROOT = Path(__file__).resolve().parent.parent
PRIMARY_SCRIPT = ROOT / "deploy" / "postgres" / "primary-replication.sh"
REPLICA_ENTRYPOINT = ROOT / "deploy" / "postgres" / "replica-entrypoint.sh"
PASSWORD = "replication-secret-for-the-suite"
AS_POSTGRES = {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}


class Cluster:
    """A data folder, its port and the folder of its Unix socket (where psql and the tests connect, as
    inside the container; TCP needs a password, as in the image)."""

    def __init__(self, folder: Path, name: str):
        self.data, self.port, self.sockets = folder / name, _free_port(), folder

    def environment(self, **extra: str) -> dict[str, str]:
        path = f"{Path(_binary('postgres')).parent}:{os.environ['PATH']}"
        return {"PATH": path, "PGDATA": str(self.data), "PGHOST": str(self.sockets), "PGPORT": str(self.port),
                "LC_ALL": "C.UTF-8", **extra}  # fmt: skip

    def options(self) -> list[str]:
        return ["-p", str(self.port), "-k", str(self.sockets), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(host=str(self.sockets), port=self.port, user="postgres", dbname="postgres",
                               autocommit=True, connect_timeout=3)  # fmt: skip

    def answer(self, sql: str):
        with self.connect() as connection:
            return connection.execute(sql).fetchone()

    def wait_until(self, sql: str, seconds: float = 60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if (row := self.answer(sql)) and row[0]:
                    return row
            except psycopg.OperationalError:
                pass
            time.sleep(0.2)
        log = (self.data.parent / f"{self.data.name}.log").read_text(errors="replace")[-3000:]
        raise AssertionError(f"{self.data.name} never answered {sql!r}\n{log}")


def _run(command: list[str], cluster: Cluster, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=cluster.environment(**extra), capture_output=True, text=True, **AS_POSTGRES)


@pytest.fixture
def folder():
    path = Path(tempfile.mkdtemp(prefix="baove-compose-replica-"))
    path.chmod(0o700)
    if AS_POSTGRES:
        shutil.chown(path, "postgres", "postgres")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def primary(folder):
    """A primary as the postgres image makes it: local connections trusted, TCP with a password."""
    cluster = Cluster(folder, "primary")
    initdb = [_binary("initdb"), "-D", str(cluster.data), "-U", "postgres", "--auth-local=trust",
              "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8"]  # fmt: skip
    assert _run(initdb, cluster).returncode == 0
    options = " ".join([*cluster.options(), "-c", "wal_level=replica", "-c", "max_wal_senders=10"])
    start = [_binary("pg_ctl"), "-D", str(cluster.data), "-w", "-t", "60", "-l", f"{cluster.data}.log",
             "-o", options, "start"]  # fmt: skip
    assert _run(start, cluster).returncode == 0
    yield cluster
    _run([_binary("pg_ctl"), "-D", str(cluster.data), "-w", "-m", "immediate", "stop"], cluster)


class Replica:
    def __init__(self, cluster: Cluster, primary: Cluster):
        self.cluster, self.primary, self.process, self.log = cluster, primary, None, None

    def start(self, password: str = PASSWORD) -> subprocess.Popen:
        self.log = (self.cluster.data.parent / f"{self.cluster.data.name}.log").open("a")
        environment = self.cluster.environment(
            PRIMARY_HOST="127.0.0.1", PRIMARY_PORT=str(self.primary.port), POSTGRES_REPLICATION_PASSWORD=password
        )
        self.process = subprocess.Popen(
            ["/bin/sh", str(REPLICA_ENTRYPOINT), *self.cluster.options()],
            env=environment, stdout=self.log, stderr=subprocess.STDOUT, **AS_POSTGRES,
        )  # fmt: skip
        return self.process

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown (the entrypoint exec's it)
            self.process.wait(timeout=60)
        if self.log:
            self.log.close()

    def output(self) -> str:
        return (self.cluster.data.parent / f"{self.cluster.data.name}.log").read_text(errors="replace")


@pytest.fixture
def replica(folder, primary):
    made = Replica(Cluster(folder, "replica"), primary)
    yield made
    made.stop()


def test_the_primary_script_makes_the_role_and_its_line_once_and_does_nothing_without_a_password(primary):
    hba = primary.data / "pg_hba.conf"
    before = hba.read_text()
    skipped = _run(["/bin/sh", str(PRIMARY_SCRIPT)], primary, POSTGRES_REPLICATION_PASSWORD="")
    assert skipped.returncode == 0, skipped.stderr
    assert "no replication role made" in skipped.stdout
    assert hba.read_text() == before
    assert primary.answer("SELECT count(*) FROM pg_roles WHERE rolname = 'replicator'") == (0,)

    for _ in range(2):
        done = _run(["/bin/sh", str(PRIMARY_SCRIPT)], primary, POSTGRES_REPLICATION_PASSWORD=PASSWORD)
        assert done.returncode == 0, done.stderr
    assert hba.read_text().splitlines().count("host replication replicator all scram-sha-256") == 1
    assert primary.answer(
        "SELECT rolreplication, rolcanlogin, rolsuper FROM pg_roles WHERE rolname = 'replicator'"
    ) == (True, True, False)
    assert PASSWORD not in done.stdout + done.stderr


def test_the_replica_entrypoint_copies_the_primary_then_streams_and_restarts_without_copying(primary, replica):
    assert _run(["/bin/sh", str(PRIMARY_SCRIPT)], primary, POSTGRES_REPLICATION_PASSWORD=PASSWORD).returncode == 0
    with primary.connect() as connection:
        connection.execute("CREATE TABLE probe (id int PRIMARY KEY)")
        connection.execute("INSERT INTO probe VALUES (1)")

    refused = replica.start(password="not-the-password")
    assert refused.wait(timeout=60) != 0
    assert "password authentication failed" in replica.output()
    assert not (replica.cluster.data / "PG_VERSION").exists()
    replica.log.close()

    replica.start()
    assert replica.cluster.wait_until("SELECT pg_is_in_recovery()") == (True,)  # a standby
    assert replica.cluster.answer("SELECT count(*) FROM probe") == (1,)  # the copy
    primary.answer("INSERT INTO probe VALUES (2) RETURNING id")
    replica.cluster.wait_until("SELECT count(*) = 2 FROM probe")  # streamed
    assert primary.answer("SELECT usename, state FROM pg_stat_replication") == ("replicator", "streaming")
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), replica.cluster.connect() as connection:
        connection.execute("INSERT INTO probe VALUES (3)")
    assert PASSWORD not in replica.output()
    assert replica.output().count("replica: copy made") == 1

    replica.stop()
    primary.answer("INSERT INTO probe VALUES (3) RETURNING id")  # written while the replica was away
    replica.start()
    replica.cluster.wait_until("SELECT count(*) = 3 FROM probe")
    assert replica.cluster.answer("SELECT pg_is_in_recovery()") == (True,)
    assert replica.output().count("replica: copy made") == 1  # no second copy

    replica.stop()
    (replica.cluster.data / "standby.signal").unlink()  # as if promoted
    refused = replica.start()
    assert refused.wait(timeout=30) == 1
    assert "is not a standby" in replica.output()


def test_the_replica_profile_wires_the_scripts_and_the_replica_url():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    replica = services["db-replica"]
    assert replica["profiles"] == ["replica"]
    assert "./deploy/postgres/replica-entrypoint.sh:/usr/local/bin/replica-entrypoint.sh:ro" in replica["volumes"]
    assert replica["entrypoint"][-1] == "/usr/local/bin/replica-entrypoint.sh"
    assert replica["environment"]["PRIMARY_HOST"] == "db"
    db = services["db"]
    assert "profiles" not in db
    assert "./deploy/postgres/primary-replication.sh:/docker-entrypoint-initdb.d/20-replication.sh:ro" in db["volumes"]
    for name in ("web", "worker", "beat"):
        assert services[name]["environment"]["DATABASE_REPLICA_URL"] == "${DATABASE_REPLICA_URL:-}"
    for script in (PRIMARY_SCRIPT, REPLICA_ENTRYPOINT):
        assert os.access(script, os.X_OK)  # the image runs an init script only when it is executable
