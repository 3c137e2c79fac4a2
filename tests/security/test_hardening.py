import logging
import re
import time
from pathlib import Path

import pytest
from django.test import Client

from audit.models import AuditEvent
from config.logging import ScrubPersonalData, scrub
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_every_page_sends_a_csp_without_inline_script_or_style(cast):
    client = Client()
    client.force_login(cast.officer)
    for path in ("/", "/cases/", "/cases/new/", "/accounts/login/", "/api/docs/"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "script-src 'self'" in policy, path
        assert "style-src 'self'" in policy, path
        assert "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy


def test_no_template_has_an_inline_script_or_style_attribute():
    for template in TEMPLATES.rglob("*.html"):
        if "pdf" in template.parts or template.parent.name == "documents":
            continue  # PDFs are rendered by WeasyPrint, never by a browser
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert ' style="' not in text, template


def test_repeated_failed_logins_lock_the_account_and_are_audited(cast):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": "officer", "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    response = client.post(
        "/accounts/login/", {"username": "officer", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 429
    assert "bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Five wrong passwords, then the right one refused during the lockout: six failed logins.
    assert AuditEvent.objects.filter(action="login_failed", fields__username="officer").count() == 6
    assert AuditEvent.objects.filter(action="locked_out", fields__username="officer").exists()
    # Another office on another address is not locked out of its own account.
    other = Client()
    other.post("/accounts/login/", {"username": "chairman", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert "_auth_user_id" in other.session
    assert AuditEvent.objects.filter(action="login", user=cast.chairman).exists()


def test_an_idle_session_ends(cast, settings):
    client = Client()
    client.force_login(cast.officer)
    assert client.get("/").status_code == 200
    session = client.session
    session["_baove_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() - 5
    session.save()
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


def test_activity_is_written_to_the_session_once_a_minute_not_on_every_page(cast, settings):
    from django.contrib.sessions.models import Session

    client = Client()
    client.force_login(cast.officer)
    client.get("/")
    key = client.session.session_key
    first = Session.objects.get(pk=key).get_decoded()["_baove_last_seen"]
    written = Session.objects.get(pk=key).session_data
    client.get("/cases/")
    client.get("/")
    # Nothing written again within the minute: the session's row is as it was.
    assert Session.objects.get(pk=key).session_data == written
    # Older than a minute: written again, and the session goes on (not ended as idle).
    session = client.session
    session["_baove_last_seen"] = first - 61
    session.save()
    assert client.get("/cases/").status_code == 200
    assert Session.objects.get(pk=key).get_decoded()["_baove_last_seen"] > first - 61
    # Idle past the timeout: ended, as before.
    session = client.session
    session["_baove_last_seen"] = time.time() - settings.SESSION_IDLE_TIMEOUT.total_seconds() - 5
    session.save()
    assert client.get("/cases/").status_code == 302


def test_a_session_ends_after_its_maximum_length_even_when_active(cast, settings):
    client = Client()
    client.force_login(cast.officer)
    client.get("/")
    session = client.session
    session["_baove_started"] = time.time() - settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() - 5
    session.save()
    assert client.get("/").status_code == 302


def test_logs_carry_no_id_number_phone_or_email(caplog):
    assert scrub("Trẻ 079215000123, mẹ 0912 345 678, +84912345678, me@example.vn") == (
        "Trẻ [personal-id], mẹ [phone], [phone], [email]"
    )
    logger = logging.getLogger("baove.test")
    handler = logging.StreamHandler()
    handler.addFilter(ScrubPersonalData())
    record = logger.makeRecord(
        "baove.test", logging.WARNING, __file__, 1, "call from %s about %s", ("0987654321", "079215000123"), None
    )
    ScrubPersonalData().filter(record)
    assert record.getMessage() == "call from [phone] about [personal-id]"
