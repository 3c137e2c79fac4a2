"""Sending one delivery through its channel: email or a signed webhook."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from .models import Channel, Delivery

# Errors worth another try: the network, the mail server, the gateway being down for a while.
TRANSIENT_ERRORS = (OSError, urllib.error.URLError, TimeoutError)


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


def send(delivery: Delivery) -> None:
    """Raise on failure; the task decides whether to try again."""
    notification = delivery.notification
    if delivery.channel == Channel.EMAIL:
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{settings.BAOVE_BASE_URL.rstrip('/')}{notification.url}"
        send_mail(notification.title, body, None, [notification.user.email], fail_silently=False)
        return
    endpoint = delivery.endpoint
    body = json.dumps(payload(delivery), ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - the URL is an administrator-configured https/http endpoint
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "X-BaoVe-Timestamp": timestamp,
            "X-BaoVe-Signature": f"sha256={sign(endpoint.secret, timestamp, body)}",
            "User-Agent": "BaoVe-webhook/1",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        if response.status >= 300:
            raise OSError(f"webhook answered HTTP {response.status}")
