"""Celery tasks: they take ids, may run twice, and retry only transient errors."""

import datetime
import logging

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from .digest import send_digests
from .engine import scan
from .models import Delivery, DeliveryState
from .transports import TRANSIENT_ERRORS, PermanentError, transport_for

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 6
# How long a claimed delivery stays with its worker; after that another may claim it (the first died).
LEASE = datetime.timedelta(minutes=5)


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


def _claim(delivery_id: int) -> Delivery | None:
    """Take the delivery for this worker: a conditional update that must touch exactly one row, committed
    at once, so that no row lock is held while the channel is talked to."""
    now = timezone.now()
    claimable = Q(state=DeliveryState.PENDING) | Q(state=DeliveryState.SENDING, lease_until__lt=now)
    claimed = Delivery.objects.filter(claimable, pk=delivery_id).update(
        state=DeliveryState.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return None
    return Delivery.objects.select_related("notification__user", "endpoint").get(pk=delivery_id)


def _settle(delivery: Delivery, **fields) -> None:
    """Record the outcome, only if the claim is still ours (same attempt, still being sent)."""
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING, attempts=delivery.attempts).update(**fields)


def _deliver_once(delivery_id: int) -> tuple[str, int]:
    """("sent" | "failed" | "skipped" | "retry", attempts so far)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return "skipped", 0
    transport = transport_for(delivery.channel)
    try:
        if transport is None:
            raise PermanentError(f"no transport for the channel {delivery.channel!r}")
        transport.send(delivery)
    except PermanentError as error:
        _settle(delivery, state=DeliveryState.FAILED, last_error=str(error)[:2000], lease_until=None)
        logger.error("delivery %s failed for good: %s", delivery_id, error)
        return "failed", delivery.attempts
    except TRANSIENT_ERRORS as error:
        message = f"{type(error).__name__}: {error}"[:2000]
        if delivery.attempts >= MAX_ATTEMPTS:
            _settle(delivery, state=DeliveryState.FAILED, last_error=message, lease_until=None)
            logger.error("delivery %s failed for good: %s", delivery_id, message)
            return "failed", delivery.attempts
        _settle(delivery, state=DeliveryState.PENDING, last_error=message, lease_until=None)
        return "retry", delivery.attempts
    _settle(delivery, state=DeliveryState.SENT, sent_at=timezone.now(), last_error="", lease_until=None)
    return "sent", delivery.attempts


@shared_task(ignore_result=True)
def daily_digest() -> int:
    """Every morning: one email per user with the notifications not sent to them yet."""
    return send_digests()
