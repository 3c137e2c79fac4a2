"""Visits to the child and flags for attention.

A commune officer schedules a visit (home, school, elsewhere), then records it: the date, who went, whom
they saw and whether the child was seen, what they observed, and the next visit (scheduled at once).
A recorded visit is a contact with the child: the no-contact rule counts again from it (cases.contacts,
through the timeline event). A supervisor flags a case file for attention (why, until when) and lifts
the flag; a flag past its date lapses by itself. Each write is a typed event of the timeline, whose audit
row (cases.events) says who did it and when, never what was observed.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, events
from ..choices import OPEN_STATES, VisitKind, VisitStatus
from ..models import CaseFile, CaseFlag, Visit
from .common import case_lock
from .offline import once

# A flag is a short-term call for attention, not a permanent mark.
FLAG_LONGEST = datetime.timedelta(days=366)


def _today() -> datetime.date:
    return timezone.localdate()


def _require_open_and_editable(actor, case: CaseFile) -> CaseFile:
    if not access.can_edit(actor, case):
        raise PermissionDenied(_("Your role does not allow changes to this case file."))
    locked = case_lock(case)  # one writer at a time on the case file's visits
    if locked.state not in OPEN_STATES:
        raise ValidationError(_("The case file is closed: visits are no longer scheduled or recorded."))
    return locked


# How far ahead a visit may be planned: a date further on is a slip of the keyboard (2062 for 2026), never a
# follow-up of a child at risk.
VISIT_HORIZON = datetime.timedelta(days=366)
# A visit done up to this long before the date it was planned for is that planned visit, made early.
PLANNED_VISIT_DONE_AHEAD = datetime.timedelta(days=7)


def _schedule(*, actor, case: CaseFile, kind: str, planned_for: datetime.date) -> Visit:
    visit = Visit(case=case, kind=kind, planned_for=planned_for, planned_by=actor, status=VisitStatus.PLANNED)
    visit.full_clean(exclude=["case", "planned_by"])
    visit.save()
    events.visit_scheduled_event(case=case, actor=actor, visit=visit)
    return visit


@transaction.atomic
def visit_schedule(*, actor, case: CaseFile, kind: str, planned_for: datetime.date) -> Visit:
    locked = _require_open_and_editable(actor, case)
    errors = {}
    if kind not in VisitKind.values:
        errors["kind"] = [_("Choose the kind of visit.")]
    if planned_for is None:
        errors["planned_for"] = [_("Enter the date of the visit.")]
    elif planned_for < _today():
        errors["planned_for"] = [_("The date is in the past: record the visit as done instead.")]
    elif planned_for > _today() + VISIT_HORIZON:
        errors["planned_for"] = [_("A visit is planned within a year: check the date (the year?).")]
    if errors:
        raise ValidationError(errors)
    return _schedule(actor=actor, case=locked, kind=kind, planned_for=planned_for)


@dataclass
class VisitRecord:
    """What the officer writes down after a visit."""

    kind: str
    done_on: datetime.date
    child_seen: bool | None
    observations: str
    visitors: list = field(default_factory=list)  # users who went
    other_visitors: str = ""  # others who went, in words (the hamlet's collaborator, a teacher…)
    people_seen: str = ""
    next_visit_on: datetime.date | None = None


def _record_errors(case: CaseFile, data: VisitRecord) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = _today()
    if data.kind not in VisitKind.values:
        errors["kind"] = [_("Choose the kind of visit.")]
    if data.done_on is None:
        errors["done_on"] = [_("Enter the date of the visit.")]
    elif data.done_on > today:
        errors["done_on"] = [_("The date of the visit cannot be in the future: schedule it instead.")]
    elif data.done_on < timezone.localtime(case.opened_at).date():
        errors["done_on"] = [_("The visit cannot be before the case file was opened.")]
    if data.child_seen is None:
        errors["child_seen"] = [_("Say whether the child was seen.")]
    if not data.visitors and not data.other_visitors.strip():
        errors["visitors"] = [_("Say who went on the visit.")]
    if not data.observations.strip():
        errors["observations"] = [_("Write what you observed.")]
    if data.next_visit_on is not None:
        if data.next_visit_on < today:
            errors["next_visit_on"] = [_("The next visit cannot be in the past.")]
        elif data.done_on is not None and data.next_visit_on <= data.done_on:
            errors["next_visit_on"] = [_("The next visit comes after this one.")]
        elif data.next_visit_on > today + VISIT_HORIZON:
            errors["next_visit_on"] = [_("A visit is planned within a year: check the date (the year?).")]
    return errors


def visit_record(
    *, actor, case: CaseFile, data: VisitRecord, planned: Visit | None = None, idempotency_key=None
) -> Visit:
    """Record a visit done: the one PLANNED (still planned: recorded once), or one not scheduled before.
    IDEMPOTENCY_KEY: chosen by a phone that recorded it offline; a second send with the same key returns
    the first visit and records nothing."""
    return once(
        lambda: _visit_record(actor, case, data, planned, idempotency_key),
        model=Visit,
        key=idempotency_key,
        owner_field="recorded_by",
        actor=actor,
        scope={"case_id": case.pk},
    )


@transaction.atomic
def _visit_record(actor, case: CaseFile, data: VisitRecord, planned: Visit | None, idempotency_key) -> Visit:
    locked = _require_open_and_editable(actor, case)
    if planned is not None:
        planned = Visit.objects.select_for_update().filter(pk=planned.pk, case=locked).first()
        if planned is None or planned.status != VisitStatus.PLANNED:
            raise ValidationError(
                _("This visit was already recorded or cancelled meanwhile: open the case file again.")
            )
    errors = _record_errors(locked, data)
    if errors:
        raise ValidationError(errors)
    if planned is None:
        planned = _planned_visit_done(locked, data)
    visit = planned or Visit(case=locked)
    visit.kind, visit.status, visit.done_on = data.kind, VisitStatus.DONE, data.done_on
    visit.child_seen, visit.people_seen = data.child_seen, data.people_seen.strip()
    visit.other_visitors, visit.observations = data.other_visitors.strip(), data.observations.strip()
    visit.next_visit_on, visit.recorded_by, visit.recorded_at = data.next_visit_on, actor, timezone.now()
    visit.idempotency_key = idempotency_key
    visit.full_clean(exclude=["case", "planned_by", "recorded_by"])
    visit.save()
    visit.visitors.set(data.visitors)
    events.visit_recorded_event(case=locked, actor=actor, visit=visit)
    if data.next_visit_on is not None:
        _schedule(actor=actor, case=locked, kind=data.kind, planned_for=data.next_visit_on)
    return visit


def _planned_visit_done(case: CaseFile, data: VisitRecord) -> Visit | None:
    """The planned visit a visit recorded without naming one takes the place of: the earliest of the same kind
    planned up to a week after it. Otherwise the plan would stay open beside the visit done, and be reported
    overdue while the child was seen."""
    return (
        Visit.objects.select_for_update()
        .filter(
            case=case,
            status=VisitStatus.PLANNED,
            kind=data.kind,
            planned_for__lte=data.done_on + PLANNED_VISIT_DONE_AHEAD,
        )
        .order_by("planned_for", "pk")
        .first()
    )


@transaction.atomic
def visit_cancel(*, actor, case: CaseFile, visit: Visit) -> Visit:
    locked = _require_open_and_editable(actor, case)
    visit = Visit.objects.select_for_update().filter(pk=visit.pk, case=locked).first()
    if visit is None or visit.status != VisitStatus.PLANNED:
        raise ValidationError(_("Only a planned visit can be cancelled."))
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status"])
    events.visit_cancelled_event(case=locked, actor=actor, visit=visit)
    return visit


# ---------------------------------------------------------------------------------------------- flags


def _flag_holding(case: CaseFile) -> CaseFlag | None:
    return case.flags.filter(lifted_at__isnull=True, until__gte=_today()).first()


@transaction.atomic
def flag_raise(*, actor, case: CaseFile, reason: str, until: datetime.date | None) -> CaseFlag:
    if not access.can_flag(actor, case):
        raise PermissionDenied(_("Only the chairman, a coordinator or a leader flags a case file for attention."))
    locked = case_lock(case)
    errors = {}
    if not reason.strip():
        errors["reason"] = [_("Say why the case file needs attention.")]
    if until is None:
        errors["until"] = [_("Enter until when the flag holds.")]
    elif until < _today():
        errors["until"] = [_("The date is in the past.")]
    elif until > _today() + FLAG_LONGEST:
        errors["until"] = [_("A flag holds for one year at most.")]
    if errors:
        raise ValidationError(errors)
    current = _flag_holding(locked)
    if current is not None:
        raise ValidationError(
            _("The case file is already flagged until %(date)s: lift that flag first.")
            % {"date": f"{current.until:%d/%m/%Y}"}
        )
    flag = CaseFlag(case=locked, reason=reason.strip(), until=until, raised_by=actor, raised_at=timezone.now())
    flag.full_clean(exclude=["case", "raised_by"])
    flag.save()
    events.flag_raised_event(case=locked, actor=actor, flag=flag)
    return flag


@transaction.atomic
def flag_lift(*, actor, case: CaseFile) -> CaseFlag:
    if not access.can_flag(actor, case):
        raise PermissionDenied(_("Only the chairman, a coordinator or a leader flags a case file for attention."))
    locked = case_lock(case)
    flag = _flag_holding(locked)
    if flag is None:
        raise ValidationError(_("The case file is not flagged (any more)."))
    flag.lifted_by, flag.lifted_at = actor, timezone.now()
    flag.save(update_fields=["lifted_by", "lifted_at"])
    events.flag_lifted_event(case=locked, actor=actor, flag=flag)
    return flag
