import http.server
import json
import socket
import threading
import time

import pytest
from django.core import mail
from django.test import Client

from notifications.digest import send_digests
from notifications.models import Delivery, EscalationLadder, Notification, WebhookEndpoint
from notifications.services import notify
from notifications.tasks import MAX_ATTEMPTS, deliver
from notifications.transports.webhook import verify

pytestmark = pytest.mark.django_db


class _Recorder(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(({key.lower(): value for key, value in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server():
    _Recorder.received = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Recorder.received
    server.shutdown()


def _closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def test_webhook_is_signed_and_the_signature_verifies(cast, webhook_server):
    url, received = webhook_server
    WebhookEndpoint.objects.create(name="Cổng SMS tỉnh", url=url, secret="bí-mật-chung", urgent_only=True)
    notification = notify(user=cast.officer, title="[HS-1] Quyết định can thiệp khẩn cấp: QUÁ HẠN", is_urgent=True)
    delivery = Delivery.objects.get(notification=notification, channel="webhook")
    deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.state == "sent"
    headers, body = received[0]
    signature = headers["x-baove-signature"].removeprefix("sha256=")
    assert verify("bí-mật-chung", headers["x-baove-timestamp"], body, signature)
    assert not verify("another-secret", headers["x-baove-timestamp"], body, signature)
    assert not verify("bí-mật-chung", headers["x-baove-timestamp"], body + b" ", signature)
    assert json.loads(body)["title"] == "[HS-1] Quyết định can thiệp khẩn cấp: QUÁ HẠN"


def test_a_failing_webhook_is_retried_recorded_and_does_not_block_email(cast):
    cast.officer.email = "officer@example.test"
    cast.officer.save()
    WebhookEndpoint.objects.create(name="Cổng hỏng", url=_closed_port_url(), secret="s", urgent_only=False)
    notification = notify(user=cast.officer, title="Khẩn", is_urgent=True)
    webhook = Delivery.objects.get(notification=notification, channel="webhook")
    email = Delivery.objects.get(notification=notification, channel="email")
    deliver.apply(args=[webhook.pk])  # eager retries run one after the other
    deliver.apply(args=[email.pk])
    webhook.refresh_from_db()
    email.refresh_from_db()
    assert (webhook.state, webhook.attempts) == ("failed", MAX_ATTEMPTS)
    assert "Connection refused" in webhook.last_error or "URLError" in webhook.last_error
    assert email.state == "sent"
    assert mail.outbox[0].subject == "Khẩn"
    deliver.apply(args=[email.pk])  # a duplicate run sends nothing twice
    assert len(mail.outbox) == 1


def test_failed_deliveries_are_shown_to_administrators(cast):
    WebhookEndpoint.objects.create(name="Cổng hỏng", url=_closed_port_url(), secret="s", urgent_only=False)
    delivery = Delivery.objects.get(notification=notify(user=cast.officer, title="x"), channel="webhook")
    deliver.apply(args=[delivery.pk])
    client = Client()
    client.force_login(cast.admin)
    body = client.get("/admin/notifications/delivery/?state__exact=failed").content.decode()
    assert "Cổng hỏng" in body


def test_non_urgent_goes_to_the_daily_digest_once(cast):
    cast.officer.email = "officer@example.test"
    cast.officer.save()
    notify(user=cast.officer, title="[HS-2] Trình kế hoạch: sắp đến hạn", body="Hạn 23:59 20/03/2026")
    notify(user=cast.officer, title="[HS-3] Rà soát: sắp đến hạn")
    assert not Delivery.objects.filter(channel="email").exists()
    assert send_digests() == 1
    message = mail.outbox[0]
    assert "2" in message.subject
    assert "[HS-2] Trình kế hoạch: sắp đến hạn" in message.body
    assert "[HS-3] Rà soát: sắp đến hạn" in message.body
    assert send_digests() == 0
    assert len(mail.outbox) == 1


def test_immediate_preference_emails_at_once(cast):
    from notifications.services import preference_save

    cast.officer.email = "officer@example.test"
    cast.officer.save()
    preference_save(user=cast.officer, email_mode="immediate")
    notification = notify(user=cast.officer, title="Thông báo")
    assert Delivery.objects.filter(notification=notification, channel="email").exists()


def _ladder_post(steps):
    data = {
        "kind": "review",
        "name": "Thử",
        "province": "",
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": 0,
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
    }
    for index, (timing, amount) in enumerate(steps):
        data.update(
            {
                f"steps-{index}-position": index,
                f"steps-{index}-timing": timing,
                f"steps-{index}-amount": amount,
                f"steps-{index}-recipient": "responsible",
            }
        )
    return data


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([("share", 75), ("share", 50)], "sớm hơn"),
        ([("hours_after", 12), ("share", 100)], "sớm hơn"),
        ([("share", 50), ("hours_after", -3)], "không thể âm"),
        ([("share", 150)], "từ 1 đến 100"),
    ],
)
def test_admin_refuses_a_ladder_out_of_order_or_negative(tree, cast, steps, message):
    client = Client()
    client.force_login(cast.admin)
    data = _ladder_post(steps)
    data["province"] = tree.province_p.pk
    response = client.post("/admin/notifications/escalationladder/add/", data, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EscalationLadder.objects.filter(province=tree.province_p).exists()


def test_bell_counts_unread_and_marking_read_clears_it(cast):
    notify(user=cast.officer, title="Một")
    notify(user=cast.officer, title="Hai")
    notify(user=cast.chairman, title="Của người khác")
    client = Client()
    client.force_login(cast.officer)
    body = client.get("/").content.decode()
    assert 'data-testid="unread-count">2<' in body
    listing = client.get("/notifications/").content.decode()
    assert "Một" in listing
    assert "Của người khác" not in listing
    client.post("/notifications/read/", {"id": [Notification.objects.get(title="Một").pk]})
    assert 'data-testid="unread-count">1<' in client.get("/").content.decode()
    other = Notification.objects.get(title="Của người khác")
    client.post("/notifications/read/", {"id": [other.pk]})
    other.refresh_from_db()
    assert other.read_at is None  # nobody marks someone else's notifications


def test_the_bell_count_is_kept_between_pages_and_a_new_or_opened_notice_renews_it(
    cast, receive, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def bell_queries_and_body(client):
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/").content.decode()
        return sum("notifications_notification" in q["sql"] for q in queries.captured_queries), body

    client = Client()
    client.force_login(cast.officer)
    notify(user=cast.officer, title="Một", url="/cases/999999/")
    assert 'data-testid="unread-count">1<' in bell_queries_and_body(client)[1]
    count_queries, body = bell_queries_and_body(client)
    assert count_queries == 0
    assert 'data-testid="unread-count">1<' in body
    with django_capture_on_commit_callbacks(execute=True):  # forgotten once the notice is committed
        notify(user=cast.officer, title="Hai")
    assert 'data-testid="unread-count">2<' in bell_queries_and_body(client)[1]
    case = receive().case_files.get()
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=cast.officer, title="Hồ sơ", url=f"/cases/{case.pk}/")
    assert 'data-testid="unread-count">3<' in client.get("/").content.decode()
    assert client.get(f"/cases/{case.pk}/").status_code == 200  # opening what it points to reads the notice
    assert 'data-testid="unread-count">2<' in client.get("/").content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("default_ladders")
def test_a_real_worker_on_redis_runs_the_scan_and_a_notification_arrives(cast, receive):
    from celery.contrib.testing.worker import start_worker
    from django.utils import timezone

    from config.celery import app
    from notifications.models import Deadline
    from notifications.tasks import scan_deadlines

    receive()
    # The report came in seven hours ago: the first step (half of the 12 hours) fell due an hour ago.
    now = timezone.now()
    hour = timezone.timedelta(hours=1)
    Deadline.objects.filter(kind="emergency_decision").update(
        starts_at=now - 7 * hour, due_at=now + 5 * hour, next_step_at=now - hour
    )
    app.control.purge()
    with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=30):
        scan_deadlines.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if Notification.objects.filter(deadline__kind="emergency_decision").exists():
                break
            time.sleep(0.2)
    told = list(Notification.objects.filter(deadline__kind="emergency_decision").values_list("user__username", "step"))
    assert told == [("officer", 0)]
