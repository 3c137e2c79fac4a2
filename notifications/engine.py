"""The escalation engine: find deadline steps that fell due, fire each exactly once, tell people.

A scan reads due deadlines through one indexed query (open, next_step_at <= now). Each deadline is
claimed by a conditional UPDATE of its cursor that must touch exactly one row, so two scans (two
workers, a retry) never fire the same step twice; the unique (deadline, position) constraint on
EscalationFire stands behind that. After an outage, every step that fell due is recorded, but each
person gets one message per deadline, carrying the latest step.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from .ladders import step_time
from .models import Deadline, DeadlineState, EscalationFire, EscalationStep
from .registry import handler_for
from .services import notify

logger = logging.getLogger(__name__)


@dataclass
class ScanResult:
    deadlines: int = 0
    steps_fired: int = 0
    notifications: int = 0
    skipped: int = 0
    notification_ids: list[int] = field(default_factory=list)


def _steps(ladder_id: int | None) -> list[EscalationStep]:
    if ladder_id is None:
        return []
    return list(EscalationStep.objects.filter(ladder_id=ladder_id).order_by("position"))


def scan(now: datetime.datetime | None = None, *, limit: int = 5000) -> ScanResult:
    """Fire every step that is due; oldest first, at most LIMIT deadlines per call."""
    now = now or timezone.now()
    result = ScanResult()
    due = list(
        Deadline.objects.filter(state=DeadlineState.OPEN, next_step_at__lte=now)
        .order_by("next_step_at")
        .values_list("pk", flat=True)[:limit]
    )
    steps_by_ladder: dict[int, list[EscalationStep]] = {}
    for pk in due:
        _escalate(pk, now, steps_by_ladder, result)
    return result


def _escalate(pk: int, now, steps_by_ladder, result: ScanResult) -> None:
    with transaction.atomic():
        deadline = Deadline.objects.select_related("target_type").filter(pk=pk, state=DeadlineState.OPEN).first()
        if deadline is None or deadline.next_step_at is None or deadline.next_step_at > now:
            return
        if deadline.ladder_id not in steps_by_ladder:
            steps_by_ladder[deadline.ladder_id] = _steps(deadline.ladder_id)
        steps = steps_by_ladder[deadline.ladder_id]
        # Steps are validated to be in time order, so the due ones are a prefix of the pending ones.
        pending = list(enumerate(steps))[deadline.next_step :]
        due_steps = []
        for index, step in pending:
            if step_time(deadline, step) > now:
                break
            due_steps.append((index, step))
        rest = pending[len(due_steps) :]
        next_index, next_at = (rest[0][0], step_time(deadline, rest[0][1])) if rest else (len(steps), None)
        claimed = Deadline.objects.filter(
            pk=pk, state=DeadlineState.OPEN, next_step=deadline.next_step, next_step_at=deadline.next_step_at
        ).update(next_step=next_index, next_step_at=next_at)
        if claimed != 1:
            result.skipped += 1  # another scan took this deadline
            return
        if not due_steps:
            return
        try:
            with transaction.atomic():
                EscalationFire.objects.bulk_create(
                    [
                        EscalationFire(
                            deadline=deadline,
                            position=index,
                            recipient=step.recipient,
                            fired_at=now,
                            was_announced=index == due_steps[-1][0],
                        )
                        for index, step in due_steps
                    ]
                )
        except IntegrityError:
            result.skipped += 1
            return
        result.deadlines += 1
        result.steps_fired += len(due_steps)
        handler = handler_for(deadline)
        if handler is None:
            logger.warning("no escalation handler for %s", deadline.target_type)
            return
        current_index = due_steps[-1][0]
        users = {}
        for _index, step in due_steps:
            for user in handler.recipients(deadline, step.recipient):
                users.setdefault(user.pk, user)
        description = handler.describe(deadline)
        urgent = any(step.is_urgent for _index, step in due_steps)
        for user in users.values():
            notification = notify(
                user=user,
                title=description.title,
                body=description.body,
                url=description.url,
                deadline=deadline,
                step=current_index,
                is_urgent=urgent,
                province_id=deadline.province_id,
            )
            if notification is not None:
                result.notifications += 1
                result.notification_ids.append(notification.pk)
