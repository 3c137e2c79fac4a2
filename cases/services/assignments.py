"""Agency assignments: one per measure of an approved plan. The agency accepts or declines, acts,
reports progress and closes; a declined or late assignment is reassigned by the commune officer or a
coordinator. While an agency holds an active assignment its staff group holds the guardian object
permission to see the case file (the minimum its service needs); the permission goes with it."""

import datetime
import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from agencies.access import province_pk_of, roles_covering
from agencies.models import AdministrativeUnit, Agency, Role, StaffMembership
from agencies.services import agency_staff_group
from notifications.calendar import add_working_days, end_of_day
from notifications.services import deadline_cancel, deadline_meet, deadline_set

from .. import audit
from ..models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentProgress,
    AssignmentStatus,
    CaseFile,
    InterventionPlan,
)
from .case_files import CaseConflict, _record, store_attachment

ACCEPTANCE_WORKING_DAYS = 2
ACCEPTANCE = "assignment_acceptance"
COMPLETION = "assignment_due"
S = AssignmentStatus
__all__ = [
    "assignment_accept",
    "assignment_close",
    "assignment_decline",
    "assignment_reassign",
    "assignment_report_progress",
    "assignments_cancel_for_case",
    "assignments_open_for_plan",
    "is_agency_staff",
]


def _audited_refusals(function):
    """Record a refused change in the audit trail after its transaction rolled back, then re-raise."""

    @functools.wraps(function)
    def wrapper(*, actor, assignment: Assignment, **kwargs):
        try:
            with transaction.atomic():
                return function(actor=actor, assignment=assignment, **kwargs)
        except (ValidationError, PermissionDenied, CaseConflict) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            audit.record(
                "denied",
                "assignment",
                assignment.pk,
                case=assignment.case,
                actor=actor,
                fields={"action": function.__name__, "reason": message[:500]},
            )
            raise

    return wrapper


def is_agency_staff(user, agency: Agency) -> bool:
    return StaffMembership.objects.filter(
        user=user, agency=agency, role=Role.FOCAL_POINT, is_active=True, agency__is_active=True
    ).exists()


def _lock(assignment: Assignment, expected_version: int | None) -> Assignment:
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("case__commune", "agency")
        .get(pk=assignment.pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict
    return locked


def _require_status(assignment: Assignment, *allowed: str) -> None:
    if assignment.status not in allowed:
        raise ValidationError(
            _("Not possible now: the assignment is “%(status)s”.") % {"status": assignment.get_status_display()}
        )


def _require_staff(actor, assignment: Assignment) -> None:
    if not is_agency_staff(actor, assignment.agency):
        raise PermissionDenied(_("Only the staff of the assigned agency can do this."))


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
    _record(
        case,
        actor,
        "assignment_proposed",
        case.state,
        case.state,
        {"assignment": assignment.pk, "agency": agency.name, "service_type": service_type},
    )
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
    assignment = _lock(assignment, expected_version)
    _require_staff(actor, assignment)
    _require_status(assignment, S.PROPOSED)
    assignment.status, assignment.answered_by, assignment.answered_at = S.ACCEPTED, actor, timezone.now()
    deadline_meet(target=assignment, kind=ACCEPTANCE)
    _record(
        assignment.case,
        actor,
        "assignment_accepted",
        assignment.case.state,
        assignment.case.state,
        {"assignment": assignment.pk, "agency": assignment.agency.name},
    )
    return _save(assignment, ["status", "answered_by", "answered_at"])


@_audited_refusals
def assignment_decline(*, actor, assignment: Assignment, reason: str, expected_version: int | None = None):
    assignment = _lock(assignment, expected_version)
    _require_staff(actor, assignment)
    _require_status(assignment, S.PROPOSED)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for declining.")]})
    now = timezone.now()
    assignment.status, assignment.decline_reason = S.DECLINED, reason.strip()
    assignment.answered_by, assignment.answered_at, assignment.closed_at = actor, now, now
    _save(assignment, ["status", "decline_reason", "answered_by", "answered_at", "closed_at"])
    deadline_cancel(target=assignment)
    _revoke_if_idle(assignment.case, assignment.agency)
    # Back to the commune officer, who reassigns it (the case page shows it as "to reassign").
    _record(
        assignment.case,
        actor,
        "assignment_declined",
        assignment.case.state,
        assignment.case.state,
        {"assignment": assignment.pk, "agency": assignment.agency.name, "reason": reason.strip()},
    )
    return assignment


@_audited_refusals
def assignment_report_progress(
    *, actor, assignment: Assignment, text: str, upload=None, expected_version: int | None = None
) -> AssignmentProgress:
    assignment = _lock(assignment, expected_version)
    _require_staff(actor, assignment)
    _require_status(assignment, S.ACCEPTED, S.IN_PROGRESS)
    if not text.strip():
        raise ValidationError({"text": [_("Describe what was done.")]})
    progress = AssignmentProgress.objects.create(assignment=assignment, text=text.strip(), author=actor)
    if upload is not None:
        store_attachment(
            actor=actor, case=assignment.case, upload=upload, assignment=assignment, description=_("Progress report")
        )
    if assignment.status != S.IN_PROGRESS:
        assignment.status = S.IN_PROGRESS
        _save(assignment, ["status"])
    _record(
        assignment.case,
        actor,
        "assignment_progress",
        assignment.case.state,
        assignment.case.state,
        {"assignment": assignment.pk, "progress": progress.pk},
    )
    return progress


@_audited_refusals
def assignment_close(
    *, actor, assignment: Assignment, is_done: bool, outcome: str, expected_version: int | None = None
) -> Assignment:
    assignment = _lock(assignment, expected_version)
    _require_staff(actor, assignment)
    _require_status(assignment, S.ACCEPTED, S.IN_PROGRESS)
    if not outcome.strip():
        raise ValidationError({"outcome": [_("Describe the outcome.")]})
    assignment.status = S.DONE if is_done else S.NOT_DONE
    assignment.outcome, assignment.closed_at = outcome.strip(), timezone.now()
    _save(assignment, ["status", "outcome", "closed_at"])
    deadline_meet(target=assignment, kind=COMPLETION)
    deadline_cancel(target=assignment)
    _revoke_if_idle(assignment.case, assignment.agency)
    case = assignment.case
    _record(
        case,
        actor,
        "assignment_closed",
        case.state,
        case.state,
        {"assignment": assignment.pk, "status": assignment.status, "agency": assignment.agency.name},
    )
    plan_open = Assignment.objects.filter(measure__plan=assignment.measure.plan, status__in=ACTIVE_ASSIGNMENT_STATUSES)
    if not plan_open.exists():
        _record(case, actor, "plan_implemented", case.state, case.state, {"plan": assignment.measure.plan_id})
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
    assignment = _lock(assignment, expected_version)
    case = assignment.case
    if not roles_covering(actor, case.commune) & {Role.COMMUNE_OFFICER, Role.COORDINATOR}:
        raise PermissionDenied(_("Only the commune officer or a coordinator can reassign."))
    _require_status(assignment, S.DECLINED, *ACTIVE_ASSIGNMENT_STATUSES)
    errors = {}
    if agency is None or not agency.is_active:
        errors["agency"] = [_("Choose the agency responsible.")]
    elif agency.unit is not None and not (agency.unit.contains(case.commune) or case.commune.contains(agency.unit)):
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
        _record(case, actor, "assignment_cancelled", case.state, case.state, {"assignment": assignment.pk})
    return len(open_ones)
