"""The deadline API other apps use: set, meet, cancel. They never write Deadline rows themselves."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from .models import Deadline, DeadlineState


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
    deadline.full_clean(validate_constraints=False)
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
