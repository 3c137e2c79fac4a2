"""SMS and Zalo: each adapter against a local gateway the test starts (exact requests; success, refusal,
5xx and timeout), delivery reports, quiet hours, encrypted credentials and accounts from the environment."""

import datetime
import hashlib
import hmac
import json
import time

import pytest
import time_machine
from django.db import connection
from django.test import Client

from notifications.accounts import Accounts, account_by_key
from notifications.calendar import LOCAL
from notifications.models import ChannelAccount, Delivery, Preference
from notifications.quiet import quiet_until
from notifications.services import notify
from notifications.tasks import _deliver_once, deliver
from notifications.transports import phone as phone_transport
from tests.notifications.gateway import start_gateway

pytestmark = pytest.mark.django_db

BASE = "https://baove.example.gov.vn"
TITLE = "[TB-2026-0007] Kế hoạch chờ phê duyệt – Xã Một"


@pytest.fixture
def gateway():
    server, gateway = start_gateway()
    yield gateway
    server.shutdown()
    server.server_close()


@pytest.fixture
def reachable(cast):
    """The officer of C1 chose SMS and Zalo on a verified number."""
    Preference.objects.create(
        user=cast.officer,
        phone="84912345678",
        phone_verified_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
        sms_enabled=True,
        zalo_enabled=True,
    )
    return cast.officer


def sms_account(tree, gateway, **fields):
    values = {
        "channel": "sms",
        "province": tree.province_p,
        "name": "eSMS Tỉnh P",
        "url": gateway.url,
        "api_key": "API-KEY-P",
        "secret_key": "SECRET-P",
        "sender": "BAOVE",
        "callback_secret": "bi-mat-bao-cao",
    }
    return ChannelAccount.objects.create(**{**values, **fields})


def zalo_account(tree, gateway, **fields):
    values = {
        "channel": "zalo",
        "province": tree.province_p,
        "name": "OA Tỉnh P",
        "url": gateway.url,
        "api_key": "ZALO-ACCESS-TOKEN",
        "template_id": "301234",
        "callback_secret": "bi-mat-zalo",
    }
    return ChannelAccount.objects.create(**{**values, **fields})


def _notice(user, tree, *, urgent=True):
    return notify(user=user, title=TITLE, url="/cases/7/", is_urgent=urgent, province_id=tree.province_p.pk)


# ------------------------------------------------------------------------------------------------------------ SMS


def test_sms_sends_the_brandname_request_and_records_the_gateway_id(tree, reachable, gateway):
    account = sms_account(tree, gateway)
    gateway.answer((200, {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "b2f1-77"}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="sms")
    assert (delivery.phone, delivery.account_key, delivery.state) == ("84912345678", f"a{account.pk}", "pending")
    deliver.apply(args=[delivery.pk])
    [request] = gateway.requests
    assert request.path == "/send"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.body == {
        "ApiKey": "API-KEY-P",
        "SecretKey": "SECRET-P",
        "Phone": "0912345678",
        "Content": "BaoVe: [TB-2026-0007] Ke hoach cho phe duyet – Xa Mot https://baove.example.gov.vn/cases/7/",
        "Brandname": "BAOVE",
        "SmsType": "2",
        "IsUnicode": "0",
        "RequestId": f"baove-{delivery.pk}",
        "CallbackUrl": f"{BASE}/notifications/callbacks/sms/a{account.pk}/",
    }
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.provider_id, delivery.last_error) == ("sent", 1, "b2f1-77", "")


def test_sms_refused_by_the_gateway_is_not_retried(tree, reachable, gateway):
    sms_account(tree, gateway)
    gateway.answer((200, {"CodeResult": "104", "ErrorMessage": "Brandname chưa đăng ký"}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="sms")
    deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, len(gateway.requests)) == ("failed", 1, 1)
    assert delivery.last_error == "SMS gateway refused the message: CodeResult 104 Brandname chưa đăng ký"


def test_sms_http_4xx_is_permanent(tree, reachable, gateway):
    sms_account(tree, gateway)
    gateway.answer((401, {"message": "bad key"}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="sms")
    deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert delivery.last_error.startswith("gateway answered HTTP 401")


def test_sms_5xx_is_retried_with_backoff_then_sent(tree, reachable, gateway):
    sms_account(tree, gateway)
    gateway.answer((503, {"message": "busy"}), (200, {"CodeResult": "100", "SMSID": "x-2"}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="sms")
    assert _deliver_once(delivery.pk) == ("retry", 1)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_error) == ("pending", "OSError: gateway answered HTTP 503")
    assert delivery.lease_until > datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=25)
    assert _deliver_once(delivery.pk) == ("skipped", 0)  # not before its backoff
    assert _deliver_once(delivery.pk, retry_of=1) == ("sent", 2)  # the scheduled retry
    assert [r.body["RequestId"] for r in gateway.requests] == [f"baove-{delivery.pk}"] * 2
    delivery.refresh_from_db()
    assert (delivery.state, delivery.provider_id) == ("sent", "x-2")


def test_sms_timeout_is_retried(tree, reachable, gateway, monkeypatch):
    monkeypatch.setattr(phone_transport, "TIMEOUT_SECONDS", 0.3)
    sms_account(tree, gateway)
    gateway.answer(("sleep", 1.5), (200, {"CodeResult": "100", "SMSID": "late"}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="sms")
    started = time.monotonic()
    deliver.apply(args=[delivery.pk])  # eager: the retry runs at once
    assert time.monotonic() - started < 5
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.provider_id) == ("sent", 2, "late")


def test_sms_body_template_and_diacritics_are_the_accounts(tree, reachable, gateway):
    template = json.dumps({"to": "{phone}", "text": "{content}", "auth": {"u": "{api_key}"}, "ref": "{reference}"})
    sms_account(tree, gateway, body_template=template, plain_letters=False)
    gateway.answer((200, {"id": "generic-1"}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="sms")
    deliver.apply(args=[delivery.pk])
    assert gateway.requests[0].body == {
        "to": "84912345678",
        "text": f"BaoVe: {TITLE} {BASE}/cases/7/",
        "auth": {"u": "API-KEY-P"},
        "ref": "TB-2026-0007",
    }
    delivery.refresh_from_db()
    assert (delivery.state, delivery.provider_id) == ("sent", "generic-1")


# ----------------------------------------------------------------------------------------------------------- Zalo


def test_zalo_sends_the_zns_template_message(tree, reachable, gateway):
    zalo_account(tree, gateway)
    gateway.answer((200, {"error": 0, "message": "Success", "data": {"msg_id": "a1b2c3", "sent_time": "1"}}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="zalo")
    deliver.apply(args=[delivery.pk])
    [request] = gateway.requests
    assert request.headers["access_token"] == "ZALO-ACCESS-TOKEN"
    assert request.body == {
        "phone": "84912345678",
        "template_id": "301234",
        "template_data": {"ma_ho_so": "TB-2026-0007", "noi_dung": TITLE, "duong_dan": f"{BASE}/cases/7/"},
        "tracking_id": f"baove-{delivery.pk}",
    }
    delivery.refresh_from_db()
    assert (delivery.state, delivery.provider_id) == ("sent", "a1b2c3")


def test_zalo_error_code_is_permanent(tree, reachable, gateway):
    zalo_account(tree, gateway)
    gateway.answer((200, {"error": -108, "message": "Phone number invalid"}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="zalo")
    deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert delivery.last_error == "Zalo refused the message: error -108 Phone number invalid"


def test_zalo_5xx_and_timeout_are_retried(tree, reachable, gateway, monkeypatch):
    monkeypatch.setattr(phone_transport, "TIMEOUT_SECONDS", 0.3)
    zalo_account(tree, gateway)
    gateway.answer((502, {}), ("sleep", 1.5), (200, {"error": 0, "message": "Success", "data": {"msg_id": "m3"}}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="zalo")
    assert _deliver_once(delivery.pk) == ("retry", 1)
    delivery.refresh_from_db()
    assert delivery.last_error == "OSError: gateway answered HTTP 502"
    assert _deliver_once(delivery.pk, retry_of=1) == ("retry", 2)
    delivery.refresh_from_db()
    assert "timed out" in delivery.last_error
    assert _deliver_once(delivery.pk, retry_of=2) == ("sent", 3)
    assert len(gateway.requests) == 3


# ------------------------------------------------------------------------------------------- who gets a message


def test_nothing_by_phone_without_a_verified_number_or_the_channel_chosen(tree, cast, gateway):
    sms_account(tree, gateway)
    Preference.objects.create(user=cast.officer, phone="84912345678", sms_enabled=True)  # not verified
    Preference.objects.create(
        user=cast.chairman, phone="84987654321", phone_verified_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    )  # verified, SMS not chosen
    _notice(cast.officer, tree)
    _notice(cast.chairman, tree)
    assert not Delivery.objects.filter(channel__in=["sms", "zalo"]).exists()


def test_an_urgent_only_account_carries_only_urgent_messages(tree, reachable, gateway):
    sms_account(tree, gateway, urgent_only=True)
    _notice(reachable, tree, urgent=False)
    assert not Delivery.objects.filter(channel="sms").exists()
    _notice(reachable, tree, urgent=True)
    assert Delivery.objects.filter(channel="sms").count() == 1


def test_another_provinces_account_is_not_used(tree, reachable, gateway):
    sms_account(tree, gateway, province=tree.province_q)
    _notice(reachable, tree)
    assert not Delivery.objects.filter(channel="sms").exists()


# ------------------------------------------------------------------------------------------------ quiet hours


def test_quiet_hours_hold_what_is_not_urgent_until_they_end(tree, reachable, gateway, settings):
    settings.REMINDER_HOURS = None  # only the user's own quiet hours here
    sms_account(tree, gateway)
    Preference.objects.filter(user=reachable).update(quiet_from=datetime.time(21, 30), quiet_until=datetime.time(6, 0))
    night = datetime.datetime(2026, 12, 3, 23, 15, tzinfo=LOCAL)
    with time_machine.travel(night, tick=False):
        calm = Delivery.objects.get(notification=_notice(reachable, tree, urgent=False), channel="sms")
        urgent = Delivery.objects.get(notification=_notice(reachable, tree, urgent=True), channel="sms")
        email = Delivery.objects.filter(notification=calm.notification, channel="email")
    assert (calm.state, calm.not_before) == ("held", datetime.datetime(2026, 12, 4, 6, 0, tzinfo=LOCAL))
    assert (urgent.state, urgent.not_before) == ("pending", None)
    assert not email.exists()  # quiet hours are for the phone; email follows its own choice
    from notifications.services import release_held

    with time_machine.travel(datetime.datetime(2026, 12, 4, 5, 59, tzinfo=LOCAL), tick=False):
        assert release_held() == 0
    with time_machine.travel(datetime.datetime(2026, 12, 4, 6, 0, tzinfo=LOCAL), tick=False):
        assert release_held() == 1
    calm.refresh_from_db()
    assert calm.state == "pending"


@pytest.mark.parametrize(
    ("starts", "ends", "now", "release"),
    [
        ((21, 30), (6, 0), (23, 0), (1, 6, 0)),  # crossing midnight, before it
        ((21, 30), (6, 0), (2, 0), (0, 6, 0)),  # crossing midnight, after it
        ((21, 30), (6, 0), (12, 0), None),
        ((12, 0), (13, 30), (12, 45), (0, 13, 30)),  # a lunch break
        ((12, 0), (13, 30), (13, 30), None),
    ],
)
def test_quiet_until(starts, ends, now, release):
    moment = datetime.datetime(2026, 12, 3, *now, tzinfo=LOCAL)
    expected = (
        None if release is None else datetime.datetime(2026, 12, 3 + release[0], release[1], release[2], tzinfo=LOCAL)
    )
    assert quiet_until(datetime.time(*starts), datetime.time(*ends), moment) == expected


# --------------------------------------------------------------------------------------------- delivery reports


def _signed(secret: str, body: bytes, timestamp: str | None = None) -> dict:
    timestamp = timestamp or str(int(time.time()))
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"HTTP_X_BAOVE_SIGNATURE": f"sha256={digest}", "HTTP_X_BAOVE_TIMESTAMP": timestamp}


def _sent_sms(tree, user, gateway, provider_id="SMS-900"):
    account = sms_account(tree, gateway)
    gateway.answer((200, {"CodeResult": "100", "SMSID": provider_id}))
    delivery = Delivery.objects.get(notification=_notice(user, tree), channel="sms")
    deliver.apply(args=[delivery.pk])
    return account, delivery


def test_an_sms_delivery_report_is_recorded_once(tree, reachable, gateway):
    account, delivery = _sent_sms(tree, reachable, gateway)
    url = f"/notifications/callbacks/sms/a{account.pk}/"
    body = json.dumps({"SMSID": "SMS-900", "SendStatus": 5}).encode()
    client = Client()
    response = client.post(url, body, content_type="application/json", **_signed("bi-mat-bao-cao", body))
    assert (response.status_code, response.json()) == (200, {"ok": True, "recorded": 1})
    delivery.refresh_from_db()
    assert (delivery.receipt, delivery.receipt_detail) == ("delivered", "5")
    first_at = delivery.receipt_at
    again = client.post(url, body, content_type="application/json", **_signed("bi-mat-bao-cao", body))
    assert again.json() == {"ok": True, "recorded": 0}  # the gateway retried its callback: nothing changes
    later = json.dumps({"SMSID": "SMS-900", "SendStatus": "queued"}).encode()
    client.post(url, later, content_type="application/json", **_signed("bi-mat-bao-cao", later))
    delivery.refresh_from_db()
    assert (delivery.receipt, delivery.receipt_detail, delivery.receipt_at) == ("delivered", "5", first_at)


def test_a_report_by_request_id_and_token(tree, reachable, gateway):
    account, delivery = _sent_sms(tree, reachable, gateway, provider_id="")
    body = json.dumps([{"RequestId": f"baove-{delivery.pk}", "SendStatus": "4"}]).encode()
    response = Client().post(
        f"/notifications/callbacks/sms/a{account.pk}/?token=bi-mat-bao-cao", body, content_type="application/json"
    )
    assert response.json() == {"ok": True, "recorded": 1}
    delivery.refresh_from_db()
    assert delivery.receipt == "undelivered"


def test_reports_without_the_secret_are_refused_and_change_nothing(tree, reachable, gateway):
    account, delivery = _sent_sms(tree, reachable, gateway)
    url = f"/notifications/callbacks/sms/a{account.pk}/"
    body = json.dumps({"SMSID": "SMS-900", "SendStatus": 5}).encode()
    client = Client()
    stale = str(int(time.time()) - 3600)
    answers = [
        client.post(url, body, content_type="application/json").status_code,
        client.post(url + "?token=wrong", body, content_type="application/json").status_code,
        client.post(url, body, content_type="application/json", **_signed("another-secret", body)).status_code,
        client.post(url, body, content_type="application/json", **_signed("bi-mat-bao-cao", body, stale)).status_code,
        client.post(url, body + b" ", content_type="application/json", **_signed("bi-mat-bao-cao", body)).status_code,
        client.get(url).status_code,
        client.post("/notifications/callbacks/sms/a999999/", body, content_type="application/json").status_code,
        client.post("/notifications/callbacks/email/a1/", body, content_type="application/json").status_code,
    ]
    assert answers == [403, 403, 403, 403, 403, 405, 404, 404]
    bad = b"{not json"
    assert client.post(url, bad, content_type="application/json", **_signed("bi-mat-bao-cao", bad)).status_code == 400
    delivery.refresh_from_db()
    assert delivery.receipt == ""


def test_an_account_without_a_report_secret_accepts_no_report(tree, reachable, gateway):
    account, _delivery = _sent_sms(tree, reachable, gateway)
    ChannelAccount.objects.filter(pk=account.pk).update(callback_secret="")
    body = json.dumps({"SMSID": "SMS-900", "SendStatus": 5}).encode()
    response = Client().post(
        f"/notifications/callbacks/sms/a{account.pk}/?token=", body, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_zalo_received_event_is_recorded(tree, reachable, gateway):
    account = zalo_account(tree, gateway)
    gateway.answer((200, {"error": 0, "message": "Success", "data": {"msg_id": "zmsg-1"}}))
    delivery = Delivery.objects.get(notification=_notice(reachable, tree), channel="zalo")
    deliver.apply(args=[delivery.pk])
    event = {
        "app_id": "1",
        "event_name": "user_received_message",
        "message": {"msg_id": "zmsg-1", "delivery_time": "1733040000000"},
        "timestamp": "1733040000000",
    }
    body = json.dumps(event).encode()
    url = f"/notifications/callbacks/zalo/a{account.pk}/"
    response = Client().post(url, body, content_type="application/json", **_signed("bi-mat-zalo", body))
    assert response.json() == {"ok": True, "recorded": 1}
    delivery.refresh_from_db()
    assert (delivery.receipt, delivery.receipt_detail) == ("delivered", "user_received_message")
    other = json.dumps({**event, "event_name": "user_seen_message"}).encode()
    assert Client().post(url, other, content_type="application/json", **_signed("bi-mat-zalo", other)).json() == {
        "ok": True,
        "recorded": 0,
    }


# ------------------------------------------------------------------------------------------------- credentials


def test_secrets_are_stored_encrypted(tree, gateway):
    account = sms_account(tree, gateway)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_key, secret_key, callback_secret FROM notifications_channelaccount WHERE id = %s", [account.pk]
        )
        stored = cursor.fetchone()
    assert all(value.startswith("fernet:") for value in stored)
    assert not any(secret in "".join(stored) for secret in ("API-KEY-P", "SECRET-P", "bi-mat-bao-cao"))
    account.refresh_from_db()
    assert (account.api_key, account.secret_key, account.callback_secret) == (
        "API-KEY-P",
        "SECRET-P",
        "bi-mat-bao-cao",
    )


def test_the_admin_keeps_a_secret_left_empty(tree, cast, gateway):
    account = sms_account(tree, gateway)
    client = Client()
    client.force_login(cast.admin)
    page = client.get(f"/admin/notifications/channelaccount/{account.pk}/change/").content.decode()
    assert "API-KEY-P" not in page
    assert "bi-mat-bao-cao" not in page
    response = client.post(
        f"/admin/notifications/channelaccount/{account.pk}/change/",
        {
            "channel": "sms",
            "province": tree.province_p.pk,
            "name": "eSMS Tỉnh P (mới)",
            "is_active": "on",
            "url": gateway.url,
            "api_key": "",
            "secret_key": "NEW-SECRET",
            "callback_secret": "",
            "sender": "BAOVE",
            "sms_type": "2",
            "template_id": "",
            "body_template": "",
            "plain_letters": "on",
        },
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.api_key, account.secret_key, account.callback_secret) == (
        "eSMS Tỉnh P (mới)",
        "API-KEY-P",
        "NEW-SECRET",
        "bi-mat-bao-cao",
    )


def test_accounts_from_the_environment_per_province(tree, settings):
    settings.BAOVE_CHANNEL_ENVIRONMENT = {
        "BAOVE_SMS_API_KEY": "general-key",
        "BAOVE_SMS_SECRET_KEY": "general-secret",
        "BAOVE_SMS_SENDER": "BAOVE",
        "BAOVE_SMS_API_KEY__92": "q-key",
        "BAOVE_SMS_CALLBACK_SECRET__92": "q-callback",
    }
    accounts = Accounts("sms", {tree.province_p.pk, tree.province_q.pk})
    general, own = accounts.for_province(tree.province_p.pk), accounts.for_province(tree.province_q.pk)
    assert (general.key, general.api_key, general.secret_key, general.url) == (
        "env",
        "general-key",
        "general-secret",
        "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/",
    )
    assert (own.key, own.api_key, own.secret_key, own.sender, own.callback_secret) == (
        "env-92",
        "q-key",
        "general-secret",
        "BAOVE",
        "q-callback",
    )
    assert account_by_key("sms", "env-92") == own
    assert Accounts("zalo", {tree.province_p.pk}).for_province(tree.province_p.pk) is None
    # A row of the administration wins over the variables.
    row = ChannelAccount.objects.create(channel="sms", province=tree.province_q, name="Q", api_key="row-key")
    assert Accounts("sms", {tree.province_q.pk}).for_province(tree.province_q.pk).key == f"a{row.pk}"


def test_rotating_the_keys_re_encrypts_the_secrets(tree, settings):
    import io

    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from config import files

    account = ChannelAccount.objects.create(channel="zalo", name="Z", api_key="token-1", callback_secret="cb")
    old_key = settings.BAOVE_FILE_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.BAOVE_FILE_KEYS = [new_key, old_key]
    files._fernet.cache_clear()
    try:
        out = io.StringIO()
        call_command("rotate_file_keys", stdout=out)
        assert "the secrets of 1 rows" in out.getvalue()
        settings.BAOVE_FILE_KEYS = [new_key]  # the old key is gone: the secrets still open
        files._fernet.cache_clear()
        account = ChannelAccount.objects.get(pk=account.pk)
        assert (account.api_key, account.callback_secret, account.secret_key) == ("token-1", "cb", "")
    finally:
        settings.BAOVE_FILE_KEYS = [old_key]
        files._fernet.cache_clear()
