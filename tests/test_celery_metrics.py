"""The Celery worker's and beat's metrics (config/celery_metrics.py), scraped over HTTP from a real worker
(prefork pool: the tasks run in pool processes, counted together through PROMETHEUS_MULTIPROC_DIR) and a
real beat, both on a Redis of the test's own."""

import http.client
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection
from kombu import Connection
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app as celery_app
from tests.test_healthz import _free_port

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parent.parent
TOKEN = "celery-scrape-token-for-the-suite-0123"
SUCCEED, FAIL, RETRY = "tests.celery_probe.succeed", "tests.celery_probe.fail", "tests.celery_probe.retry_once"


class Broker(str):
    """The URL of a Redis of this test's own (nothing else sends to its queues or takes from them)."""

    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def broker():
    port = _free_port()
    made = Broker(f"redis://127.0.0.1:{port}/0")
    made.process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    _wait(lambda: _answers(client), 10, "redis to start")
    yield made
    made.stop()


def _answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def _wait(condition, seconds: float, what: str, log: Path | None = None):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if value := condition():
            return value
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def _start(arguments: list[str], log: Path, broker: str, **environment: str) -> subprocess.Popen:
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/"
        f"{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": broker,
        "METRICS_TOKEN": TOKEN,
        **environment,
    }
    if "PROMETHEUS_MULTIPROC_DIR" not in environment:
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", *arguments, "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _get(port: int, **headers: str) -> tuple[int, str]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        client.request("GET", "/metrics", headers=headers)
        response = client.getresponse()
        return response.status, response.read().decode()
    finally:
        client.close()


def _scrape(port: int) -> dict | None:
    """{(name, sorted labels): value}, or None while nothing listens there."""
    try:
        status, body = _get(port, Authorization=f"Bearer {TOKEN}")
    except OSError:
        return None
    assert status == 200, body[:300]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0)


def test_a_prefork_worker_counts_its_tasks_by_name_and_the_queue_lengths(broker, tmp_path):
    # (Celery prefers CELERY_BROKER_URL from the environment to an app's broker: the connection is given.)
    with Connection(broker) as to_broker:
        # Three messages in the default queue, which this worker does not take from (-Q probe): a backlog.
        for _ in range(3):
            celery_app.send_task(SUCCEED, queue="celery", connection=to_broker)
        for name, times in [(SUCCEED, 3), (FAIL, 2), (RETRY, 1)]:
            for _ in range(times):
                celery_app.send_task(name, queue="probe", connection=to_broker)
    assert redis.Redis.from_url(broker).llen("probe") == 6

    port, log = _free_port(), tmp_path / "worker.log"
    (tmp_path / "multiprocess").mkdir()
    worker = _start(
        ["worker", "--pool=prefork", "--concurrency=2", "-Q", "probe", "--include", "tests.celery_probe",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"metrics-{time.monotonic_ns()}@%h"],
        log, broker,
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "multiprocess"), CELERY_METRICS_LISTEN=f"127.0.0.1:{port}",
    )  # fmt: skip
    try:

        def all_ran() -> dict | None:
            samples = _scrape(port)
            ended = samples and (
                _value(samples, "celery_task_succeeded_total", task=SUCCEED)
                + _value(samples, "celery_task_failed_total", task=FAIL, exception="LookupError")
                + _value(samples, "celery_task_succeeded_total", task=RETRY)
            )
            return samples if ended == 3 + 2 + 1 else None

        samples = _wait(all_ran, 90, "the worker to run the probe tasks", log)
        status, refused = _get(port, Authorization="Bearer wrong-token")
        broker.stop()  # Redis gone: the scrape still answers, says so, and keeps the task counts
        started = time.monotonic()
        without_broker = _scrape(port)
        scrape_seconds = time.monotonic() - started
    finally:
        _stop(worker)

    assert _value(samples, "celery_task_started_total", task=SUCCEED) == 3
    assert _value(samples, "celery_task_succeeded_total", task=SUCCEED) == 3
    assert _value(samples, "celery_task_failed_total", task=SUCCEED, exception="LookupError") == 0
    assert _value(samples, "celery_task_started_total", task=FAIL) == 2
    assert _value(samples, "celery_task_succeeded_total", task=FAIL) == 0
    assert _value(samples, "celery_task_failed_total", task=FAIL, exception="LookupError") == 2
    assert _value(samples, "celery_task_started_total", task=RETRY) == 2  # the first run and the retry
    assert _value(samples, "celery_task_retried_total", task=RETRY) == 1
    assert _value(samples, "celery_task_succeeded_total", task=RETRY) == 1
    assert not [labels for name, labels in samples if name == "celery_task_failed_total" and ("task", RETRY) in labels]
    assert _value(samples, "celery_task_duration_seconds_count", task=SUCCEED) == 3
    assert _value(samples, "celery_task_duration_seconds_count", task=FAIL) == 2
    assert _value(samples, "celery_task_duration_seconds_bucket", task=SUCCEED, le="+Inf") == 3
    assert 0 < _value(samples, "celery_task_duration_seconds_sum", task=SUCCEED) < 30
    # The tasks ran in the pool's processes, not in the one that serves the scrape.
    pool_files = {path.name for path in (tmp_path / "multiprocess").iterdir()}
    assert any(name.startswith("counter_") and str(worker.pid) not in name for name in pool_files), pool_files

    assert _value(samples, "celery_queue_length", queue="celery") == 3
    assert _value(samples, "celery_queue_length", queue="probe") == 0
    assert _value(samples, "celery_broker_up") == 1

    assert _value(without_broker, "celery_broker_up") == 0
    assert not [labels for name, labels in without_broker if name == "celery_queue_length"]
    assert _value(without_broker, "celery_task_succeeded_total", task=SUCCEED) == 3
    assert scrape_seconds < 10  # within Prometheus's scrape timeout

    assert status == 403
    assert "celery_" not in refused
    assert "không được đọc số liệu giám sát" in refused


def test_beat_says_when_it_last_sent_each_periodic_task(broker, tmp_path):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    every_second = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="metrics probe", task="tests.celery_probe.tick", interval=every_second,
                                queue="probe")  # fmt: skip
    started = time.time()
    port, log = _free_port(), tmp_path / "beat.log"
    beat = _start(
        ["beat", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler", "--max-interval", "1"],
        log, broker, CELERY_METRICS_LISTEN=f"127.0.0.1:{port}",
    )  # fmt: skip
    try:
        samples = _wait(
            lambda: (
                (found := _scrape(port))
                and _value(found, "celery_beat_sent_total", periodic_task="metrics probe") >= 2
                and found
            ),
            60,
            "beat to send the probe twice",
            log,
        )
    finally:
        _stop(beat)
    last = _value(samples, "celery_beat_last_sent_timestamp_seconds", periodic_task="metrics probe")
    assert started < last <= time.time()
    sent = _value(samples, "celery_beat_sent_total", periodic_task="metrics probe")
    waiting = redis.Redis.from_url(broker).llen("probe")
    assert waiting >= sent >= 2  # each counted send is a message in the queue (more may have gone since)
    # Only what beat sends is counted: no task run or sent otherwise is named.
    assert not [labels for name, labels in samples if name.startswith("celery_task_")]


@pytest.mark.django_db(transaction=False)
def test_the_dashboard_and_the_alerts_name_only_metrics_the_celery_processes_export():
    from prometheus_client.metrics import MetricWrapperBase

    from config import celery_metrics

    exported = {"celery_queue_length", "celery_broker_up"}
    for metric in vars(celery_metrics).values():
        if isinstance(metric, MetricWrapperBase):
            name = metric._name
            exported |= {name, f"{name}_total", f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    named = set()
    for path in ["deploy/grafana/baove.json", "deploy/prometheus/alerts.yml"]:
        named |= set(re.findall(r"\bcelery_[a-z_]+", (ROOT / path).read_text()))
    assert named, "no Celery metric in the dashboard or the alerts"
    assert sorted(named - exported) == []
    assert {"celery_task_failed_total", "celery_queue_length", "celery_beat_last_sent_timestamp_seconds"} <= named
    scrape_config = (ROOT / "deploy/prometheus/prometheus.yml").read_text()
    assert '"worker:9808"' in scrape_config
    assert '"beat:9808"' in scrape_config
