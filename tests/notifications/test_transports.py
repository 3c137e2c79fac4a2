"""Channels as a registry of transports; a delivery is claimed, committed, then sent — never under a row lock."""

import datetime
import http.server
import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from notifications import transports
from notifications.models import Delivery, WebhookEndpoint
from notifications.services import notify
from notifications.tasks import LEASE, deliver
from notifications.transports import PermanentError, Transport


class _LockProbe(http.server.BaseHTTPRequestHandler):
    """A webhook receiver that, while the request is in flight, tries to lock the delivery's row."""

    delivery_id = None
    observed: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update(nowait=True).filter(pk=self.delivery_id))
                state = Delivery.objects.get(pk=self.delivery_id).state
            self.observed.append(("free", state))
        except DatabaseError:
            self.observed.append(("locked", None))
        finally:
            connection.close()
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.django_db(transaction=True)
def test_the_webhook_is_called_with_the_delivery_claimed_and_no_row_lock_held(cast):
    server = http.server.HTTPServer(("127.0.0.1", 0), _LockProbe)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        WebhookEndpoint.objects.create(
            name="Cổng", url=f"http://127.0.0.1:{server.server_address[1]}/", secret="s", urgent_only=False
        )
        notification = notify(user=cast.officer, title="[HS-1] Việc mới", is_urgent=True)
        delivery = Delivery.objects.get(notification=notification, channel="webhook")
        _LockProbe.delivery_id, _LockProbe.observed = delivery.pk, []
        deliver.apply(args=[delivery.pk])
    finally:
        server.shutdown()
    assert _LockProbe.observed == [("free", "sending")]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.lease_until) == ("sent", 1, None)


@pytest.mark.django_db
def test_a_claim_whose_lease_ran_out_is_taken_again_and_a_live_one_is_left_alone(cast, mailoutbox):
    cast.officer.email = "officer@example.vn"
    cast.officer.save()
    notification = notify(user=cast.officer, title="[HS-2] Quá hạn", is_urgent=True)
    delivery = Delivery.objects.get(notification=notification, channel="email")
    live = timezone.now() + LEASE
    Delivery.objects.filter(pk=delivery.pk).update(state="sending", lease_until=live, attempts=1)
    deliver.apply(args=[delivery.pk])
    assert len(mailoutbox) == 0  # another worker holds it
    Delivery.objects.filter(pk=delivery.pk).update(lease_until=timezone.now() - datetime.timedelta(seconds=1))
    deliver.apply(args=[delivery.pk])
    deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, len(mailoutbox)) == ("sent", 2, 1)


class _Pigeon(Transport):
    """A channel added by a test: one class and one registry entry."""

    channel = "pigeon"
    label = "Pigeon"
    sent: list = []

    def deliveries_for(self, planned):
        return [Delivery(notification=item.notification, channel=self.channel) for item in planned if item.is_urgent]

    def send(self, delivery):
        if "refused" in delivery.notification.title:
            raise PermanentError("the pigeon refuses")
        self.sent.append(delivery.notification.title)


@pytest.mark.django_db
def test_a_new_channel_is_one_registry_entry(cast, monkeypatch):
    monkeypatch.setitem(transports.TRANSPORTS, "pigeon", _Pigeon())
    _Pigeon.sent = []
    carried = notify(user=cast.officer, title="[HS-3] Khẩn", is_urgent=True)
    notify(user=cast.officer, title="[HS-3] Thường", is_urgent=False)
    refused = notify(user=cast.officer, title="[HS-4] refused", is_urgent=True)
    for delivery in Delivery.objects.filter(channel="pigeon"):
        deliver.apply(args=[delivery.pk])
    assert _Pigeon.sent == ["[HS-3] Khẩn"]
    assert Delivery.objects.get(notification=carried, channel="pigeon").state == "sent"
    failed = Delivery.objects.get(notification=refused, channel="pigeon")
    assert (failed.state, failed.attempts, failed.last_error) == ("failed", 1, "the pigeon refuses")


@pytest.mark.django_db
def test_a_delivery_on_a_channel_no_longer_registered_fails_at_once(cast):
    notification = notify(user=cast.officer, title="[HS-5] x")
    delivery = Delivery.objects.create(notification=notification, channel="telex")
    deliver.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 1)
    assert "telex" in delivery.last_error
