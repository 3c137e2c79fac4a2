"""The deadline API other apps use: set, meet, cancel. They never write Deadline rows themselves."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .ladders import arm, ladder_for
from .models import (
    Channel,
    Deadline,
    DeadlineState,
    Delivery,
    EmailMode,
    Notification,
    Preference,
    WebhookEndpoint,
)


def _target_filter(target) -> dict:
    return {"target_type": ContentType.objects.get_for_model(target), "target_id": target.pk}


@transaction.atomic
def deadline_set(
    *, target, kind: str, starts_at: datetime.datetime, due_at: datetime.datetime, province=None
) -> Deadline:
    """Open (or move) the deadline KIND on TARGET."""
    deadline = Deadline.objects.select_for_update().filter(**_target_filter(target), kind=kind, state="open").first()
    if deadline is None:
        deadline = Deadline(**_target_filter(target), kind=kind)
    deadline.starts_at, deadline.due_at, deadline.province = starts_at, due_at, province
    deadline.ladder = ladder_for(kind, province.pk if province else None)
    deadline.full_clean(validate_constraints=False)
    arm(deadline)
    deadline.save()
    return deadline


def deadline_meet(*, target, kind: str, at: datetime.datetime | None = None) -> int:
    """Mark the open deadline KIND as met; returns how many rows changed (0 or 1)."""
    at = at or timezone.now()
    return Deadline.objects.filter(**_target_filter(target), kind=kind, state=DeadlineState.OPEN).update(
        state=DeadlineState.MET, met_at=at, closed_at=at
    )


def deadline_cancel(*, target, kinds: list[str] | None = None) -> int:
    """Cancel the open deadlines on TARGET (all of them, or those of KINDS)."""
    rows = Deadline.objects.filter(**_target_filter(target), state=DeadlineState.OPEN)
    if kinds is not None:
        rows = rows.filter(kind__in=kinds)
    return rows.update(state=DeadlineState.CANCELLED, closed_at=timezone.now())


def notify(
    *,
    user,
    title: str,
    body: str = "",
    url: str = "",
    deadline: Deadline | None = None,
    step: int | None = None,
    is_urgent: bool = False,
    province_id: int | None = None,
) -> Notification | None:
    """An in-app notification, plus its email and webhook deliveries, sent after the commit.

    Returns None when this user was already told about this step of this deadline.
    """
    if deadline is not None and Notification.objects.filter(user=user, deadline=deadline, step=step).exists():
        return None
    notification = Notification.objects.create(
        user=user, title=title[:255], body=body, url=url, deadline=deadline, step=step, is_urgent=is_urgent
    )
    mode = Preference.objects.filter(user=user).values_list("email_mode", flat=True).first() or EmailMode.DIGEST
    deliveries = []
    if user.email and (is_urgent or mode == EmailMode.IMMEDIATE):
        deliveries.append(Delivery(notification=notification, channel=Channel.EMAIL))
    endpoints = WebhookEndpoint.objects.filter(is_active=True).filter(
        Q(province__isnull=True) | Q(province_id=province_id)
    )
    for endpoint in endpoints:
        if is_urgent or not endpoint.urgent_only:
            deliveries.append(Delivery(notification=notification, channel=Channel.WEBHOOK, endpoint=endpoint))
    if deliveries:
        Delivery.objects.bulk_create(deliveries)
        ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: _enqueue_deliveries(ids))
    return notification


def _enqueue_deliveries(ids: list[int]) -> None:
    from .tasks import deliver

    for delivery_id in ids:
        deliver.delay(delivery_id)


def notification_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all unread, or those of IDS) as read; only their own."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


def preference_save(*, user, email_mode: str) -> Preference:
    preference, _created = Preference.objects.update_or_create(user=user, defaults={"email_mode": email_mode})
    return preference


def ladders_ensure_defaults() -> int:
    """Create the national default ladders that are missing; never touch existing ones."""
    from .defaults import DEFAULT_LADDERS
    from .models import EscalationLadder, EscalationStep

    created = 0
    for kind, (name, steps) in DEFAULT_LADDERS.items():
        ladder, was_created = EscalationLadder.objects.get_or_create(kind=kind, province=None, defaults={"name": name})
        if was_created:
            created += 1
            EscalationStep.objects.bulk_create(
                EscalationStep(
                    ladder=ladder,
                    position=position,
                    timing=timing,
                    amount=amount,
                    recipient=recipient,
                    is_urgent=is_urgent,
                )
                for position, (timing, amount, recipient, is_urgent) in enumerate(steps)
            )
    return created
