"""Two-factor authentication for the roles that can open case files (django-otp, TOTP)."""

import datetime
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
CASE_ROLES = ["commune_officer", "chairman", "focal_point", "coordinator", "system_admin"]


@pytest.fixture
def two_factor_on(settings):
    settings.TWO_FACTOR_ROLES = CASE_ROLES
    settings.TWO_FACTOR_SUPERUSERS = True


def _login(username):
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content
    return client


def _code(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def _enrol(client, user):
    client.get("/accounts/2fa/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/accounts/2fa/setup/", {"code": _code(device), "next": "/cases/"})
    codes = re.findall(r"<li class=\"col\">(\d{8})</li>", response.content.decode())
    return device, codes


def test_a_case_role_must_set_up_and_then_pass_a_second_factor(two_factor_on, cast):
    client = _login("officer")
    # Password alone opens nothing: pages redirect, the API answers 403 with the reason.
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/setup/?next=/cases/")
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403
    assert api.json()["code"] == "two_factor_required"
    assert "results" not in api.json()

    setup = client.get("/accounts/2fa/setup/")
    assert 'data-testid="totp-qr"' in setup.content.decode()
    assert "data:image/svg+xml;base64," in setup.content.decode()
    wrong = client.post("/accounts/2fa/setup/", {"code": "000000"})
    assert "Mã này không đúng" in wrong.content.decode()
    assert wrong.context["form"]["code"].value() == "000000"  # what was typed is kept
    assert AuditEvent.objects.filter(user=cast.officer, action="2fa_failed").count() == 1

    # A wrong code slows the next try down (django-otp throttling): a moment later it goes through.
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=5), tick=False):
        device, codes = _enrol(client, cast.officer)
    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert client.get("/cases/").status_code == 200
    assert AuditEvent.objects.filter(user=cast.officer, action="2fa_enabled").count() == 1

    # Next login: the code is asked for; a recovery code works once.
    client.post("/accounts/logout/")
    client = _login("officer")
    assert client.get("/cases/")["Location"].startswith("/accounts/2fa/verify/")
    response = client.post("/accounts/2fa/verify/", {"code": codes[0], "next": "/cases/"})
    assert response.status_code == 302
    assert response["Location"] == "/cases/"
    assert client.get("/cases/").status_code == 200
    assert AuditEvent.objects.filter(user=cast.officer, action="2fa_recovery").count() == 1
    assert StaticToken.objects.filter(device__user=cast.officer).count() == 9

    client.post("/accounts/logout/")
    client = _login("officer")
    reused = client.post("/accounts/2fa/verify/", {"code": codes[0]})
    assert reused.status_code == 200
    assert client.get("/cases/").status_code == 302
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=65), tick=False):
        fresh = client.post("/accounts/2fa/verify/", {"code": _code(device), "next": "/"})
    assert fresh.status_code == 302
    assert AuditEvent.objects.filter(user=cast.officer, action="2fa_verified").count() == 1


def test_a_stolen_password_cannot_enrol_another_phone(two_factor_on, cast):
    client = _login("officer")
    device, _codes = _enrol(client, cast.officer)
    thief = _login("officer")
    response = thief.get("/accounts/2fa/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/verify/")
    assert thief.post("/accounts/2fa/setup/", {"code": "123456"}).status_code == 302
    assert list(TOTPDevice.objects.filter(user=cast.officer).values_list("pk", "confirmed")) == [(device.pk, True)]


def test_a_leader_without_case_access_is_not_asked_and_tokens_still_work(two_factor_on, cast, tree, receive):
    leader = _login("leader")
    dashboard = leader.get("/reports/")
    assert dashboard.status_code == 200  # the page itself, not a redirect to the second factor
    assert tree.province_p.name in dashboard.content.decode()
    assert not TOTPDevice.objects.filter(user=cast.leader).exists()
    case = receive().case_files.get()
    token = Token.objects.create(user=cast.officer)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert [row["reference"] for row in api.get("/api/v1/cases/").json()["results"]] == [case.reference]


def test_renewing_recovery_codes_voids_the_old_ones(two_factor_on, cast):
    client = _login("chairman")
    _device, old = _enrol(client, cast.chairman)
    response = client.post("/accounts/security/")
    new = re.findall(r"<li class=\"col\">(\d{8})</li>", response.content.decode())
    assert len(new) == 10
    assert set(new).isdisjoint(old)
    assert set(StaticToken.objects.filter(device__user=cast.chairman).values_list("token", flat=True)) == set(new)
    assert AuditEvent.objects.filter(user=cast.chairman, action="2fa_codes").exists()


def test_an_administrator_resets_a_lost_second_factor(two_factor_on, cast):
    officer = _login("officer")
    _enrol(officer, cast.officer)
    admin = _login("admin")
    admin_device, _ = _enrol(admin, cast.admin)
    response = admin.post(
        "/admin/auth/user/", {"action": "reset_two_factor", "_selected_action": [cast.officer.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(user=cast.officer).exists()
    assert not StaticToken.objects.filter(device__user=cast.officer).exists()
    assert TOTPDevice.objects.filter(user=cast.admin, pk=admin_device.pk).exists()
    event = AuditEvent.objects.get(action="2fa_reset")
    assert (event.object_id, event.user) == (str(cast.officer.pk), cast.admin)
    again = _login("officer")
    assert again.get("/cases/")["Location"].startswith("/accounts/2fa/setup/")


def test_the_admin_needs_a_second_factor_too(two_factor_on, cast):
    admin = _login("admin")
    assert admin.get("/admin/")["Location"].startswith("/accounts/2fa/setup/")


def test_two_factor_is_on_by_default_outside_the_demo(tmp_path):
    code = "from django.conf import settings; print(sorted(settings.TWO_FACTOR_ROLES), settings.TWO_FACTOR_SUPERUSERS)"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "BAOVE_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/baove",
        "ALLOWED_HOSTS": "baove.example.vn",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"{sorted(CASE_ROLES)} True"


def test_the_page_asked_for_comes_back_whole_after_the_second_factor(two_factor_on, cast):
    client = _login("officer")
    device, _codes = _enrol(client, cast.officer)
    client.post("/accounts/logout/")
    client = _login("officer")
    location = client.get("/cases/?state=received&page=2")["Location"]
    assert location == "/accounts/2fa/verify/?next=/cases/%3Fstate%3Dreceived%26page%3D2"
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=65), tick=False):
        response = client.post(location, {"code": _code(device), "next": "/cases/?state=received&page=2"})
    assert response["Location"] == "/cases/?state=received&page=2"
