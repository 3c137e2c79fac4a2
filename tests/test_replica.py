"""Reads from a real streaming replica (config/replicas.py): a primary with a copy of the test database
and its replica made by pg_basebackup, replaying the primary's WAL. Lag, failover and read-your-writes."""

import glob
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config import replicas
from reports import selectors as report_selectors
from reports.periods import parse

pytestmark = pytest.mark.replica


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda path: int(path.split("/")[4]))
    return found[-1] if found else name


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: the servers run as the postgres account then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    subprocess.run(_as_postgres(command), check=True, capture_output=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One PostgreSQL server of the pair, in its own folder, on a free port."""

    def __init__(self, folder: Path):
        self.data, self.port = folder / "data", _free_port()

    @property
    def address(self) -> list[str]:
        return ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.data.parent} -c shared_buffers=16MB -c fsync=off"
        )
        _run(
            [
                _binary("pg_ctl"),
                "-D",
                str(self.data),
                "-w",
                "-t",
                "60",
                "-l",
                f"{self.data}.log",
                "-o",
                options,
                "start",
            ]
        )

    def stop(self) -> None:
        _run([_binary("pg_ctl"), "-D", str(self.data), "-w", "-m", "immediate", "stop"])

    def connect(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, autocommit=True)

    def execute(self, sql: str):
        with self.connect() as connection:
            return connection.execute(sql).fetchone()


class Pair:
    def __init__(self, primary: Server, standby: Server):
        self.primary, self.standby = primary, standby

    def wait_until_caught_up(self, timeout: float = 30) -> None:
        target = self.primary.execute("SELECT pg_current_wal_lsn()::text")[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.standby.execute(f"SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '{target}') >= 0")[0]:
                return
            time.sleep(0.05)
        raise AssertionError("the replica did not catch up")


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker):
    """A primary holding a copy of the test database and its streaming replica (pg_basebackup), on free
    ports; for this module the default connection is the primary and `replica` the replica. A pair of its
    own: a base backup of the shared test cluster would copy every database on it (benchmarks included)."""
    folder = Path(tempfile.mkdtemp(prefix="baove-replica-"))
    folder.chmod(0o700)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary, standby = Server(folder / "primary"), Server(folder / "standby")
    for server in (primary, standby):
        server.data.parent.mkdir()
        if os.geteuid() == 0:
            shutil.chown(server.data.parent, "postgres", "postgres")
    default = connections["default"]
    original = dict(default.settings_dict)
    try:
        _run([_binary("initdb"), "-D", str(primary.data), "--auth=trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
        primary.start()
        name = original["NAME"]
        _run([_binary("createdb"), *primary.address, name])
        source = ["-h", original.get("HOST") or "127.0.0.1", "-p", str(original.get("PORT") or 5432)]
        source += ["-U", original.get("USER") or "postgres"]
        dump = subprocess.Popen(
            [_binary("pg_dump"), *source, "--format=custom", "--no-owner", name],
            stdout=subprocess.PIPE,
            env={**os.environ, "PGPASSWORD": original.get("PASSWORD") or ""},
        )
        subprocess.run(
            [_binary("pg_restore"), *primary.address, "--no-owner", "-d", name],
            stdin=dump.stdout,
            check=True,
            capture_output=True,
        )
        assert dump.wait() == 0
        copy = ["-D", str(standby.data), "--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast"]
        _run([_binary("pg_basebackup"), *primary.address, *copy, "--no-sync"])
        standby.start()
        default.close()
        default.settings_dict.update(HOST="127.0.0.1", PORT=primary.port, USER="postgres", PASSWORD="")
        replica = {**default.settings_dict, "PORT": standby.port, "TEST": {"MIRROR": "default"}}
        replica["OPTIONS"] = {**replica.get("OPTIONS", {}), "connect_timeout": 2}
        settings.DATABASES[replicas.REPLICA] = connections.settings[replicas.REPLICA] = replica
        yield Pair(primary, standby)
    finally:
        for server in (standby, primary):
            if (server.data / "postmaster.pid").exists():
                server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        if replicas.REPLICA in connections.settings:
            connections[replicas.REPLICA].close()
            connections.settings.pop(replicas.REPLICA, None)
            settings.DATABASES.pop(replicas.REPLICA, None)
        default.close()
        default.settings_dict.update(original)


@pytest.fixture
def fast_checks(settings):
    settings.REPLICA_CHECK_SECONDS = 0
    settings.REPLICA_MAX_LAG_SECONDS = 1


def _forget_figures() -> None:
    """The dashboard keeps its figures a few minutes (reports.selectors.recent_figures): computed afresh
    here, where the reads they make are what is measured."""
    cache.delete_pattern("report-figures:*")


def _dashboard_reads(unit) -> tuple[int, int, dict]:
    """Queries the leader's dashboard makes on the primary and on the replica, under using_replica()."""
    _forget_figures()
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as on_primary,
        CaptureQueriesContext(connections[replicas.REPLICA]) as on_replica,
        replicas.using_replica(),
    ):
        figures = report_selectors.dashboard(unit, parse("2026-H1"))
    # Leave out the replica's health check (made at every using_replica() here): the primary's current
    # LSN, how far the replica has replayed.
    return _reads(on_primary, "pg_current_wal_lsn"), _reads(on_replica, "pg_is_in_recovery"), figures


def _reads(captured: CaptureQueriesContext, check: str) -> int:
    return sum(check not in query["sql"] for query in captured.captured_queries)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_dashboard_reads_from_the_replica_and_falls_back_to_the_primary_when_replay_lags(
    pair, fast_checks, cast, tree, caplog
):
    caplog.set_level(logging.WARNING, logger="config.replicas")
    pair.wait_until_caught_up()
    with replicas.using_replica() as alias:
        assert alias == replicas.REPLICA
        with connections[replicas.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), count(*) FROM agencies_administrativeunit WHERE code = '91'")
            assert cursor.fetchone() == (True, 1)  # a standby, holding the rows the test committed
    primary_queries, replica_queries, figures = _dashboard_reads(tree.province_p)
    assert (primary_queries, replica_queries > 0) == (0, True)

    pair.standby.execute("SELECT pg_wal_replay_pause()")
    try:
        with pair.primary.connect() as primary:
            primary.execute("CREATE TABLE IF NOT EXISTS baove_replica_probe (at timestamptz)")
            deadline = time.monotonic() + 20
            while (health := replicas.replica_health(fresh=True)).usable and time.monotonic() < deadline:
                primary.execute("INSERT INTO baove_replica_probe VALUES (now())")
                time.sleep(0.2)
        assert not health.usable
        assert health.lag_seconds > 1
        primary_queries, replica_queries, figures_when_lagging = _dashboard_reads(tree.province_p)
        assert (primary_queries > 0, replica_queries) == (True, 0)
        assert "replica: reads go to the primary: lags" in caplog.text
        assert {**figures_when_lagging, "computed_at": None} == {**figures, "computed_at": None}
    finally:
        pair.standby.execute("SELECT pg_wal_replay_resume()")
        with pair.primary.connect() as primary:
            primary.execute("DROP TABLE IF EXISTS baove_replica_probe")
    pair.wait_until_caught_up()
    with replicas.using_replica() as alias:
        assert alias == replicas.REPLICA


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_after_a_post_the_browser_reads_from_the_primary_until_the_pin_expires(pair, fast_checks, cast, client):
    pair.wait_until_caught_up()
    client.force_login(cast.leader)
    url = reverse("reports:dashboard")

    def queries_on_replica() -> int:
        _forget_figures()
        with CaptureQueriesContext(connections[replicas.REPLICA]) as on_replica:
            response = client.get(url)
        assert response.status_code == 200
        return _reads(on_replica, "pg_is_in_recovery")

    assert queries_on_replica() > 0
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert response.status_code == 302
    assert replicas.PIN_COOKIE in response.cookies
    assert queries_on_replica() == 0  # pinned: what was just written is read back from the primary
    pinned = client.cookies[replicas.PIN_COOKIE].value
    later = time.time() + settings.REPLICA_PIN_SECONDS + 1
    with time_machine.travel(later, tick=False):
        assert queries_on_replica() > 0  # the pin has expired
    client.cookies[replicas.PIN_COOKIE] = pinned
    assert queries_on_replica() == 0
    client.cookies[replicas.PIN_COOKIE] = pinned.replace("1", "2", 1)
    assert queries_on_replica() > 0  # a forged cookie is ignored (and could only move reads to the replica)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_stopped_replica_sends_reads_to_the_primary_without_an_error(pair, fast_checks, cast, tree, client, caplog):
    pair.wait_until_caught_up()
    client.force_login(cast.leader)
    with replicas.using_replica() as alias:
        assert alias == replicas.REPLICA
    pair.standby.stop()
    try:
        with caplog.at_level(logging.WARNING, logger="config.replicas"):
            primary_queries, replica_queries, _ = _dashboard_reads(tree.province_p)
            response = client.get(reverse("reports:dashboard"))
        assert (primary_queries > 0, replica_queries) == (True, 0)
        assert response.status_code == 200
        assert "replica: reads go to the primary: unreachable" in caplog.text
    finally:
        pair.standby.start()
    pair.wait_until_caught_up()
    with replicas.using_replica() as alias:
        assert alias == replicas.REPLICA
