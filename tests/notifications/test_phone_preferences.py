"""The preferences page: choosing SMS or Zalo and quiet hours, adding a mobile number and verifying it with a
one-time code sent by SMS (through a local gateway the test starts)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from notifications.models import ChannelAccount, OutboxMessage, PhoneVerification, Preference
from notifications.tasks import send_phone_code
from notifications.verification import CODES_PER_HOUR
from tests.notifications.gateway import start_gateway

pytestmark = pytest.mark.django_db
PAGE = "/notifications/preferences/"


@pytest.fixture
def gateway(tree):
    server, gateway = start_gateway()
    gateway.answer((200, {"CodeResult": "100", "SMSID": "code-1"}))
    ChannelAccount.objects.create(
        channel="sms",
        province=tree.province_p,
        name="P",
        url=gateway.url,
        api_key="k",
        secret_key="s",
        sender="BAOVE",
    )
    yield gateway
    server.shutdown()
    server.server_close()


@pytest.fixture
def client(cast):
    client = Client()
    client.force_login(cast.officer)
    return client


def _send_code(client, phone="0912 345 678"):
    response = client.post("/notifications/preferences/phone/", {"phone": phone})
    verification = PhoneVerification.objects.order_by("-pk").first()
    return response, verification


def test_adding_and_verifying_a_number(cast, client, gateway):
    response, verification = _send_code(client)
    assert response.status_code == 302
    assert verification.phone == "84912345678"
    assert OutboxMessage.objects.filter(task="notifications.tasks.send_phone_code", args=[verification.pk]).exists()
    send_phone_code.apply(args=[verification.pk])
    send_phone_code.apply(args=[verification.pk])  # a second run sends nothing
    [request] = gateway.requests
    assert request.body["Phone"] == "0912345678"
    assert request.body["Content"] == (
        f"BaoVe: ma xac nhan cua ban la {verification.code} (co hieu luc 10 phut). Khong dua ma nay cho ai."
    )
    page = client.get(PAGE).content.decode()
    assert "0912 *** 678" in page
    assert 'data-testid="code-form"' in page
    wrong = "000000" if verification.code != "000000" else "111111"
    response = client.post("/notifications/preferences/phone/confirm/", {"code": wrong})
    assert response.status_code == 400
    assert "Mã không đúng. Còn 4 lần thử." in response.content.decode()
    assert not Preference.objects.filter(user=cast.officer, phone_verified_at__isnull=False).exists()
    response = client.post("/notifications/preferences/phone/confirm/", {"code": verification.code})
    assert response.status_code == 302
    preference = Preference.objects.get(user=cast.officer)
    assert (preference.phone, preference.phone_verified) == ("84912345678", True)
    verification.refresh_from_db()
    assert verification.attempts == 2


def test_five_wrong_codes_spend_the_code(cast, client, gateway):
    _response, verification = _send_code(client)
    wrong = "000000" if verification.code != "000000" else "111111"
    for _try in range(5):
        client.post("/notifications/preferences/phone/confirm/", {"code": wrong})
    response = client.post("/notifications/preferences/phone/confirm/", {"code": verification.code})
    assert response.status_code == 400
    assert "Mã đã hết hạn. Hãy xin mã mới." in response.content.decode()
    assert not Preference.objects.filter(user=cast.officer, phone_verified_at__isnull=False).exists()


def test_an_expired_code_is_refused(cast, client, gateway):
    _response, verification = _send_code(client)
    PhoneVerification.objects.filter(pk=verification.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.post("/notifications/preferences/phone/confirm/", {"code": verification.code})
    assert response.status_code == 400
    assert not Preference.objects.filter(user=cast.officer, phone_verified_at__isnull=False).exists()


def test_a_bad_number_is_refused_in_vietnamese_and_kept(cast, client, gateway):
    response, verification = _send_code(client, phone="12345")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Hãy nhập số điện thoại di động Việt Nam, ví dụ 0912 345 678." in body
    assert 'value="12345"' in body
    assert verification is None


def test_codes_are_limited_per_hour(cast, client, gateway):
    for _code in range(CODES_PER_HOUR):
        assert _send_code(client)[0].status_code == 302
    response, _verification = _send_code(client)
    assert response.status_code == 400
    assert PhoneVerification.objects.filter(user=cast.officer).count() == CODES_PER_HOUR


def test_no_code_without_an_sms_gateway_for_the_province(cast, client):
    response, verification = _send_code(client)
    assert response.status_code == 400
    assert verification is None


def test_sms_and_zalo_need_a_verified_number_and_nothing_is_lost(cast, client):
    data = {"email_mode": "immediate", "sms_enabled": "on", "quiet_from": "21:30", "quiet_until": "06:00"}
    response = client.post(PAGE, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Hãy thêm và xác minh số điện thoại di động trước (bên dưới)." in body
    assert 'value="21:30"' in body
    assert not Preference.objects.filter(user=cast.officer).exists()


def test_choices_and_quiet_hours_are_saved(cast, client):
    Preference.objects.create(user=cast.officer, phone="84912345678", phone_verified_at=timezone.now())
    data = {"email_mode": "off", "zalo_enabled": "on", "quiet_from": "21:30", "quiet_until": "06:00"}
    assert client.post(PAGE, data).status_code == 302
    preference = Preference.objects.get(user=cast.officer)
    assert (preference.email_mode, preference.sms_enabled, preference.zalo_enabled) == ("off", False, True)
    assert (preference.quiet_from, preference.quiet_until) == (datetime.time(21, 30), datetime.time(6, 0))


@pytest.mark.parametrize(
    ("times", "message"),
    [
        ({"quiet_from": "21:30"}, "Hãy cho cả hai giờ của khoảng yên lặng, hoặc bỏ trống cả hai."),
        ({"quiet_from": "21:30", "quiet_until": "21:30"}, "Giờ kết thúc khoảng yên lặng phải khác giờ bắt đầu."),
        ({"quiet_from": "25:00", "quiet_until": "06:00"}, "Nhập một thời gian hợp lệ."),
    ],
)
def test_bad_quiet_hours_are_refused(cast, client, times, message):
    response = client.post(PAGE, {"email_mode": "digest", **times})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_removing_the_number_turns_phone_messages_off(cast, client):
    Preference.objects.create(
        user=cast.officer, phone="84912345678", phone_verified_at=timezone.now(), sms_enabled=True, zalo_enabled=True
    )
    assert client.post("/notifications/preferences/phone/remove/").status_code == 302
    preference = Preference.objects.get(user=cast.officer)
    assert (preference.phone, preference.phone_verified_at, preference.sms_enabled, preference.zalo_enabled) == (
        "",
        None,
        False,
        False,
    )
