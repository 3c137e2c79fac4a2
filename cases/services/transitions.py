"""The steps of the Decree 56/2017 procedure on one case file (Mẫu 02–06, transfers, reopening).

Each step locks the case, checks the actor's role through the access door and the state against the
workflow table, records its form, moves the case to the action's target state, writes its typed
event and moves or clears the legal deadlines — all in one transaction.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit, Agency, ServiceProvider
from agencies.selectors import providers_serving
from notifications.services import deadline_cancel, deadline_meet

from .. import events, lists
from ..choices import CaseState, ClosureReason, DeadlineKind, PlanStatus, ReviewRecommendation, RiskLevel
from ..models import (
    CaseFile,
    EmergencyMeasure,
    InitialAssessment,
    InterventionPlan,
    PlanMeasure,
    Review,
    SpecificAssessment,
)
from .assignments import assignments_cancel_for_case, assignments_open_for_plan
from .common import deadline_start, intake_deadlines_open, serves, step_begin, step_commit
from .offline import once

RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


def case_assess(
    *,
    actor,
    case: CaseFile,
    severity: str,
    perpetrator_access: str,
    care_environment: str,
    child_capacity: str,
    is_emergency: bool,
    notes: str = "",
    risk_level: str = "",
    expected_version: int | None = None,
    idempotency_key=None,
) -> CaseFile:
    """Mẫu 02. The overall level defaults to the highest of the four criteria.
    IDEMPOTENCY_KEY: chosen by a phone that recorded it offline; a second send with the same key (its first
    answer lost) returns the case file the first send assessed, not a conflict with the version it moved on."""
    assessment = once(
        lambda: _case_assess(
            actor=actor,
            case=case,
            criteria=(severity, perpetrator_access, care_environment, child_capacity),
            is_emergency=is_emergency,
            notes=notes,
            risk_level=risk_level,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
        ),
        model=InitialAssessment,
        key=idempotency_key,
        owner_field="assessed_by",
        actor=actor,
        scope={"case_id": case.pk},
    )
    return assessment.case


@transaction.atomic
def _case_assess(
    *, actor, case: CaseFile, criteria, is_emergency, notes, risk_level, expected_version, idempotency_key
) -> InitialAssessment:
    severity, perpetrator_access, care_environment, child_capacity = criteria
    step = step_begin(actor=actor, case=case, action="assess", expected_version=expected_version)
    case = step.case
    if not all(value in RISK_ORDER for value in criteria):
        raise ValidationError(_("Rate each of the four criteria: high, medium or low."))
    overall = risk_level or max(criteria, key=RISK_ORDER.__getitem__)
    assessment = InitialAssessment.objects.create(
        case=case,
        severity=severity,
        perpetrator_access=perpetrator_access,
        care_environment=care_environment,
        child_capacity=child_capacity,
        risk_level=overall,
        is_emergency=is_emergency,
        notes=notes,
        assessed_by=actor,
        assessed_at=timezone.now(),
        idempotency_key=idempotency_key,
    )
    case.risk_level, case.is_emergency = overall, is_emergency
    if not is_emergency:
        # The 12-hour limit covers deciding and, when there is an emergency, taking the measures: it is met
        # here without one, when the measures are recorded with one.
        deadline_meet(target=case, kind=DeadlineKind.EMERGENCY_DECISION)
    change = step_commit(step, fields=("risk_level", "is_emergency"))
    events.case_assessed_event(case=case, actor=actor, change=change, risk_level=overall, is_emergency=is_emergency)
    return assessment


@transaction.atomic
def case_record_emergency(
    *,
    actor,
    case: CaseFile,
    description: str,
    taken_by: str,
    taken_at: datetime.datetime,
    expected_version: int | None = None,
) -> CaseFile:
    step = step_begin(actor=actor, case=case, action="record_emergency", expected_version=expected_version)
    case = step.case
    if not case.is_emergency:
        raise ValidationError(_("The initial assessment found no emergency; no emergency measure can be recorded."))
    errors = {}
    if not description.strip():
        errors["description"] = [_("Describe the measure taken.")]
    if not taken_by.strip():
        errors["taken_by"] = [_("Say who took the measure.")]
    if taken_at is None or taken_at > timezone.now() + datetime.timedelta(minutes=5):
        errors["taken_at"] = [_("The time the measure was taken cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    measure = EmergencyMeasure.objects.create(
        case=case, description=description, taken_by=taken_by, taken_at=taken_at, recorded_by=actor
    )
    deadline_meet(target=case, kind=DeadlineKind.EMERGENCY_DECISION, at=taken_at)
    change = step_commit(step)
    events.emergency_recorded_event(case=case, actor=actor, change=change, measure_id=measure.pk, taken_by=taken_by)
    return case


@transaction.atomic
def case_investigate(
    *,
    actor,
    case: CaseFile,
    information: str,
    risk_level: str,
    needs: str,
    meeting_at: datetime.datetime,
    participants: str,
    minutes: str,
    expected_version: int | None = None,
) -> CaseFile:
    """Mẫu 03: information collected, specific assessment, needs meeting minutes."""
    step = step_begin(actor=actor, case=case, action="investigate", expected_version=expected_version)
    case = step.case
    if case.is_emergency and step.from_state != CaseState.EMERGENCY_HANDLED:
        raise ValidationError(_("Record the emergency measures first: the initial assessment found an emergency."))
    if meeting_at is not None and meeting_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"meeting_at": [_("The meeting cannot be in the future.")]})
    assessment = SpecificAssessment(
        case=case,
        information=information,
        risk_level=risk_level,
        needs=needs,
        meeting_at=meeting_at,
        participants=participants,
        minutes=minutes,
        assessed_by=actor,
        assessed_at=timezone.now(),
    )
    assessment.full_clean()
    assessment.save()
    case.risk_level = risk_level
    change = step_commit(step, fields=("risk_level",))
    events.case_investigated_event(case=case, actor=actor, change=change, risk_level=risk_level)
    return case


@dataclass
class MeasureInput:
    agency: Agency | None
    service_type: str
    description: str
    due_date: datetime.date | None
    # From the directory of services (optional): who exactly will do it; the description stays the plan's text.
    provider: ServiceProvider | None = None


def _measure_errors(case: CaseFile, measures: list[MeasureInput]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    offered_services = lists.offered_codes("service_type", [province_pk_of(case.commune)])
    if not measures:
        errors["measures"] = [_("Add at least one measure, each with an agency and a due date.")]
    for index, measure in enumerate(measures):
        if measure.agency is None or not measure.agency.is_active:
            errors[f"measures-{index}-agency"] = [_("Choose the agency responsible.")]
        elif not serves(measure.agency, case):
            errors[f"measures-{index}-agency"] = [_("This agency does not serve the child's commune.")]
        if measure.service_type not in offered_services:
            errors[f"measures-{index}-service_type"] = [_("Choose one of the services offered.")]
        if measure.due_date is None or measure.due_date < timezone.localdate():
            errors[f"measures-{index}-due_date"] = [_("The due date must be today or later.")]
        if not measure.description.strip():
            errors[f"measures-{index}-description"] = [_("Say what the agency is asked to do.")]
        if measure.provider is not None and not providers_serving(case.commune).filter(pk=measure.provider.pk).exists():
            errors[f"measures-{index}-provider"] = [_("This service does not serve the child's commune.")]
    return errors


@transaction.atomic
def case_submit_plan(
    *,
    actor,
    case: CaseFile,
    objectives: str,
    measures: list[MeasureInput],
    expected_version: int | None = None,
) -> InterventionPlan:
    """Mẫu 04: the officer drafts the plan and submits it to the chairman."""
    step = step_begin(actor=actor, case=case, action="submit_plan", expected_version=expected_version)
    case = step.case
    errors = _measure_errors(case, measures)
    if not objectives.strip():
        errors["objectives"] = [_("State the objectives of the plan.")]
    if errors:
        raise ValidationError(errors)
    case.plans.filter(status__in=[PlanStatus.SUBMITTED, PlanStatus.RETURNED, PlanStatus.APPROVED]).update(
        status=PlanStatus.SUPERSEDED
    )
    number = (case.plans.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    plan = InterventionPlan.objects.create(
        case=case, number=number, objectives=objectives, drafted_by=actor, submitted_at=timezone.now()
    )
    PlanMeasure.objects.bulk_create(
        [
            PlanMeasure(
                plan=plan,
                agency=m.agency,
                service_type=m.service_type,
                description=m.description,
                due_date=m.due_date,
                provider=m.provider,
            )
            for m in measures
        ]
    )
    deadline_meet(target=case, kind=DeadlineKind.PLAN_SUBMISSION)
    change = step_commit(step)
    events.plan_submitted_event(case=case, actor=actor, change=change, plan=plan)
    return plan


def _plan_awaiting_decision(case: CaseFile) -> InterventionPlan:
    plan = case.plans.select_for_update().current()
    if plan is None or plan.status != PlanStatus.SUBMITTED:
        raise ValidationError(_("No plan is waiting for a decision on this case file."))
    return plan


@transaction.atomic
def case_approve_plan(
    *,
    actor,
    case: CaseFile,
    decision_number: str,
    note: str = "",
    expected_version: int | None = None,
) -> CaseFile:
    """Mẫu 05: the chairman approves the plan by decision; the intervention starts."""
    step = step_begin(actor=actor, case=case, action="approve_plan", expected_version=expected_version)
    case = step.case
    if not decision_number.strip():
        raise ValidationError({"decision_number": [_("Enter the number of the approval decision.")]})
    plan = _plan_awaiting_decision(case)
    plan.status, plan.decided_by, plan.decided_at = PlanStatus.APPROVED, actor, timezone.now()
    plan.decision_number, plan.decision_note = decision_number.strip(), note
    plan.save()
    deadline_meet(target=case, kind=DeadlineKind.PLAN_APPROVAL)
    deadline_start(case, DeadlineKind.REVIEW, timezone.now())
    change = step_commit(step)
    events.plan_approved_event(case=case, actor=actor, change=change, plan=plan)
    assignments_open_for_plan(actor=actor, case=case, plan=plan)
    return case


@transaction.atomic
def case_return_plan(*, actor, case: CaseFile, note: str, expected_version: int | None = None) -> CaseFile:
    step = step_begin(actor=actor, case=case, action="return_plan", expected_version=expected_version)
    case = step.case
    if not note.strip():
        raise ValidationError({"note": [_("Say what must be revised.")]})
    plan = _plan_awaiting_decision(case)
    plan.status, plan.decided_by, plan.decided_at, plan.decision_note = (
        PlanStatus.RETURNED,
        actor,
        timezone.now(),
        note,
    )
    plan.save()
    change = step_commit(step)
    events.plan_returned_event(case=case, actor=actor, change=change, plan=plan, note=note)
    return case


@transaction.atomic
def case_review(
    *,
    actor,
    case: CaseFile,
    findings: str,
    child_is_safe: bool,
    recommendation: str,
    closure_reason: str = "",
    expected_version: int | None = None,
) -> CaseFile:
    """Mẫu 06: continue, re-plan, or propose ending the plan to the chairman."""
    step = step_begin(actor=actor, case=case, action="review", expected_version=expected_version)
    case = step.case
    errors = {}
    if not findings.strip():
        errors["findings"] = [_("Describe the findings of the review.")]
    if recommendation not in ReviewRecommendation.values:
        errors["recommendation"] = [_("Choose a recommendation.")]
    offered_reasons = lists.offered_codes("closure_reason", [province_pk_of(case.commune)])
    if recommendation == ReviewRecommendation.CLOSE and closure_reason not in offered_reasons:
        errors["closure_reason"] = [_("Give the reason for ending the plan.")]
    if (
        recommendation == ReviewRecommendation.CLOSE
        and lists.legal_code("closure_reason", closure_reason) == ClosureReason.SAFE_AND_STABLE
        and (not child_is_safe)
    ):
        errors["child_is_safe"] = [_("The plan can end for this reason only when the child is safe and stable.")]
    if errors:
        raise ValidationError(errors)
    Review.objects.create(
        case=case,
        findings=findings,
        child_is_safe=child_is_safe,
        recommendation=recommendation,
        closure_reason=closure_reason if recommendation == ReviewRecommendation.CLOSE else "",
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    deadline_meet(target=case, kind=DeadlineKind.REVIEW)
    now = timezone.now()
    if recommendation == ReviewRecommendation.CONTINUE:
        deadline_start(case, DeadlineKind.REVIEW, now)
        target = CaseState.IN_INTERVENTION
    elif recommendation == ReviewRecommendation.REPLAN:
        deadline_start(case, DeadlineKind.PLAN_SUBMISSION, now)
        deadline_start(case, DeadlineKind.PLAN_APPROVAL, now)
        target = CaseState.REVIEWED
    else:
        case.closure_reason = closure_reason
        target = CaseState.CLOSURE_PROPOSED
    change = step_commit(step, to_state=target, fields=("closure_reason",))
    events.case_reviewed_event(case=case, actor=actor, change=change, recommendation=recommendation)
    return case


@transaction.atomic
def case_approve_closure(*, actor, case: CaseFile, note: str = "", expected_version: int | None = None) -> CaseFile:
    step = step_begin(actor=actor, case=case, action="approve_closure", expected_version=expected_version)
    case = step.case
    case.closed_at, case.closure_note = timezone.now(), note
    deadline_cancel(target=case)
    assignments_cancel_for_case(actor=actor, case=case)
    change = step_commit(step, fields=("closed_at", "closure_note"))
    events.closure_approved_event(case=case, actor=actor, change=change, closure_reason=case.closure_reason, note=note)
    return case


@transaction.atomic
def case_reject_closure(*, actor, case: CaseFile, note: str, expected_version: int | None = None) -> CaseFile:
    step = step_begin(actor=actor, case=case, action="reject_closure", expected_version=expected_version)
    case = step.case
    if not note.strip():
        raise ValidationError({"note": [_("Say why the plan must go on.")]})
    case.closure_reason = ""
    deadline_start(case, DeadlineKind.REVIEW, timezone.now())
    change = step_commit(step, fields=("closure_reason",))
    events.closure_refused_event(case=case, actor=actor, change=change, note=note)
    return case


@transaction.atomic
def case_transfer(
    *,
    actor,
    case: CaseFile,
    to_commune: AdministrativeUnit | None,
    reason: str,
    expected_version: int | None = None,
) -> CaseFile:
    """Hand the case to the commune where the child now lives; that commune must accept it."""
    step = step_begin(actor=actor, case=case, action="transfer", expected_version=expected_version)
    case = step.case
    errors = {}
    if to_commune is None or to_commune.level != "commune" or not to_commune.is_active:
        errors["to_commune"] = [_("Choose an existing commune, ward or special zone.")]
    elif to_commune.pk == case.commune_id:
        errors["to_commune"] = [_("The case file is already with this commune.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the transfer.")]
    if errors:
        raise ValidationError(errors)
    case.transfer_to, case.state_before_transfer = to_commune, step.from_state
    change = step_commit(step, fields=("transfer_to", "state_before_transfer"))
    events.transfer_requested_event(case=case, actor=actor, change=change, to_commune=to_commune, reason=reason)
    return case


@transaction.atomic
def case_accept_transfer(*, actor, case: CaseFile, expected_version: int | None = None) -> CaseFile:
    step = step_begin(actor=actor, case=case, action="accept_transfer", expected_version=expected_version)
    case = step.case
    previous = case.commune
    case.commune, case.officer, case.transfer_to = case.transfer_to, actor, None
    target, case.state_before_transfer = case.state_before_transfer, ""
    change = step_commit(step, to_state=target, fields=("commune", "officer", "transfer_to", "state_before_transfer"))
    events.transfer_accepted_event(
        case=case, actor=actor, change=change, from_commune=previous, to_commune=case.commune
    )
    return case


@transaction.atomic
def case_decline_transfer(*, actor, case: CaseFile, reason: str, expected_version: int | None = None) -> CaseFile:
    step = step_begin(actor=actor, case=case, action="decline_transfer", expected_version=expected_version)
    case = step.case
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for declining.")]})
    declined_by = case.transfer_to
    target = case.state_before_transfer
    case.transfer_to, case.state_before_transfer = None, ""
    change = step_commit(step, to_state=target, fields=("transfer_to", "state_before_transfer"))
    events.transfer_declined_event(case=case, actor=actor, change=change, declined_by=declined_by, reason=reason)
    return case


@transaction.atomic
def case_mark_not_child_protection(
    *,
    actor,
    case: CaseFile,
    reason: str,
    expected_version: int | None = None,
) -> CaseFile:
    step = step_begin(actor=actor, case=case, action="mark_not_child_protection", expected_version=expected_version)
    case = step.case
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    case.closure_note = reason
    deadline_cancel(target=case)
    change = step_commit(step, fields=("closure_note",))
    events.not_child_protection_event(case=case, actor=actor, change=change, reason=reason)
    return case


@transaction.atomic
def case_reopen(*, actor, case: CaseFile, reason: str, expected_version: int | None = None) -> CaseFile:
    """New information on a closed file: the procedure starts again, with fresh deadlines."""
    step = step_begin(actor=actor, case=case, action="reopen", expected_version=expected_version)
    case = step.case
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for reopening.")]})
    case.closed_at, case.closure_reason, case.is_emergency, case.officer = None, "", None, actor
    intake_deadlines_open(case, timezone.now())
    change = step_commit(step, fields=("closed_at", "closure_reason", "is_emergency", "officer"))
    events.case_reopened_event(case=case, actor=actor, change=change, reason=reason)
    return case
