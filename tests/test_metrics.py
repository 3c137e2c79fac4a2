"""/metrics: refused without the token or an allowed address, and its figures equal the data."""

import datetime
import io
import json
import logging

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from config.logging import JsonFormatter, ScrubPersonalData
from notifications.models import Deadline, Delivery, Notification, OutboxMessage
from reports.models import PeriodicReport

pytestmark = pytest.mark.django_db

TOKEN = "scrape-token-for-the-suite-0123456789"


@pytest.fixture
def metrics_settings(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_IPS = []
    return settings


def scrape(**headers) -> dict:
    """The samples of a scrape as {(name, sorted labels): value}."""
    response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def test_no_token_nor_address_configured_means_no_endpoint(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = []
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_scrape_without_the_token_is_refused_and_shows_no_figure(metrics_settings, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    response = Client().get("/metrics", **headers)
    assert response.status_code == 403
    body = response.content.decode()
    assert "baove_" not in body
    assert "django_" not in body
    assert "không được đọc số liệu giám sát" in body  # in Vietnamese, the default language


def test_allowed_network_may_scrape_without_token(settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "192.0.2.7"]
    assert Client(REMOTE_ADDR="10.20.30.40").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="192.0.2.7").get("/metrics").status_code == 200
    refused = Client(REMOTE_ADDR="192.0.2.8").get("/metrics")
    assert refused.status_code == 403
    assert b"baove_" not in refused.content


def _deadline(target_id: int, *, due_in: datetime.timedelta, state="open", next_step_in=None) -> Deadline:
    now = timezone.now()
    return Deadline.objects.create(
        target_type=ContentType.objects.get_for_model(PeriodicReport),
        target_id=target_id,
        kind="metrics_test",
        starts_at=now - datetime.timedelta(days=30),
        due_at=now + due_in,
        state=state,
        next_step_at=now + next_step_in if next_step_in is not None else None,
    )


def test_figures_equal_the_data(metrics_settings, cast, tree):
    hour = datetime.timedelta(hours=1)
    # 3 overdue (2 with an escalation step due, the oldest 5 hours ago), 2 due within a day, 1 later,
    # 1 overdue but met (not counted).
    _deadline(1, due_in=-3 * hour, next_step_in=-5 * hour)
    _deadline(2, due_in=-2 * hour, next_step_in=-0.5 * hour)
    _deadline(3, due_in=-1 * hour)
    _deadline(4, due_in=2 * hour, next_step_in=hour)
    _deadline(5, due_in=20 * hour)
    _deadline(6, due_in=48 * hour)
    _deadline(7, due_in=-9 * hour, state="met", next_step_in=-9 * hour)

    OutboxMessage.objects.create(task="notifications.tasks.deliver", args=[1])
    old = OutboxMessage.objects.create(task="notifications.tasks.deliver", args=[2])
    OutboxMessage.objects.filter(pk=old.pk).update(created_at=timezone.now() - 10 * datetime.timedelta(minutes=1))
    OutboxMessage.objects.create(task="notifications.tasks.deliver", args=[3], sent_at=timezone.now())

    notice = Notification.objects.create(user=cast.officer, title="Hạn xử lý")
    for state in ["pending", "pending", "held", "sending", "sent", "failed"]:
        Delivery.objects.create(notification=notice, channel="email", state=state)
    oldest = Delivery.objects.filter(state="pending").first()
    Delivery.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - 3 * hour)

    today = timezone.localdate()
    period = {"period_code": "2026-TEST", "period_start": today - datetime.timedelta(days=90), "period_end": today}
    PeriodicReport.objects.create(unit=tree.commune_c1, status="submitted", **period)
    PeriodicReport.objects.create(unit=tree.commune_c2, status="submitted", **period)
    PeriodicReport.objects.create(unit=tree.commune_c3, status="draft", **period)
    long_ago = {"period_code": "2019-H1", "period_start": datetime.date(2019, 1, 1)}
    PeriodicReport.objects.create(
        unit=tree.commune_c1, status="submitted", period_end=datetime.date(2019, 6, 30), **long_ago
    )

    samples = scrape()

    assert samples[("baove_deadlines_overdue", ())] == 3
    assert samples[("baove_deadlines_due_next_24h", ())] == 2
    assert samples[("baove_escalation_steps_due", ())] == 2
    assert 5 * 3600 - 5 <= samples[("baove_escalation_lag_seconds", ())] <= 5 * 3600 + 60
    assert samples[("baove_outbox_unsent", ())] == 2
    assert 600 - 5 <= samples[("baove_outbox_oldest_unsent_age_seconds", ())] <= 600 + 60
    assert samples[("baove_deliveries_backlog", (("state", "pending"),))] == 2
    assert samples[("baove_deliveries_backlog", (("state", "held"),))] == 1
    assert samples[("baove_deliveries_backlog", (("state", "sending"),))] == 1
    assert 3 * 3600 - 5 <= samples[("baove_deliveries_oldest_pending_age_seconds", ())] <= 3 * 3600 + 60
    assert samples[("baove_deliveries_failed_24h", ())] == 1
    assert samples[("baove_periodic_reports", (("period", "2026-TEST"), ("status", "submitted")))] == 2
    assert samples[("baove_periodic_reports", (("period", "2026-TEST"), ("status", "draft")))] == 1
    assert samples[("baove_periodic_reports", (("period", "2026-TEST"), ("status", "accepted")))] == 0
    assert not any(name == "baove_periodic_reports" and ("period", "2019-H1") in labels for name, labels in samples)

    # Things change, the next scrape says so: nothing is cached between scrapes.
    Deadline.objects.filter(target_id=1).update(state="met", next_step_at=None)
    again = scrape()
    assert again[("baove_deadlines_overdue", ())] == 2
    assert again[("baove_escalation_steps_due", ())] == 1
    assert 1800 - 5 <= again[("baove_escalation_lag_seconds", ())] <= 1800 + 60


def test_empty_database_gives_zeros(metrics_settings):
    samples = scrape()
    for name in ["baove_deadlines_overdue", "baove_escalation_steps_due", "baove_escalation_lag_seconds",
                 "baove_outbox_unsent", "baove_deliveries_oldest_pending_age_seconds"]:  # fmt: skip
        assert samples[(name, ())] == 0


def test_request_database_and_cache_metrics_are_exposed(metrics_settings, cast, client):
    client.force_login(cast.officer)
    assert client.get("/cases/").status_code == 200
    samples = scrape()
    names = {name for name, _ in samples}
    assert any(
        name == "django_http_responses_total_by_status_view_method_total"
        and dict(labels).get("view") == "cases:list"
        and dict(labels).get("status") == "200"
        for name, labels in samples
    ), sorted(n for n in names if n.startswith("django_http"))[:20]
    assert any(name == "django_db_execute_total" and ("vendor", "postgresql") in labels for name, labels in samples)
    assert "django_cache_get_total" in names


def test_no_personal_data_in_the_metrics(metrics_settings, receive, cast, client):
    from cases.models import CaseFile

    receive()
    case = CaseFile.objects.get()
    client.force_login(cast.officer)
    client.get("/cases/", {"q": "Nguyễn Văn An"})
    body = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    for personal in ["Nguyễn", "Nguyen", "Văn An", cast.officer.username, "Xã Một"]:
        assert personal not in body
    assert case.reference not in body
    # The commune's code in no label (as digits it may well appear inside a measured time).
    labels = {value for family in text_string_to_metric_families(body) for sample in family.samples
              for value in sample.labels.values()}  # fmt: skip
    assert not [value for value in labels if "90001" in value]


def test_json_log_lines_are_scrubbed_of_personal_data():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ScrubPersonalData())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("baove.test_metrics")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        request = Client().get("/healthz").wsgi_request
        logger.warning(
            "delivery to %s failed, phone %s",
            "an.nguyen@example.vn",
            "0912 345 678",
            extra={"request": request, "note": "citizen id 012345678901", "status_code": 500},
        )
        try:
            raise ValueError("bad number 0987654321")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    first = lines[0]
    assert first["level"] == "WARNING"
    assert first["logger"] == "baove.test_metrics"
    assert "time" in first
    assert first["message"] == "delivery to [email] failed, phone [phone]"
    assert first["note"] == "citizen id [personal-id]"
    assert first["request"] == "<WSGIRequest>"
    assert first["status_code"] == 500
    assert "0987654321" not in stream.getvalue()
    assert "[phone]" in lines[1]["exc_info"]


def unreachable(*, now):
    from django.db import OperationalError

    raise OperationalError("connection refused")
    yield  # a generator, as the apps' collectors are


def test_a_collector_whose_database_fails_is_left_out_and_said_so(metrics_settings):
    metrics_settings.BAOVE_METRIC_COLLECTORS = ["tests.test_metrics.unreachable", "notifications.metrics.collect"]
    samples = scrape()
    assert samples[("baove_figures_up", (("collector", "tests.test_metrics.unreachable"),))] == 0
    assert samples[("baove_figures_up", (("collector", "notifications.metrics.collect"),))] == 1
    assert samples[("baove_deadlines_overdue", ())] == 0
    assert any(name.startswith("django_http_") for name, _ in samples)  # the rest is still there


@pytest.mark.django_db(transaction=True)
def test_gunicorn_workers_are_counted_together_in_one_scrape(tmp_path):
    """Under gunicorn (2 workers, PROMETHEUS_MULTIPROC_DIR, config.gunicorn) any worker's scrape counts
    the requests every worker served, beside the figures of the data."""
    import http.client
    import os
    import socket
    import subprocess
    import sys
    import time

    from django.conf import settings as django_settings
    from django.db import connection

    _deadline(1, due_in=-datetime.timedelta(hours=1))
    _deadline(2, due_in=-datetime.timedelta(hours=2))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    database = django_settings.DATABASES["default"]
    (tmp_path / "multiprocess").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT'] or 5432}/"
        f"{connection.settings_dict['NAME']}",
        "METRICS_TOKEN": TOKEN,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "multiprocess"),
    }
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn",
         "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip

    def get(path: str, **headers) -> str:
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        client.request("GET", path, headers=headers)
        return client.getresponse().read().decode()

    try:
        for _ in range(150):
            try:
                get("/healthz")
                break
            except OSError:
                time.sleep(0.2)
        for _ in range(7):  # 8 in all with the one that found it listening
            get("/healthz")
        body = get("/metrics", Authorization=f"Bearer {TOKEN}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    samples = {}
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    healthz = [
        value
        for (name, labels), value in samples.items()
        if name == "django_http_responses_total_by_status_view_method_total" and ("view", "healthz") in labels
    ]
    assert sum(healthz) == 8, (tmp_path / "gunicorn.log").read_text()[-2000:]
    assert samples[("baove_deadlines_overdue", ())] == 2
