"""The safety plan of a child at high risk: recorded, then reviewed on its date. Each review writes a new
version (the earlier one stays readable); the review date is a deadline on the officer's work list, met and
set again by each review."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import ServiceProvider
from agencies.selectors import providers_serving
from notifications.calendar import end_of_day
from notifications.services import deadline_meet, deadline_set

from .. import access, events
from ..choices import OPEN_STATES, SAFETY_PLAN_REVIEW_DEADLINE
from ..models import CaseFile, SafetyItemKind, SafetyPlan, SafetyPlanItem
from .common import _province, case_lock, case_touch

# A review date further away than this is refused: a child at high risk is looked at again within months.
LONGEST_REVIEW_INTERVAL = datetime.timedelta(days=183)


@dataclass
class SafetyItemInput:
    kind: str
    text: str
    who: str = ""
    phone: str = ""
    provider: ServiceProvider | None = None
    is_hidden_from_perpetrator: bool = False


def _errors(case: CaseFile, items: list[SafetyItemInput], review_date, review_note: str, is_review: bool) -> dict:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if review_date is None or review_date < today:
        errors["review_date"] = [_("The review date must be today or later.")]
    elif review_date > today + LONGEST_REVIEW_INTERVAL:
        errors["review_date"] = [_("Review the safety plan within six months.")]
    if is_review and not review_note.strip():
        errors["review_note"] = [_("Say what the review found.")]
    kinds = {item.kind for item in items}
    if SafetyItemKind.CONTACT not in kinds:
        errors["items"] = [_("Add at least one person or service the child can call.")]
    if SafetyItemKind.ACTION not in kinds:
        errors.setdefault("items", []).append(_("Add at least one thing an adult or an agency will do."))
    served = None
    for index, item in enumerate(items):
        if item.kind not in SafetyItemKind.values:
            errors[f"items-{index}-kind"] = [_("Choose what this item is.")]
        if not item.text.strip():
            errors[f"items-{index}-text"] = [_("Write the item, or remove it.")]
        if item.provider is not None:
            served = served if served is not None else set(providers_serving(case.commune).values_list("pk", flat=True))
            if item.provider.pk not in served:
                errors[f"items-{index}-provider"] = [_("This service does not serve the child's commune.")]
    return errors


@transaction.atomic
def safety_plan_record(
    *,
    actor,
    case: CaseFile,
    items: list[SafetyItemInput],
    review_date: datetime.date | None,
    review_note: str = "",
    expected_version: int | None = None,
) -> SafetyPlan:
    """Record the child's safety plan, or review it: a new version replaces the current one (kept, readable).

    The review date becomes a deadline of the case file (kind "safety_plan_review"): a reminder to the
    responsible officer before it, escalated to the chairman after it; a review meets it and sets the next."""
    case = case_lock(case, expected_version)
    if not access.can_edit(actor, case):
        raise PermissionDenied(_("Your role does not allow changes to this case file."))
    if case.state not in OPEN_STATES:
        raise ValidationError(_("The case file is closed: its safety plan can no longer change."))
    previous = SafetyPlan.objects.select_for_update().filter(case=case, is_current=True).first()
    errors = _errors(case, items, review_date, review_note, is_review=previous is not None)
    if errors:
        raise ValidationError(errors)
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    number = (
        SafetyPlan.objects.filter(case=case).order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    now = timezone.now()
    plan = SafetyPlan.objects.create(
        case=case,
        number=number,
        review_date=review_date,
        review_note=review_note.strip() if previous is not None else "",
        recorded_by=actor,
        recorded_at=now,
    )
    SafetyPlanItem.objects.bulk_create(
        SafetyPlanItem(
            plan=plan,
            position=position,
            kind=item.kind,
            text=item.text.strip(),
            who=item.who.strip(),
            phone=item.phone.strip(),
            provider=item.provider,
            is_hidden_from_perpetrator=item.is_hidden_from_perpetrator,
        )
        for position, item in enumerate(items)
    )
    deadline_meet(target=case, kind=SAFETY_PLAN_REVIEW_DEADLINE, at=now)
    deadline_set(
        target=case,
        kind=SAFETY_PLAN_REVIEW_DEADLINE,
        starts_at=now,
        due_at=end_of_day(review_date),
        province=_province(case),
    )
    change = case_touch(case)
    record_event = events.safety_plan_reviewed_event if previous is not None else events.safety_plan_recorded_event
    record_event(case=case, actor=actor, change=change, plan=plan)
    return plan
