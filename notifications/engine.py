"""The escalation engine: find deadline steps that fell due, fire each exactly once, tell people.

A scan reads due deadlines (open, next_step_at <= now) through a partial index, in batches. A batch
is claimed with SELECT … FOR UPDATE SKIP LOCKED, so two scans (two workers, a retry) never take the
same deadline; the cursor moves in the same transaction, and the unique (deadline, position)
constraint on EscalationFire stands behind both. After an outage every step that fell due is
recorded, but each person gets one message per deadline, carrying the latest step.

Everything in a batch is written in bulk and recipients are resolved per batch by the target's
handler, so the cost of a scan grows with the number of due deadlines, not with the open ones.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from .defaults import NEVER_HELD
from .ladders import step_time
from .models import Deadline, DeadlineState, EscalationFire, EscalationLadder, EscalationStep
from .registry import handler_for_type
from .services import NotificationDraft, notify_many

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000


@dataclass
class ScanResult:
    deadlines: int = 0
    steps_fired: int = 0
    notifications: int = 0


def scan(now: datetime.datetime | None = None, *, batch_size: int = BATCH_SIZE, max_batches: int = 1000) -> ScanResult:
    """Fire every step that is due, oldest first, batch by batch."""
    now = now or timezone.now()
    result = ScanResult()
    steps_by_ladder: dict[int, list[EscalationStep]] = {}
    for _ in range(max_batches):
        if not _scan_batch(now, batch_size, steps_by_ladder, result):
            break
    return result


def _steps(ladder_id: int | None, cache: dict) -> list[EscalationStep]:
    if ladder_id not in cache:
        cache[ladder_id] = (
            list(EscalationStep.objects.filter(ladder_id=ladder_id).order_by("position")) if ladder_id else []
        )
    return cache[ladder_id]


@dataclass
class _Firing:
    deadline: Deadline
    due_steps: list[tuple[int, EscalationStep]]


def _scan_batch(now, batch_size: int, steps_by_ladder: dict, result: ScanResult) -> bool:
    """One claimed batch; False when nothing was due any more."""
    with transaction.atomic():
        batch = list(
            Deadline.objects.select_for_update(skip_locked=True)
            .filter(state=DeadlineState.OPEN, next_step_at__lte=now)
            .order_by("next_step_at")[:batch_size]
        )
        if not batch:
            return False
        firings: list[_Firing] = []
        for deadline in batch:
            steps = _steps(deadline.ladder_id, steps_by_ladder)
            # Steps are validated to be in time order: the due ones are a prefix of the pending ones.
            pending = list(enumerate(steps))[deadline.next_step :]
            due_steps = []
            for index, step in pending:
                if step_time(deadline, step) > now:
                    break
                due_steps.append((index, step))
            rest = pending[len(due_steps) :]
            deadline.next_step, deadline.next_step_at = (
                (rest[0][0], step_time(deadline, rest[0][1])) if rest else (len(steps), None)
            )
            if due_steps:
                firings.append(_Firing(deadline, due_steps))
        _move_cursors(batch)
        EscalationFire.objects.bulk_create(
            [
                EscalationFire(
                    deadline=firing.deadline,
                    position=index,
                    recipient=step.recipient,
                    fired_at=now,
                    was_announced=index == firing.due_steps[-1][0],
                )
                for firing in firings
                for index, step in firing.due_steps
            ]
        )
        result.deadlines += len(firings)
        result.steps_fired += sum(len(firing.due_steps) for firing in firings)
        result.notifications += _announce(firings)
    return len(batch) == batch_size


def _move_cursors(batch: list[Deadline]) -> None:
    """Write every cursor of the batch in one statement (Django's bulk_update builds a CASE per row)."""
    if connection.vendor != "postgresql":
        Deadline.objects.bulk_update(batch, ["next_step", "next_step_at"])
        return
    rows = ", ".join(["(%s::bigint, %s::smallint, %s::timestamptz)"] * len(batch))
    params = [value for deadline in batch for value in (deadline.pk, deadline.next_step, deadline.next_step_at)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Deadline._meta.db_table} AS d SET next_step = v.step, next_step_at = v.at "  # noqa: S608
            f"FROM (VALUES {rows}) AS v(id, step, at) WHERE d.id = v.id",
            params,
        )


def _announce(firings: list[_Firing]) -> int:
    """One notification per person per deadline, for the latest step that fell due."""
    by_type: dict[int, list[_Firing]] = defaultdict(list)
    for firing in firings:
        by_type[firing.deadline.target_type_id].append(firing)
    holding = dict(
        EscalationLadder.objects.filter(pk__in={f.deadline.ladder_id for f in firings}).values_list(
            "pk", "hold_outside_hours"
        )
    )
    drafts: list[NotificationDraft] = []
    for type_id, group in by_type.items():
        handler = handler_for_type(ContentType.objects.get_for_id(type_id))
        if handler is None:
            logger.warning("no escalation handler for content type %s", type_id)
            continue
        wanted = {(firing.deadline.pk, step.recipient) for firing in group for _index, step in firing.due_steps}
        resolution = handler.resolve([firing.deadline for firing in group], wanted)
        recipients, descriptions = resolution.recipients, resolution.descriptions
        for firing in group:
            deadline = firing.deadline
            users = {}
            for _index, step in firing.due_steps:
                for user in recipients.get((deadline.pk, step.recipient), []):
                    users.setdefault(user.pk, user)
            description = descriptions.get(deadline.pk)
            if description is None:
                continue
            urgent = any(step.is_urgent for _index, step in firing.due_steps)
            drafts.extend(
                NotificationDraft(
                    user=user,
                    title=description.title,
                    body=description.body,
                    translations=description.translations,
                    url=description.url,
                    deadline=deadline,
                    step=firing.due_steps[-1][0],
                    is_urgent=urgent,
                    province_id=deadline.province_id,
                    # Not urgent, on a ladder that may wait: held outside working hours.
                    may_hold=not urgent and holding.get(deadline.ladder_id, True) and deadline.kind not in NEVER_HELD,
                )
                for user in users.values()
            )
    return notify_many(drafts)
