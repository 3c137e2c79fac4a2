"""Celery tasks: they take ids, may run twice, and retry only transient errors."""

import datetime
import logging

from celery import shared_task
from django.db import transaction
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
            deliver.apply_async(args=[delivery_id], kwargs={"retry_of": attempts}, countdown=_backoff(attempts))


@shared_task(bind=True, ignore_result=True, max_retries=MAX_ATTEMPTS)
def deliver(self, delivery_id: int, retry_of: int | None = None) -> str:
    """Send one delivery. Sent or failed ones are left alone, so a duplicate run sends nothing twice.
    RETRY_OF: the attempt this run retries (it may start before its backoff ran out by the clock)."""
    outcome, attempts = _deliver_once(delivery_id, retry_of)
    if outcome == "retry":
        raise self.retry(countdown=_backoff(attempts), kwargs={"delivery_id": delivery_id, "retry_of": attempts})
    return outcome


def _backoff(attempts: int) -> int:
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


def _claimable(now) -> Q:
    """Pending and not waiting for its next attempt, or claimed by a worker whose lease ran out."""
    waiting_over = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    return (Q(state=DeliveryState.PENDING) & waiting_over) | Q(state=DeliveryState.SENDING, lease_until__lt=now)


def _claim(delivery_id: int, retry_of: int | None = None) -> Delivery | None:
    """Take the delivery for this worker: a conditional update that must touch exactly one row, committed
    at once, so that no row lock is held while the channel is talked to. The scheduled retry of attempt
    RETRY_OF may take it at once; anyone else waits for the backoff to run out."""
    now = timezone.now()
    claimable = _claimable(now)
    if retry_of is not None:
        claimable |= Q(state=DeliveryState.PENDING, attempts=retry_of)
    claimed = Delivery.objects.filter(claimable, pk=delivery_id).update(
        state=DeliveryState.SENDING, lease_until=now + LEASE, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return None
    return Delivery.objects.select_related("notification__user", "endpoint").get(pk=delivery_id)


def _settle(delivery: Delivery, **fields) -> bool:
    """Record the outcome, only if the claim is still ours (same attempt, still being sent)."""
    mine = Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING, attempts=delivery.attempts)
    if mine.update(**fields) != 1:
        logger.warning("delivery %s: the claim ran out before the outcome was recorded", delivery.pk)
        return False
    return True


def _deliver_once(delivery_id: int, retry_of: int | None = None) -> tuple[str, int]:
    """("sent" | "failed" | "skipped" | "retry", attempts so far)."""
    delivery = _claim(delivery_id, retry_of)
    if delivery is None:
        return "skipped", 0
    transport = transport_for(delivery.channel)
    try:
        if transport is None:
            raise PermanentError(f"no transport for the channel {delivery.channel!r}")
        outcome = transport.send(delivery)
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
        # Pending again, not before its backoff: the sweep must not send it earlier.
        next_attempt = timezone.now() + datetime.timedelta(seconds=_backoff(delivery.attempts))
        _settle(delivery, state=DeliveryState.PENDING, last_error=message, lease_until=next_attempt)
        return "retry", delivery.attempts
    except Exception as error:
        # A fault of ours (a bug, a malformed endpoint): recorded and logged with its traceback, never
        # left "being sent"; an administrator sees it under deliveries and can send it again.
        logger.exception("delivery %s failed with an unexpected error", delivery_id)
        _settle(
            delivery, state=DeliveryState.FAILED, last_error=f"{type(error).__name__}: {error}"[:2000], lease_until=None
        )
        return "failed", delivery.attempts
    provider_id = getattr(outcome, "provider_id", "")[:100]
    _settle(
        delivery,
        state=DeliveryState.SENT,
        sent_at=timezone.now(),
        last_error="",
        lease_until=None,
        **({"provider_id": provider_id} if provider_id else {}),
    )
    return "sent", delivery.attempts


# A pending delivery untouched this long has lost its message (a broker restarted empty): sent again.
STALE_AFTER = datetime.timedelta(minutes=5)


def redrive(*, now: datetime.datetime | None = None, limit: int = 5000) -> int:
    """Queue again the deliveries whose message was lost: pending past their time, or claimed by a worker
    that died (its lease ran out). Sending them twice is harmless: only one claim can win."""
    from .services import _enqueue_deliveries

    now = now or timezone.now()
    stale = _claimable(now) & (Q(state=DeliveryState.SENDING) | Q(created_at__lt=now - STALE_AFTER))
    ids = list(Delivery.objects.filter(stale).order_by("pk").values_list("pk", flat=True)[:limit])
    if ids:
        with transaction.atomic():
            _enqueue_deliveries(ids)
    return len(ids)


@shared_task(ignore_result=True)
def redrive_deliveries() -> int:
    """Every five minutes: deliveries whose broker message was lost are queued again."""
    return redrive()


@shared_task(ignore_result=True)
def release_held_deliveries() -> int:
    """Every minute: send the reminders that waited for working hours."""
    from .services import release_held

    return release_held()


@shared_task(ignore_result=True)
def daily_digest() -> int:
    """Every morning: one email per user with the notifications not sent to them yet."""
    return send_digests()


@shared_task(bind=True, ignore_result=True, max_retries=3)
def send_phone_code(self, verification_id: int) -> str:
    """Send a phone number's one-time code by SMS, once: the row is claimed before the gateway is called, and
    given back for a retry when the gateway is unreachable."""
    from django.utils.translation import gettext as _
    from django.utils.translation import override

    from .accounts import Accounts
    from .models import PhoneChannel, PhoneVerification
    from .transports.sms import send_text
    from .verification import province_of_user

    now = timezone.now()
    if not PhoneVerification.objects.filter(pk=verification_id, sent_at__isnull=True, expires_at__gt=now).update(
        sent_at=now
    ):
        return "skipped"
    verification = PhoneVerification.objects.select_related("user").get(pk=verification_id)
    province = province_of_user(verification.user)
    account = Accounts(PhoneChannel.SMS, {province}).for_province(province)
    if account is None:
        PhoneVerification.objects.filter(pk=verification_id).update(last_error="no SMS account")
        return "failed"
    with override("vi"):
        text = _("BaoVe: your code is %(code)s (valid 10 minutes). Do not give it to anyone.") % {
            "code": verification.code
        }
    try:
        send_text(account, verification.phone, text, request_id=f"baove-code-{verification_id}")
    except TRANSIENT_ERRORS as error:
        PhoneVerification.objects.filter(pk=verification_id).update(sent_at=None, last_error=str(error)[:2000])
        raise self.retry(countdown=_backoff(self.request.retries + 1)) from error
    except PermanentError as error:
        PhoneVerification.objects.filter(pk=verification_id).update(last_error=str(error)[:2000])
        return "failed"
    return "sent"
