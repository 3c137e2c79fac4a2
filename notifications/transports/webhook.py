"""Outgoing webhooks (a province's own gateway, an integration): HMAC-SHA256 signed JSON."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.utils.translation import gettext_lazy as _

from ..models import Delivery, WebhookEndpoint
from .base import PermanentError, Planned, Transport

TIMEOUT_SECONDS = 10


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "timestamp.body", hex; the receiver recomputes it with the shared secret."""
    message = timestamp.encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def payload(delivery: Delivery) -> dict:
    notification = delivery.notification
    return {
        "id": notification.pk,
        "delivery": delivery.pk,
        "user": {"username": notification.user.get_username(), "email": notification.user.email},
        "title": notification.title,
        "body": notification.body,
        "url": notification.url,
        "urgent": notification.is_urgent,
        "created_at": notification.created_at.isoformat(),
    }


class WebhookTransport(Transport):
    channel = "webhook"
    label = _("Webhook")

    def deliveries_for(self, planned: list[Planned]) -> list[Delivery]:
        endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
        return [
            Delivery(notification=item.notification, channel=self.channel, endpoint=endpoint)
            for item in planned
            for endpoint in endpoints
            if (endpoint.province_id is None or endpoint.province_id == item.province_id)
            and (endpoint.user_id is None or endpoint.user_id == item.user.pk)
            and (item.is_urgent or not endpoint.urgent_only)
        ]

    def send(self, delivery: Delivery) -> None:
        endpoint = delivery.endpoint
        if endpoint is None:
            raise PermanentError("no endpoint")
        body = json.dumps(payload(delivery), ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - an administrator-configured https/http endpoint
            endpoint.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-BaoVe-Timestamp": timestamp,
                # The same for every attempt: a receiver drops a delivery it already has (a worker that
                # died after sending and before recording it sends it again once its lease runs out).
                "X-BaoVe-Delivery": str(delivery.pk),
                "X-BaoVe-Signature": f"sha256={sign(endpoint.secret, timestamp, body)}",
                "User-Agent": "BaoVe-webhook/1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        if 400 <= status < 500 and status not in (408, 429):
            raise PermanentError(f"webhook answered HTTP {status}")
        if status >= 300:
            raise OSError(f"webhook answered HTTP {status}")
