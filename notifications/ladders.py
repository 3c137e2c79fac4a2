"""When each step of a ladder falls due, and which ladders are well formed."""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from . import config_cache
from .calendar import add_working_days
from .models import Deadline, EscalationLadder, EscalationStep, StepTiming


def ladders_for(kinds, province_id: int | None) -> dict[str, EscalationLadder]:
    """For each of KINDS, the province's own ladder, else the national default (absent when none),
    with their steps (two queries, then kept while no ladder changes: config_cache)."""
    kinds = tuple(sorted(set(kinds)))
    return config_cache.cached("ladders", (kinds, province_id), lambda: _ladders_for(kinds, province_id))


def _ladders_for(kinds, province_id: int | None) -> dict[str, EscalationLadder]:
    found: dict[str, EscalationLadder] = {}
    for ladder in EscalationLadder.objects.filter(
        Q(province_id=province_id) | Q(province__isnull=True), kind__in=list(kinds)
    ).prefetch_related("steps"):
        if ladder.province_id is not None or ladder.kind not in found:
            found[ladder.kind] = ladder
    return found


def ladder_for(kind: str, province_id: int | None) -> EscalationLadder | None:
    """The province's own ladder for KIND, else the national default (None when there is none)."""
    return ladders_for([kind], province_id).get(kind)


def step_time(deadline: Deadline, step: EscalationStep) -> datetime.datetime:
    if step.timing == StepTiming.SHARE_OF_TIME:
        return deadline.starts_at + (deadline.due_at - deadline.starts_at) * step.amount / 100
    if step.timing == StepTiming.HOURS_AFTER_DUE:
        return deadline.due_at + datetime.timedelta(hours=step.amount)
    return add_working_days(deadline.due_at, step.amount)


def _order_key(timing: str, amount: int) -> tuple[int, float]:
    if timing == StepTiming.SHARE_OF_TIME:
        return (0, amount)
    # Working days compared as whole days: close enough to catch a ladder written out of order.
    return (1, amount if timing == StepTiming.HOURS_AFTER_DUE else amount * 24)


def step_errors(steps: list[tuple[str, int]]) -> list[str]:
    """Messages for a ladder whose steps, in the order given, are negative or out of time order."""
    errors = []
    previous = None
    for number, (timing, amount) in enumerate(steps, start=1):
        if amount is None or amount < 0:
            errors.append(_("Step %(number)s: the amount cannot be negative.") % {"number": number})
            continue
        if timing == StepTiming.SHARE_OF_TIME and not 0 < amount <= 100:
            errors.append(
                _("Step %(number)s: a share of the allowed time is between 1 and 100 per cent.") % {"number": number}
            )
            continue
        key = _order_key(timing, amount)
        if previous is not None and key < previous:
            errors.append(
                _("Step %(number)s comes earlier in time than the step before it: put the steps in time order.")
                % {"number": number}
            )
        previous = key
    return errors


def arm(deadline: Deadline, *, steps: list[EscalationStep] | None = None) -> None:
    """Point the deadline's cursor at its first step not fired yet (after it is set or moved)."""
    if steps is None:
        steps = list(EscalationStep.objects.filter(ladder_id=deadline.ladder_id).order_by("position"))
    fired = set(deadline.fires.values_list("position", flat=True)) if deadline.pk else set()
    pending = [index for index in range(len(steps)) if index not in fired]
    if not pending:
        deadline.next_step, deadline.next_step_at = len(steps), None
        return
    deadline.next_step = pending[0]
    deadline.next_step_at = step_time(deadline, steps[pending[0]])
