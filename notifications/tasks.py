"""Celery tasks: they take ids, may run twice, and retry only transient errors."""

import logging
import smtplib

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from .delivery import TRANSIENT_ERRORS, send
from .digest import send_digests
from .engine import scan
from .models import Delivery, DeliveryState

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


@shared_task
def ping() -> str:
    """Round trip through the broker and a worker; used by the health tests and by operators."""
    return "pong"


@shared_task(ignore_result=True)
def scan_deadlines() -> dict:
    """Every minute (django-celery-beat): fire the escalation steps that fell due."""
    result = scan()
    if result.deadlines:
        logger.info(
            "escalation scan: %s deadlines, %s steps, %s notifications",
            result.deadlines,
            result.steps_fired,
            result.notifications,
        )
    return {"deadlines": result.deadlines, "steps": result.steps_fired, "notifications": result.notifications}


@shared_task(ignore_result=True)
def relay_outbox() -> int:
    """Every minute: send the tasks that could not reach the broker when their data was written."""
    from .outbox import purge_sent, relay

    sent = 0
    while batch := relay(limit=1000):
        sent += batch
    purge_sent()
    return sent


@shared_task(ignore_result=True)
def deliver_many(delivery_ids: list[int]) -> None:
    """Send a batch; a delivery that fails for a transient reason is retried alone, with backoff."""
    for delivery_id in delivery_ids:
        outcome, attempts = _deliver_once(delivery_id)
        if outcome == "retry":
            deliver.apply_async(args=[delivery_id], countdown=_backoff(attempts))


@shared_task(bind=True, ignore_result=True, max_retries=MAX_ATTEMPTS)
def deliver(self, delivery_id: int) -> str:
    """Send one delivery. Sent or failed ones are left alone, so a duplicate run sends nothing twice."""
    outcome, attempts = _deliver_once(delivery_id)
    if outcome == "retry":
        raise self.retry(countdown=_backoff(attempts))
    return outcome


def _backoff(attempts: int) -> int:
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


def _deliver_once(delivery_id: int) -> tuple[str, int]:
    """("sent" | "failed" | "skipped" | "retry", attempts so far)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification__user", "endpoint")
            .filter(pk=delivery_id, state=DeliveryState.PENDING)
            .first()
        )
        if delivery is None:
            return "skipped", 0
        delivery.attempts += 1
        try:
            send(delivery)
        except (*TRANSIENT_ERRORS, smtplib.SMTPException) as error:
            delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = DeliveryState.FAILED
                delivery.save(update_fields=["attempts", "last_error", "state"])
                logger.error("delivery %s failed for good: %s", delivery_id, delivery.last_error)
                return "failed", delivery.attempts
            delivery.save(update_fields=["attempts", "last_error"])
            return "retry", delivery.attempts
        delivery.state, delivery.sent_at, delivery.last_error = DeliveryState.SENT, timezone.now(), ""
        delivery.save(update_fields=["attempts", "state", "sent_at", "last_error"])
        return "sent", delivery.attempts


@shared_task(ignore_result=True)
def daily_digest() -> int:
    """Every morning: one email per user with the notifications not sent to them yet."""
    return send_digests()
