"""Failures the system must survive without losing or doubling work:
- a Celery worker killed in the middle of an escalation scan: after a restart each step fires once;
- Redis stopped while a user submits a report: the report is saved, its tasks wait in the outbox
  and run once Redis is back, exactly once.
(The database going away during a request is in test_api_tokens_and_errors.py.)
"""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from cases.models import CaseFile
from config.celery import app
from notifications import engine
from notifications.models import Deadline, Delivery, EscalationFire, Notification, OutboxMessage
from notifications.outbox import relay
from tests.cases.test_pages import _report_post
from tests.test_healthz import _free_port

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def _wait(condition, seconds: float, what: str, log: Path | None = None):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{tail}")


def _psql():
    db = settings.DATABASES["default"]
    return psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=connection.settings_dict["NAME"]
    )


def _worker(log: Path, broker: str) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": broker,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    handle = log.open("ab")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"fault-{time.monotonic_ns()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def own_redis_port():
    port = _free_port()
    processes = []

    def start():
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        processes.append(process)
        _wait(lambda: redis.Redis(port=port).ping(), 10, "redis to start")
        return process

    yield port, start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_worker_killed_mid_escalation_fires_each_step_once_after_restart(
    cast, receive, default_ladders, tmp_path, own_redis_port
):
    # Its own Redis: another suite running on this machine must not consume the scan message.
    port, start = own_redis_port
    start()
    broker = f"redis://127.0.0.1:{port}/0"
    receive()
    deadline = Deadline.objects.get(kind="emergency_decision")
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    # Received 11 hours ago: the 50 % and 75 % steps are due, the 100 % step is not yet.
    Deadline.objects.filter(pk=deadline.pk).update(
        starts_at=now - 11 * hour, due_at=now + hour, next_step_at=now - 5 * hour
    )
    log = tmp_path / "worker.log"
    first = _worker(log, broker)
    try:
        # Hold the notification table: the scan will claim the deadline, move its cursor, write the
        # fired steps, then wait on this lock (reading who was told already) mid-transaction.
        with _psql() as blocker:
            blocker.execute("LOCK TABLE notifications_notification IN ACCESS EXCLUSIVE MODE")
            with app.connection_for_write(broker) as conn:
                app.send_task("notifications.tasks.scan_deadlines", producer=conn.Producer())

            def scan_waiting():
                with _psql() as probe:
                    return probe.execute(
                        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND query LIKE '%%notifications_notification%%' AND pid <> pg_backend_pid()"
                    ).fetchone()

            (backend,) = _wait(scan_waiting, 90, "the worker's scan to block", log)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
            blocker.rollback()  # releases the lock; the orphaned transaction can never commit

        def backend_gone():
            with _psql() as probe:
                return (
                    probe.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone()[0] == 0
                )

        _wait(backend_gone, 30, "the killed worker's transaction to end")
        deadline.refresh_from_db()
        assert EscalationFire.objects.count() == 0
        assert Notification.objects.count() == 0
        assert deadline.next_step == 0  # nothing of the half-done scan survived

        # Restart: the unacknowledged message is delivered again and the scan completes.
        second = _worker(log, broker)
        try:
            _wait(lambda: Notification.objects.exists(), 90, "the scan to run again", log)
            time.sleep(1)
            engine.scan()  # the next beat tick, or a second scanner: nothing left to fire
            with app.connection_for_write(broker) as conn:
                app.send_task("notifications.tasks.scan_deadlines", producer=conn.Producer())
            time.sleep(3)
        finally:
            second.terminate()
            second.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert sorted(EscalationFire.objects.values_list("position", flat=True)) == [0, 1]
    told = list(Notification.objects.values_list("user__username", "deadline_id"))
    assert told == [("officer", deadline.pk)]
    deadline.refresh_from_db()
    assert deadline.next_step == 2


def test_a_report_submitted_while_redis_is_down_is_saved_and_its_tasks_run_once_it_is_back(
    cast, tree, own_redis_port, default_ladders, monkeypatch
):
    from celery.contrib.testing.worker import start_worker

    port, start = own_redis_port
    original = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{port}/0")  # Celery reads it before its settings
    try:
        redis_process = start()
        redis_process.kill()
        redis_process.wait()

        client = Client()
        client.force_login(cast.police)  # an agency's focal point records a report for the commune
        response = client.post(
            "/cases/new/",
            _report_post(tree.commune_c1, [{"full_name": "Mùa A Chứ", "birth_date": "2014-02-02", "sex": "male"}]),
        )
        assert response.status_code == 302, response.content[:500]
        case = CaseFile.objects.get()
        notification = Notification.objects.get(user=cast.officer)
        assert case.reference in notification.title
        assert "Mùa A Chứ" not in notification.title + notification.body
        delivery = Delivery.objects.get(notification=notification)
        assert delivery.state == "pending"
        (message,) = OutboxMessage.objects.all()
        assert message.sent_at is None
        assert message.attempts == 1
        assert message.last_error

        start()  # Redis is back
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
            assert relay() == 1  # what the beat's relay_outbox does every minute
            _wait(lambda: Delivery.objects.filter(pk=delivery.pk, state="sent").exists(), 30, "the email to go out")
            assert relay() == 0
            time.sleep(1)
        assert [m.to for m in mail.outbox] == [[cast.officer.email]]
        message.refresh_from_db()
        assert message.sent_at is not None
    finally:
        app.conf.broker_url = original


def test_a_broker_restarted_empty_loses_no_delivery_and_no_rendering(
    cast, tree, own_redis_port, default_ladders, monkeypatch
):
    """Messages already handed to Redis (the outbox marked them sent) vanish when Redis restarts without
    persistence; the beat's re-drives queue them again from PostgreSQL, and each is carried out once."""
    from celery.contrib.testing.worker import start_worker

    from notifications.tasks import redrive as redrive_deliveries
    from reports import services as report_services
    from reports.models import PeriodicReport
    from reports.periods import parse
    from reports.tasks import redrive as redrive_previews

    port, start = own_redis_port
    original = app.conf.broker_url
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{port}/0")
    try:
        redis_process = start()
        client = Client()
        client.force_login(cast.police)
        response = client.post(
            "/cases/new/",
            _report_post(tree.commune_c1, [{"full_name": "Lò Văn Pá", "birth_date": "2015-03-03", "sex": "male"}]),
        )
        assert response.status_code == 302, response.content[:500]
        report = report_services.report_draft(actor=cast.chairman, unit=tree.commune_c1, period=parse("2026-H1"))
        report_services.preview_request(actor=cast.chairman, report=report)
        # Both messages reached the broker: the outbox holds nothing unsent.
        assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
        assert redis.Redis(port=port).llen("celery") == 2

        redis_process.kill()  # restarted without persistence: the queue is gone
        redis_process.wait()
        start()
        assert redis.Redis(port=port).llen("celery") == 0
        delivery = Delivery.objects.get(notification__user=cast.officer)
        assert delivery.state == "pending"
        assert PeriodicReport.objects.get(pk=report.pk).preview_state == "queued"

        later = timezone.now() + datetime.timedelta(minutes=6)  # the beat's next pass, past the waits
        assert redrive_deliveries(now=later) == 1
        assert redrive_deliveries(now=later) == 1  # twice: a duplicate message must still send once
        assert redrive_previews(now=later) == {"requeued": 1, "given_up": 0}
        assert redis.Redis(port=port).llen("celery") == 3
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
            _wait(lambda: Delivery.objects.filter(pk=delivery.pk, state="sent").exists(), 30, "the email to go out")
            _wait(lambda: PeriodicReport.objects.filter(pk=report.pk, preview_state="done").exists(), 60, "the PDF")
            _wait(lambda: redis.Redis(port=port).llen("celery") == 0, 30, "the duplicate to be consumed")
            time.sleep(1)
        assert [m.to for m in mail.outbox] == [[cast.officer.email]]
        rendered = PeriodicReport.objects.get(pk=report.pk)
        assert rendered.preview_attempts == 1
        assert rendered.preview_pdf.read()[:5] == b"%PDF-"
        assert redrive_deliveries(now=later) == 0
        assert redrive_previews(now=later) == {"requeued": 0, "given_up": 0}
    finally:
        app.conf.broker_url = original
