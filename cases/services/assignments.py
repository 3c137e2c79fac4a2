"""Agency assignments: one per measure of an approved plan. The agency accepts or declines, acts,
reports progress and closes; a declined or late assignment is reassigned by the commune officer or a
coordinator. While an agency holds an active assignment its staff group holds the guardian object
permission to see the case file (the minimum its service needs); the permission goes with it.
Who may do which action in which status is the access door's rule (cases.access)."""

import datetime
import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit, Agency
from agencies.services import agency_staff_group
from audit.recorder import record
from config.errors import Conflict
from notifications.calendar import add_working_days, end_of_day
from notifications.services import deadline_cancel, deadline_meet, deadline_set

from .. import access, events
from ..models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentProgress,
    AssignmentStatus,
    CaseFile,
    InterventionPlan,
)
from .attachments import store_attachment
from .common import serves
from .offline import once

ACCEPTANCE_WORKING_DAYS = 2
ACCEPTANCE = "assignment_acceptance"
COMPLETION = "assignment_due"
S = AssignmentStatus


def _audited_refusals(function):
    """Record a refused change in the audit trail after its transaction rolled back, then re-raise."""

    @functools.wraps(function)
    def wrapper(*, actor, assignment: Assignment, **kwargs):
        try:
            with transaction.atomic():
                return function(actor=actor, assignment=assignment, **kwargs)
        except (ValidationError, PermissionDenied, Conflict) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            record(
                "denied",
                "assignment",
                assignment.pk,
                case=assignment.case_id,
                actor=actor,
                fields={"action": function.__name__, "reason": message[:500]},
            )
            raise

    return wrapper


def _lock(assignment: Assignment, expected_version: int | None, *, actor, action: str) -> Assignment:
    """The assignment's row, locked; the door's rule for ACTION; a stale version refused."""
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("case__commune", "agency")
        .get(pk=assignment.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict
    access.require_assignment_action(actor, locked, action)
    return locked


def _save(assignment: Assignment, fields: list[str]) -> Assignment:
    assignment.version = F("version") + 1
    assignment.save(update_fields=[*fields, "version"])
    assignment.refresh_from_db(fields=["version"])
    return assignment


def _grant(case: CaseFile, agency: Agency) -> None:
    assign_perm("cases.view_casefile", agency_staff_group(agency), case)


def _revoke_if_idle(case: CaseFile, agency: Agency) -> None:
    """The agency loses sight of the case when it holds no active assignment on it any more."""
    if not Assignment.objects.filter(case=case, agency=agency, status__in=ACTIVE_ASSIGNMENT_STATUSES).exists():
        remove_perm("cases.view_casefile", agency_staff_group(agency), case)


def _open_deadlines(assignment: Assignment, start: datetime.datetime) -> None:
    province_unit = AdministrativeUnit(pk=province_pk_of(assignment.case.commune))
    deadline_set(
        target=assignment,
        kind=ACCEPTANCE,
        starts_at=start,
        due_at=add_working_days(start, ACCEPTANCE_WORKING_DAYS),
        province=province_unit,
    )
    due = max(end_of_day(assignment.due_date), start)
    deadline_set(target=assignment, kind=COMPLETION, starts_at=start, due_at=due, province=province_unit)


def _create(*, actor, case: CaseFile, measure, agency: Agency, request: str, due_date, service_type) -> Assignment:
    assignment = Assignment.objects.create(
        case=case, measure=measure, agency=agency, service_type=service_type, request=request, due_date=due_date
    )
    _grant(case, agency)
    _open_deadlines(assignment, timezone.now())
    events.assignment_proposed_event(case=case, actor=actor, assignment=assignment)
    return assignment


def assignments_open_for_plan(*, actor, case: CaseFile, plan: InterventionPlan) -> list[Assignment]:
    """Called when the chairman approves the plan: each measure goes to its agency."""
    return [
        _create(
            actor=actor,
            case=case,
            measure=measure,
            agency=measure.agency,
            request=measure.description,
            due_date=measure.due_date,
            service_type=measure.service_type,
        )
        for measure in plan.measures.select_related("agency")
    ]


@_audited_refusals
def assignment_accept(*, actor, assignment: Assignment, expected_version: int | None = None) -> Assignment:
    assignment = _lock(assignment, expected_version, actor=actor, action="accept")
    assignment.status, assignment.answered_by, assignment.answered_at = S.ACCEPTED, actor, timezone.now()
    deadline_meet(target=assignment, kind=ACCEPTANCE)
    events.assignment_accepted_event(case=assignment.case, actor=actor, assignment=assignment)
    return _save(assignment, ["status", "answered_by", "answered_at"])


@_audited_refusals
def assignment_decline(*, actor, assignment: Assignment, reason: str, expected_version: int | None = None):
    assignment = _lock(assignment, expected_version, actor=actor, action="decline")
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for declining.")]})
    now = timezone.now()
    assignment.status, assignment.decline_reason = S.DECLINED, reason.strip()
    assignment.answered_by, assignment.answered_at, assignment.closed_at = actor, now, now
    _save(assignment, ["status", "decline_reason", "answered_by", "answered_at", "closed_at"])
    deadline_cancel(target=assignment)
    _revoke_if_idle(assignment.case, assignment.agency)
    # Back to the commune officer, who reassigns it (the case page shows it as "to reassign").
    events.assignment_declined_event(
        case=assignment.case, actor=actor, assignment=assignment, reason=assignment.decline_reason
    )
    return assignment


def assignment_report_progress(
    *,
    actor,
    assignment: Assignment,
    text: str,
    upload=None,
    expected_version: int | None = None,
    idempotency_key=None,
) -> AssignmentProgress:
    """IDEMPOTENCY_KEY: a second send with the same key returns the first progress report."""
    return once(
        lambda: _report_progress(
            actor=actor,
            assignment=assignment,
            text=text,
            upload=upload,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
        ),
        model=AssignmentProgress,
        key=idempotency_key,
        owner_field="author",
        actor=actor,
        scope={"assignment_id": assignment.pk},
    )


@_audited_refusals
def _report_progress(
    *, actor, assignment: Assignment, text: str, upload, expected_version, idempotency_key
) -> AssignmentProgress:
    assignment = _lock(assignment, expected_version, actor=actor, action="progress")
    if not text.strip():
        raise ValidationError({"text": [_("Describe what was done.")]})
    progress = AssignmentProgress.objects.create(
        assignment=assignment, text=text.strip(), author=actor, idempotency_key=idempotency_key
    )
    if upload is not None:
        store_attachment(
            actor=actor, case=assignment.case, upload=upload, assignment=assignment, description=_("Progress report")
        )
    if assignment.status != S.IN_PROGRESS:
        assignment.status = S.IN_PROGRESS
        _save(assignment, ["status"])
    events.assignment_progress_event(case=assignment.case, actor=actor, assignment=assignment, progress_id=progress.pk)
    return progress


@_audited_refusals
def assignment_close(
    *, actor, assignment: Assignment, is_done: bool, outcome: str, expected_version: int | None = None
) -> Assignment:
    assignment = _lock(assignment, expected_version, actor=actor, action="close")
    if not outcome.strip():
        raise ValidationError({"outcome": [_("Describe the outcome.")]})
    assignment.status = S.DONE if is_done else S.NOT_DONE
    assignment.outcome, assignment.closed_at = outcome.strip(), timezone.now()
    _save(assignment, ["status", "outcome", "closed_at"])
    deadline_meet(target=assignment, kind=COMPLETION)
    deadline_cancel(target=assignment)
    _revoke_if_idle(assignment.case, assignment.agency)
    case = assignment.case
    events.assignment_closed_event(case=case, actor=actor, assignment=assignment)
    plan_open = Assignment.objects.filter(measure__plan=assignment.measure.plan, status__in=ACTIVE_ASSIGNMENT_STATUSES)
    if not plan_open.exists():
        events.plan_implemented_event(case=case, actor=actor, plan_id=assignment.measure.plan_id)
    return assignment


@_audited_refusals
def assignment_reassign(
    *,
    actor,
    assignment: Assignment,
    agency: Agency | None,
    request: str = "",
    due_date=None,
    expected_version: int | None = None,
) -> Assignment:
    """Give the measure to another agency (after a refusal, or when the work is late)."""
    assignment = _lock(assignment, expected_version, actor=actor, action="reassign")
    case = assignment.case
    errors = {}
    if agency is None or not agency.is_active:
        errors["agency"] = [_("Choose the agency responsible.")]
    elif not serves(agency, case):
        errors["agency"] = [_("This agency does not serve the child's commune.")]
    due_date = due_date or assignment.due_date
    if due_date < timezone.localdate():
        errors["due_date"] = [_("The due date must be today or later.")]
    if errors:
        raise ValidationError(errors)
    if assignment.status in ACTIVE_ASSIGNMENT_STATUSES:
        assignment.status, assignment.closed_at = S.CANCELLED, timezone.now()
        _save(assignment, ["status", "closed_at"])
        deadline_cancel(target=assignment)
        _revoke_if_idle(case, assignment.agency)
    return _create(
        actor=actor,
        case=case,
        measure=assignment.measure,
        agency=agency,
        request=request.strip() or assignment.request,
        due_date=due_date,
        service_type=assignment.service_type,
    )


def assignments_cancel_for_case(*, actor, case: CaseFile) -> int:
    """When a case file closes, what agencies still held is cancelled and their access ends."""
    open_ones = list(
        Assignment.objects.select_related("agency").filter(case=case, status__in=ACTIVE_ASSIGNMENT_STATUSES)
    )
    for assignment in open_ones:
        assignment.status, assignment.closed_at = S.CANCELLED, timezone.now()
        _save(assignment, ["status", "closed_at"])
        deadline_cancel(target=assignment)
        _revoke_if_idle(case, assignment.agency)
        events.assignment_cancelled_event(case=case, actor=actor, assignment=assignment)
    return len(open_ones)
