"""Intake never depends on Redis; API clients always get JSON; personal data is never cached.

Redis is the cache (rate limiter, name-search vocabulary) and the broker in production. The issue found
that with Redis stopped every API report got an HTML 500 from the rate limiter. Here a Redis server of
the test's own is configured exactly as production configures it (config.settings.base.redis_cache,
the production throttle classes and rates), really stopped, and reports are posted from the page and
the API; then it is started again and the cache and the outbox pick up where they were.
"""

import datetime
import json
import logging
import os
import signal
import subprocess
import threading
import time

import pytest
import redis
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from cases.models import CaseFile, Report
from config.celery import app
from config.settings.base import REST_FRAMEWORK as PRODUCTION_REST_FRAMEWORK
from config.settings.base import redis_cache
from notifications.models import Deadline, OutboxMessage
from notifications.outbox import relay
from tests.cases.test_pages import _report_post
from tests.factories import AgencyFactory, MembershipFactory
from tests.security.test_faults import _wait
from tests.test_healthz import _free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def production_redis(settings, monkeypatch):
    """One Redis on a free port as cache and broker, with production's throttles; start() / stop()."""
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    processes: list[subprocess.Popen] = []

    def start():
        process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        processes.append(process)
        _wait(lambda: _answers(port), 10, "redis to start")

    def stop():
        for process in processes:
            process.kill()
            process.wait()
        assert not _answers(port)

    settings.CACHES = {"default": redis_cache(url)}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, **_production_throttles()}
    api_settings.reload()
    UserRateThrottle.THROTTLE_RATES = AnonRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    original_broker = app.conf.broker_url
    app.conf.broker_url = url
    monkeypatch.setenv("CELERY_BROKER_URL", url)  # Celery reads it before its configuration
    start()
    yield redis.Redis(port=port), start, stop
    app.conf.broker_url = original_broker
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
    }
    api_settings.reload()
    UserRateThrottle.THROTTLE_RATES = AnonRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def _production_throttles() -> dict:
    return {
        "DEFAULT_THROTTLE_CLASSES": PRODUCTION_REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"],
        "DEFAULT_THROTTLE_RATES": PRODUCTION_REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    }


def _answers(port: int) -> bool:
    try:
        return redis.Redis(port=port, socket_connect_timeout=0.5).ping()
    except redis.ConnectionError:
        return False


@pytest.fixture
def hotline(tree):
    agency = AgencyFactory(agency_type__code="hotline_111", name="Tổng đài 111", unit=None)
    user = MembershipFactory(role="focal_point", agency=agency, unit=None).user
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def _api_report(name: str) -> dict:
    return {
        "received_at": (timezone.now() - datetime.timedelta(minutes=10)).isoformat(),
        "receiving_point": "hotline_111",
        "commune_code": "90001",
        "source": "hotline_111",
        "setting": "family",
        "narrative": "Cuộc gọi báo trẻ bị bạo lực.",
        "abuse_forms": ["violence"],
        "reporter_is_anonymous": True,
        "children": [{"full_name": name, "birth_date": "2013-09-09", "sex": "male"}],
    }


def test_reports_are_taken_while_redis_is_down_and_everything_resumes_when_it_is_back(
    cast, tree, default_ladders, hotline, production_redis, caplog
):
    server, start, stop = production_redis
    # With Redis up, the production rate limiter really counts in this Redis.
    assert hotline.get("/api/v1/cases/").status_code == 200
    assert any(b"throttle_user" in key for key in server.keys("*"))

    stop()
    caplog.set_level(logging.WARNING)
    page = Client()
    page.force_login(cast.police)  # an agency's focal point records a report: the officer is told
    response = page.post(
        "/cases/new/",
        _report_post(tree.commune_c1, [{"full_name": "Mùa A Chứ", "birth_date": "2014-02-02", "sex": "male"}]),
    )
    assert response.status_code == 302, response.content[:500]
    assert "no-store" in response["Cache-Control"]
    # The duplicate search reads its vocabulary from the cache: it goes on from the database.
    officer = Client()
    officer.force_login(cast.officer)
    similar = officer.post("/cases/children/similar/", {"name": "Mùa A Chu"}, HTTP_ACCEPT="application/json")
    assert similar.status_code == 200
    assert [match["full_name"] for match in similar.json()["results"]] == ["Mùa A Chứ"]

    response = hotline.post("/api/v1/reports/", json.dumps(_api_report("Lò Văn Páo")), content_type="application/json")
    assert response.status_code == 201, response.content[:500]

    # Both reports stored with their case files and legal deadlines; their follow-up work waits.
    cases = list(CaseFile.objects.select_related("child").order_by("pk"))
    assert [case.child.full_name for case in cases] == ["Mùa A Chứ", "Lò Văn Páo"]
    assert Report.objects.count() == 2
    for case in cases:
        assert set(Deadline.objects.filter(target_id=case.pk).values_list("kind", flat=True)) >= {"emergency_decision"}
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert waiting.count() >= 2
    assert all(message.last_error for message in waiting)
    # The outage is logged once, as a warning without a traceback, not once per request.
    outage = [record for record in caplog.records if "cache (Redis) unavailable" in record.getMessage()]
    assert len(outage) == 1
    assert outage[0].levelno == logging.WARNING
    assert outage[0].exc_info is None

    start()  # Redis is back: the limiter counts again and the outbox is relayed
    assert hotline.get("/api/v1/cases/").status_code == 200
    assert any(b"throttle_user" in key for key in server.keys("*"))
    assert relay() == waiting.count()
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert server.llen("celery") >= 2  # the messages are in the broker's queue for the workers


def test_the_rate_limit_still_holds_while_redis_is_up(cast, production_redis, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "2/minute"},
    }
    api_settings.reload()
    UserRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    client = APIClient()
    client.force_authenticate(cast.officer)
    codes = [client.get("/api/v1/cases/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/v1/cases/").json()["detail"]  # still JSON


@pytest.fixture
def database_gone():
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = 1  # nothing listens there: every query fails

    yield
    connection.close()
    connection.settings_dict.update(saved)


def test_the_api_answers_503_json_with_retry_after_when_the_database_is_gone(cast, hotline, database_gone):
    response = hotline.get("/api/v1/cases/")  # the token is looked up in the database first
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    assert response.json()["code"] == "unavailable"
    anonymous = Client(raise_request_exception=False).get("/api/v1/cases/")  # needs no database: 401
    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/json"


def test_a_session_api_call_with_the_database_gone_is_json_too(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.officer)  # the session is read in a middleware, before DRF is reached
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = 1
    try:
        response = client.post("/api/v1/reports/", "{}", content_type="application/json")
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "Traceback" not in response.content.decode()


def test_api_errors_are_json_never_an_html_page(cast, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(cast.officer)
    missing = client.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"

    from cases import api

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api.CaseListApi, "get", broken)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "server_error"
    assert "a bug" not in response.content.decode()
    page = client.get("/cases/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


# -------------------------------------------------------------------------------------- Cache-Control


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_api_answers_and_downloads_are_never_stored(cast, receive, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases import services

    settings.MEDIA_ROOT = tmp_path
    case = receive().case_files.get()
    attachment = services.attachment_add(
        actor=cast.officer, case=case, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"), description=""
    )
    page = Client()
    page.force_login(cast.officer)
    token = Token.objects.create(user=cast.officer).key
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    for response in (
        page.get("/"),
        page.get(f"/cases/{case.pk}/"),
        page.get(f"/cases/{case.pk}/attachments/{attachment.pk}/"),
        api.get("/api/v1/cases/"),
        api.get(f"/api/v1/cases/{case.pk}/"),
        api.get(f"/api/v1/cases/{case.pk}/attachments/{attachment.pk}/"),
        Client().get("/accounts/login/"),
    ):
        assert response.status_code == 200, response
        assert _no_store(response), response
        assert "private" in response["Cache-Control"]


def test_static_files_keep_their_caching(client):
    response = client.get("/static/css/baove.css")
    assert response.status_code == 200
    assert not _no_store(response)
    assert "max-age" in response["Cache-Control"]


def test_a_hung_redis_does_not_hold_a_report(cast, tree, default_ladders, hotline, production_redis):
    """Redis stopped with SIGSTOP accepts connections and answers nothing: the cache's and the
    broker's socket timeouts bound the wait, the report is stored and its task kept in the outbox."""
    server, _start, _stop = production_redis
    process_id = server.info()["process_id"]
    answers = []

    def post():
        body = json.dumps(_api_report("Lò Văn Páo"))
        try:
            answers.append(hotline.post("/api/v1/reports/", body, content_type="application/json"))
        finally:
            connection.close()  # this thread's own database connection

    os.kill(process_id, signal.SIGSTOP)
    try:
        began = time.monotonic()
        caller = threading.Thread(target=post)
        caller.start()
        caller.join(timeout=30)  # gunicorn's default worker timeout
        took = time.monotonic() - began
    finally:
        os.kill(process_id, signal.SIGCONT)
    caller.join(timeout=30)
    assert answers, "the report was still waiting for Redis after 30 s"
    assert answers[0].status_code == 201, answers[0].content[:300]
    assert took < 15
    assert Report.objects.count() == 1
    assert OutboxMessage.objects.filter(sent_at__isnull=True).exists()
