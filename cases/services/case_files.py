"""Every write to children, reports and case files. Each transition checks the state and the actor's
role, records an event in the same transaction, and moves or clears the legal deadlines."""

import datetime
import hashlib
import re
from dataclasses import dataclass, field

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit, Agency
from config import files, names
from notifications.services import deadline_cancel, deadline_meet, deadline_set, deadlines_open

from .. import access, audit, name_search
from ..choices import (
    AbuseForm,
    CaseState,
    ClosureReason,
    DeadlineKind,
    PlanStatus,
    ReviewRecommendation,
    RiskLevel,
)
from ..deadlines import due_at, rules_for
from ..models import (
    Attachment,
    Caregiver,
    CaseEvent,
    CaseFile,
    Child,
    ChildCircumstance,
    EmergencyMeasure,
    InitialAssessment,
    InterventionPlan,
    Note,
    PlanMeasure,
    Report,
    ReportAbuseForm,
    Review,
    SpecificAssessment,
)
from ..text import fold

CHILD_AGE_LIMIT = 16
PERSONAL_ID = re.compile(r"^\d{12}$")
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
}
RISK_ORDER = {RiskLevel.LOW: 0, RiskLevel.MEDIUM: 1, RiskLevel.HIGH: 2}


class CaseConflict(Exception):
    """The case file changed since the user loaded it: their change is refused, nothing is overwritten."""

    def __init__(self):
        super().__init__(
            _("Someone else changed this case file while you were working on it. Reload the page to see their change.")
        )


# ---------------------------------------------------------------------------------------------- children


@dataclass
class CaregiverInput:
    full_name: str
    relation: str
    phone: str = ""
    is_legal_representative: bool = False
    is_alleged_perpetrator: bool = False


@dataclass
class ChildInput:
    """A child named in a report: an existing child (existing_id) or a new one."""

    existing_id: int | None = None
    full_name: str = ""
    birth_date: datetime.date | None = None
    birth_year_only: bool = False
    sex: str = "unknown"
    ethnicity: str = ""
    personal_id: str = ""
    residence_commune: AdministrativeUnit | None = None
    residence_hamlet: AdministrativeUnit | None = None
    address: str = ""
    school: str = ""
    disability: str = ""
    circumstances: list[str] = field(default_factory=list)
    caregivers: list[CaregiverInput] = field(default_factory=list)


def _validate_child(data: ChildInput, *, on_date: datetime.date, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not data.full_name.strip():
        errors[f"{prefix}full_name"] = [_("Enter the child's full name.")]
    if data.birth_date is None:
        errors[f"{prefix}birth_date"] = [_("Enter the date of birth (or the year, if only the year is known).")]
    elif data.birth_date > today:
        errors[f"{prefix}birth_date"] = [_("The date of birth cannot be in the future.")]
    elif _age_on(data.birth_date, on_date) >= CHILD_AGE_LIMIT:
        errors[f"{prefix}birth_date"] = [
            _(
                "A child is a person under 16 (Law on Children, Art. 1); "
                "this person was %(age)s on the date of the report."
            )
            % {"age": _age_on(data.birth_date, on_date)}
        ]
    if data.personal_id and not PERSONAL_ID.match(data.personal_id):
        errors[f"{prefix}personal_id"] = [_("The personal identification number has exactly 12 digits.")]
    if data.residence_commune is None or data.residence_commune.level != "commune":
        errors[f"{prefix}residence_commune"] = [_("Choose the commune where the child lives.")]
    elif data.residence_hamlet is not None and data.residence_hamlet.parent_id != data.residence_commune.pk:
        errors[f"{prefix}residence_hamlet"] = [_("This hamlet is not in the chosen commune.")]
    return errors


def _age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _child_create(*, actor, data: ChildInput) -> Child:
    child = Child(
        full_name=names.normalise_name(data.full_name),
        birth_date=data.birth_date,
        birth_year_only=data.birth_year_only,
        sex=data.sex,
        ethnicity=data.ethnicity,
        personal_id=data.personal_id,
        residence_commune=data.residence_commune,
        residence_hamlet=data.residence_hamlet,
        address=data.address,
        school=data.school,
        disability=data.disability,
        created_by=actor,
    )
    child.name_key = fold(child.full_name)
    # The commune and hamlet were checked against the user's jurisdiction; the actor is the user.
    child.full_clean(exclude=["created_by", "residence_commune", "residence_hamlet"])
    child.save()
    name_search.remember(child.name_key)
    audit.record("create", "child", child.pk, actor=actor)
    for group in dict.fromkeys(data.circumstances):
        ChildCircumstance.objects.create(child=child, group=group, since=timezone.localdate())
    for caregiver in data.caregivers:
        Caregiver(child=child, **caregiver.__dict__).save()
    return child


# ---------------------------------------------------------------------------------------------- intake


@dataclass
class ReportInput:
    received_at: datetime.datetime
    receiving_point: str
    commune: AdministrativeUnit | None
    source: str
    setting: str
    narrative: str
    abuse_forms: list[str]
    reporter_is_anonymous: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_relation: str = ""
    place_of_occurrence: str = ""
    occurred_on: datetime.date | None = None
    perpetrator_relation: str = ""
    perpetrator_age_group: str = ""
    external_reference: str = ""


@transaction.atomic
def report_receive(*, actor, report: ReportInput, children: list[ChildInput]) -> Report:
    """Record a report (Mẫu 01): one case file per child, with the legal deadlines registered."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    if report.received_at is None:
        errors["received_at"] = [_("Enter when the report was received.")]
    elif report.received_at > now + datetime.timedelta(minutes=5):
        errors["received_at"] = [_("The time of receipt cannot be in the future.")]
    if report.occurred_on and report.occurred_on > timezone.localdate():
        errors["occurred_on"] = [_("The date of occurrence cannot be in the future.")]
    if report.commune is None or report.commune.level != "commune" or not report.commune.is_active:
        errors["commune"] = [_("Choose an existing commune, ward or special zone.")]
    elif not access.can_receive_reports_for(actor, report.commune):
        errors["commune"] = [_("You cannot record reports for this commune.")]
    if not report.abuse_forms:
        errors["abuse_forms"] = [_("Choose at least one form of abuse.")]
    elif unknown := set(report.abuse_forms) - set(AbuseForm.values):
        errors["abuse_forms"] = [_("Unknown form of abuse: %(codes)s") % {"codes": ", ".join(sorted(unknown))}]
    if not report.narrative.strip():
        errors["narrative"] = [_("Describe what happened.")]
    if not report.reporter_is_anonymous and not report.reporter_name.strip():
        errors["reporter_name"] = [_("Enter the reporter's name, or mark the reporter as anonymous.")]
    if not children:
        errors["children"] = [_("Add at least one child.")]

    received_on = timezone.localdate(report.received_at) if report.received_at else timezone.localdate()
    resolved: list[Child | ChildInput] = []
    for index, data in enumerate(children):
        if data.existing_id:
            child = access.children_visible_to(actor).filter(pk=data.existing_id).first()
            if child is None:
                errors[f"children-{index}-existing_id"] = [_("This child is not in your area.")]
            elif _age_on(child.birth_date, received_on) >= CHILD_AGE_LIMIT:
                errors[f"children-{index}-existing_id"] = [_("This person was 16 or older on the date of the report.")]
            else:
                resolved.append(child)
            continue
        errors.update(_validate_child(data, on_date=received_on, prefix=f"children-{index}-"))
        if data.personal_id and Child.objects.filter(personal_id=data.personal_id).exists():
            errors[f"children-{index}-personal_id"] = [
                _("A child with this personal identification number is already registered: choose them instead.")
            ]
        resolved.append(data)
    if errors:
        raise ValidationError(errors)

    record = Report(
        received_by=actor,
        **{name: value for name, value in report.__dict__.items() if name != "abuse_forms"},
    )
    record.full_clean(exclude=["received_by", "commune"])  # both checked above
    record.save()
    ReportAbuseForm.objects.bulk_create(
        [ReportAbuseForm(report=record, form=form) for form in dict.fromkeys(report.abuse_forms)]
    )
    rules = rules_for(record.commune)
    opened = []
    for item in resolved:
        child = item if isinstance(item, Child) else _child_create(actor=actor, data=item)
        case = CaseFile.objects.create(
            report=record, child=child, commune=record.commune, officer=actor, opened_at=record.received_at
        )
        case.reference = f"HS-{record.received_at:%Y}-{case.pk:06d}"
        case.save(update_fields=["reference"])
        _record(case, actor, "received", "", CaseState.RECEIVED, {"report": record.pk, "child": child.pk})
        _open_intake_deadlines(case, record.received_at, rules)
        opened.append(case)
    _announce_new_report(record, opened, actor)
    return record


def _announce_new_report(record: Report, cases: list[CaseFile], actor) -> None:
    """Tell the commune's child-protection officers at once: the 12-hour clock has started.
    No child's name: the message may travel by email or an SMS gateway."""
    from django.urls import reverse
    from django.utils import translation

    from agencies.models import StaffMembership
    from notifications.services import NotificationDraft, notify_many

    officers = {
        membership.user
        for membership in StaffMembership.objects.filter(
            role="commune_officer", unit=record.commune, is_active=True, user__is_active=True
        ).select_related("user")
        if membership.user.pk != actor.pk
    }
    drafts = []
    with translation.override("vi"):
        for case in cases:
            values = {"reference": case.reference, "commune": record.commune.name}
            for officer in officers:
                drafts.append(
                    NotificationDraft(
                        user=officer,
                        title=_("[%(reference)s] New report received – %(commune)s") % values,
                        body=_(
                            "A new case file was opened from a report. "
                            "Assess the risk: emergency measures within 12 hours."
                        ),
                        url=reverse("cases:detail", args=[case.pk]),
                        is_urgent=True,
                        province_id=province_pk_of(record.commune),
                    )
                )
    notify_many(drafts)


def _open_intake_deadlines(case: CaseFile, start: datetime.datetime, rules) -> None:
    kinds = (DeadlineKind.EMERGENCY_DECISION, DeadlineKind.PLAN_SUBMISSION, DeadlineKind.PLAN_APPROVAL)
    deadlines_open(
        target=case,
        deadlines=[(kind, start, due_at(start, *rules[kind])) for kind in kinds],
        province=AdministrativeUnit(pk=province_pk_of(case.commune)),
    )


def _deadline(case: CaseFile, kind: str, start: datetime.datetime, rules=None) -> None:
    amount, unit = (rules or rules_for(case.commune))[kind]
    deadline_set(
        target=case,
        kind=kind,
        starts_at=start,
        due_at=due_at(start, amount, unit),
        province=AdministrativeUnit(pk=province_pk_of(case.commune)),
    )


# ---------------------------------------------------------------------------------------------- transitions


def _record(case: CaseFile, actor, kind: str, from_state: str, to_state: str, data: dict | None = None) -> CaseEvent:
    """The case's timeline event and its audit row, in the caller's transaction."""
    data = data or {}
    event = CaseEvent.objects.create(
        case=case, actor=actor, kind=kind, from_state=from_state, to_state=to_state, data=data, at=timezone.now()
    )
    audit.record(
        "create" if kind == "received" else "change",
        "case",
        case.pk,
        case=case,
        fields={"event": kind, **data.get("changes", {})} if "changes" in data else {"event": kind, **data},
        actor=actor,
    )
    return event


def _begin(*, actor, case: CaseFile, action: str, expected_version: int | None) -> tuple[CaseFile, str]:
    """Lock the case, check role, state and version; returns the fresh row and its state before."""
    locked = CaseFile.objects.select_for_update(of=("self",)).select_related("commune", "transfer_to").get(pk=case.pk)
    spec = access.require_action(actor, locked, action)
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict
    if locked.state not in spec.sources:
        raise ValidationError(
            _("This step is not possible now: the case file is “%(state)s”.") % {"state": locked.get_state_display()}
        )
    locked._tracked_before = _tracked(locked)
    return locked, locked.state


# Case fields whose before/after values every timeline event records.
TRACKED_FIELDS = (
    "state",
    "risk_level",
    "is_emergency",
    "commune_id",
    "officer_id",
    "transfer_to_id",
    "closure_reason",
    "closed_at",
)


def _tracked(case: CaseFile) -> dict:
    return {name: getattr(case, name) for name in TRACKED_FIELDS}


def _json_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _move(case: CaseFile, actor, action: str, from_state: str, to_state: str, data=None, fields=()) -> CaseFile:
    case.state = to_state
    case.version = F("version") + 1
    case.save(update_fields=["state", "version", "updated_at", *fields])
    case.refresh_from_db(fields=["version"])
    before, after = getattr(case, "_tracked_before", {}), _tracked(case)
    changes = {
        name: [_json_value(before[name]), _json_value(after[name])]
        for name in TRACKED_FIELDS
        if name in before and before[name] != after[name]
    }
    _record(case, actor, action, from_state, to_state, {**(data or {}), "changes": changes})
    return case


@transaction.atomic
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
) -> CaseFile:
    """Mẫu 02. The overall level defaults to the highest of the four criteria."""
    case, before = _begin(actor=actor, case=case, action="assess", expected_version=expected_version)
    criteria = [severity, perpetrator_access, care_environment, child_capacity]
    if not all(value in RISK_ORDER for value in criteria):
        raise ValidationError(_("Rate each of the four criteria: high, medium or low."))
    overall = risk_level or max(criteria, key=RISK_ORDER.__getitem__)
    InitialAssessment.objects.create(
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
    )
    case.risk_level, case.is_emergency = overall, is_emergency
    deadline_meet(target=case, kind=DeadlineKind.EMERGENCY_DECISION)
    return _move(
        case,
        actor,
        "assess",
        before,
        CaseState.ASSESSED,
        {"risk_level": overall, "is_emergency": is_emergency},
        ("risk_level", "is_emergency"),
    )


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
    case, before = _begin(actor=actor, case=case, action="record_emergency", expected_version=expected_version)
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
    return _move(
        case,
        actor,
        "record_emergency",
        before,
        CaseState.EMERGENCY_HANDLED,
        {"measure": measure.pk, "taken_by": taken_by},
    )


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
    case, before = _begin(actor=actor, case=case, action="investigate", expected_version=expected_version)
    if case.is_emergency and before != CaseState.EMERGENCY_HANDLED:
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
    return _move(
        case, actor, "investigate", before, CaseState.INVESTIGATED, {"risk_level": risk_level}, ("risk_level",)
    )


@dataclass
class MeasureInput:
    agency: Agency | None
    service_type: str
    description: str
    due_date: datetime.date | None


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
    case, before = _begin(actor=actor, case=case, action="submit_plan", expected_version=expected_version)
    errors: dict[str, list[str]] = {}
    if not objectives.strip():
        errors["objectives"] = [_("State the objectives of the plan.")]
    if not measures:
        errors["measures"] = [_("Add at least one measure, each with an agency and a due date.")]
    for index, measure in enumerate(measures):
        if measure.agency is None or not measure.agency.is_active:
            errors[f"measures-{index}-agency"] = [_("Choose the agency responsible.")]
        elif measure.agency.unit is not None and not (
            measure.agency.unit.contains(case.commune) or case.commune.contains(measure.agency.unit)
        ):
            errors[f"measures-{index}-agency"] = [_("This agency does not serve the child's commune.")]
        if measure.due_date is None or measure.due_date < timezone.localdate():
            errors[f"measures-{index}-due_date"] = [_("The due date must be today or later.")]
        if not measure.description.strip():
            errors[f"measures-{index}-description"] = [_("Say what the agency is asked to do.")]
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
                plan=plan, agency=m.agency, service_type=m.service_type, description=m.description, due_date=m.due_date
            )
            for m in measures
        ]
    )
    deadline_meet(target=case, kind=DeadlineKind.PLAN_SUBMISSION)
    _move(case, actor, "submit_plan", before, CaseState.PLAN_SUBMITTED, {"plan": plan.pk, "number": number})
    return plan


def _current_plan(case: CaseFile) -> InterventionPlan:
    return case.plans.select_for_update().get(status=PlanStatus.SUBMITTED)


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
    case, before = _begin(actor=actor, case=case, action="approve_plan", expected_version=expected_version)
    if not decision_number.strip():
        raise ValidationError({"decision_number": [_("Enter the number of the approval decision.")]})
    plan = _current_plan(case)
    plan.status, plan.decided_by, plan.decided_at = PlanStatus.APPROVED, actor, timezone.now()
    plan.decision_number, plan.decision_note = decision_number.strip(), note
    plan.save()
    deadline_meet(target=case, kind=DeadlineKind.PLAN_APPROVAL)
    _deadline(case, DeadlineKind.REVIEW, timezone.now())
    from .assignments import assignments_open_for_plan

    assignments_open_for_plan(actor=actor, case=case, plan=plan)
    return _move(
        case,
        actor,
        "approve_plan",
        before,
        CaseState.IN_INTERVENTION,
        {"plan": plan.pk, "decision_number": plan.decision_number},
    )


@transaction.atomic
def case_return_plan(*, actor, case: CaseFile, note: str, expected_version: int | None = None) -> CaseFile:
    case, before = _begin(actor=actor, case=case, action="return_plan", expected_version=expected_version)
    if not note.strip():
        raise ValidationError({"note": [_("Say what must be revised.")]})
    plan = _current_plan(case)
    plan.status, plan.decided_by, plan.decided_at, plan.decision_note = (
        PlanStatus.RETURNED,
        actor,
        timezone.now(),
        note,
    )
    plan.save()
    return _move(case, actor, "return_plan", before, CaseState.PLAN_RETURNED, {"plan": plan.pk, "note": note})


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
    case, before = _begin(actor=actor, case=case, action="review", expected_version=expected_version)
    errors = {}
    if not findings.strip():
        errors["findings"] = [_("Describe the findings of the review.")]
    if recommendation not in ReviewRecommendation.values:
        errors["recommendation"] = [_("Choose a recommendation.")]
    if recommendation == ReviewRecommendation.CLOSE and closure_reason not in ClosureReason.values:
        errors["closure_reason"] = [_("Give the reason for ending the plan.")]
    if (
        recommendation == ReviewRecommendation.CLOSE
        and closure_reason == ClosureReason.SAFE_AND_STABLE
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
        _deadline(case, DeadlineKind.REVIEW, now)
        target = CaseState.IN_INTERVENTION
    elif recommendation == ReviewRecommendation.REPLAN:
        _deadline(case, DeadlineKind.PLAN_SUBMISSION, now)
        _deadline(case, DeadlineKind.PLAN_APPROVAL, now)
        target = CaseState.REVIEWED
    else:
        case.closure_reason = closure_reason
        target = CaseState.CLOSURE_PROPOSED
    return _move(case, actor, "review", before, target, {"recommendation": recommendation}, ("closure_reason",))


@transaction.atomic
def case_approve_closure(*, actor, case: CaseFile, note: str = "", expected_version: int | None = None) -> CaseFile:
    case, before = _begin(actor=actor, case=case, action="approve_closure", expected_version=expected_version)
    case.closed_at, case.closure_note = timezone.now(), note
    deadline_cancel(target=case)
    from .assignments import assignments_cancel_for_case

    assignments_cancel_for_case(actor=actor, case=case)
    return _move(
        case,
        actor,
        "approve_closure",
        before,
        CaseState.CLOSED,
        {"closure_reason": case.closure_reason, "note": note},
        ("closed_at", "closure_note"),
    )


@transaction.atomic
def case_reject_closure(*, actor, case: CaseFile, note: str, expected_version: int | None = None) -> CaseFile:
    case, before = _begin(actor=actor, case=case, action="reject_closure", expected_version=expected_version)
    if not note.strip():
        raise ValidationError({"note": [_("Say why the plan must go on.")]})
    case.closure_reason = ""
    _deadline(case, DeadlineKind.REVIEW, timezone.now())
    return _move(case, actor, "reject_closure", before, CaseState.IN_INTERVENTION, {"note": note}, ("closure_reason",))


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
    case, before = _begin(actor=actor, case=case, action="transfer", expected_version=expected_version)
    errors = {}
    if to_commune is None or to_commune.level != "commune" or not to_commune.is_active:
        errors["to_commune"] = [_("Choose an existing commune, ward or special zone.")]
    elif to_commune.pk == case.commune_id:
        errors["to_commune"] = [_("The case file is already with this commune.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the transfer.")]
    if errors:
        raise ValidationError(errors)
    case.transfer_to, case.state_before_transfer = to_commune, before
    return _move(
        case,
        actor,
        "transfer",
        before,
        CaseState.TRANSFER_PENDING,
        {"to_commune": to_commune.code, "reason": reason},
        ("transfer_to", "state_before_transfer"),
    )


@transaction.atomic
def case_accept_transfer(*, actor, case: CaseFile, expected_version: int | None = None) -> CaseFile:
    case, before = _begin(actor=actor, case=case, action="accept_transfer", expected_version=expected_version)
    previous = case.commune
    case.commune, case.officer, case.transfer_to = case.transfer_to, actor, None
    target, case.state_before_transfer = case.state_before_transfer, ""
    return _move(
        case,
        actor,
        "accept_transfer",
        before,
        target,
        {"from_commune": previous.code, "to_commune": case.commune.code},
        ("commune", "officer", "transfer_to", "state_before_transfer"),
    )


@transaction.atomic
def case_decline_transfer(*, actor, case: CaseFile, reason: str, expected_version: int | None = None) -> CaseFile:
    case, before = _begin(actor=actor, case=case, action="decline_transfer", expected_version=expected_version)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for declining.")]})
    declined_by = case.transfer_to
    target = case.state_before_transfer
    case.transfer_to, case.state_before_transfer = None, ""
    return _move(
        case,
        actor,
        "decline_transfer",
        before,
        target,
        {"declined_by": declined_by.code, "reason": reason},
        ("transfer_to", "state_before_transfer"),
    )


@transaction.atomic
def case_mark_not_child_protection(
    *,
    actor,
    case: CaseFile,
    reason: str,
    expected_version: int | None = None,
) -> CaseFile:
    case, before = _begin(actor=actor, case=case, action="mark_not_child_protection", expected_version=expected_version)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    case.closure_note = reason
    deadline_cancel(target=case)
    return _move(
        case,
        actor,
        "mark_not_child_protection",
        before,
        CaseState.NOT_CHILD_PROTECTION,
        {"reason": reason},
        ("closure_note",),
    )


@transaction.atomic
def case_reopen(*, actor, case: CaseFile, reason: str, expected_version: int | None = None) -> CaseFile:
    """New information on a closed file: the procedure starts again, with fresh deadlines."""
    case, before = _begin(actor=actor, case=case, action="reopen", expected_version=expected_version)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for reopening.")]})
    now = timezone.now()
    case.closed_at, case.closure_reason, case.is_emergency, case.officer = None, "", None, actor
    _open_intake_deadlines(case, now, rules_for(case.commune))
    return _move(
        case,
        actor,
        "reopen",
        before,
        CaseState.RECEIVED,
        {"reason": reason},
        ("closed_at", "closure_reason", "is_emergency", "officer"),
    )


# ---------------------------------------------------------------------------------------------- notes, files


def _require_edit(actor, case: CaseFile) -> None:
    if not access.can_edit(actor, case):
        raise access.PermissionDenied(_("Your role does not allow changes to this case file."))


@transaction.atomic
def note_add(*, actor, case: CaseFile, text: str) -> Note:
    _require_edit(actor, case)
    if not text.strip():
        raise ValidationError({"text": [_("The note is empty.")]})
    note = Note.objects.create(case=case, text=text, author=actor)
    _record(case, actor, "note", case.state, case.state, {"note": note.pk})
    return note


def sniff_file_type(head: bytes) -> str | None:
    """The MIME type read from the file's own bytes; the name and the browser's claim are ignored."""
    kind = filetype.guess(head)
    return kind.mime if kind else None


def store_attachment(*, actor, case: CaseFile, upload, description: str = "", assignment=None) -> Attachment:
    """Check an upload by its content and size, and store it under a random name."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(limit)s MB.") % {"limit": MAX_ATTACHMENT_BYTES // (1024 * 1024)}]}
        )
    content = upload.read()
    mime = sniff_file_type(content[:8192])
    if mime not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            {
                "file": [
                    _("This kind of file is not accepted (its content is not a PDF, an image or an office document).")
                ]
            }
        )
    try:
        content = files.strip_metadata(content, mime)
    except files.DamagedImage as error:
        raise ValidationError({"file": [_("The image is damaged and cannot be read.")]}) from error
    attachment = Attachment(
        case=case,
        assignment=assignment,
        original_name=upload.name[:255],
        content_type=mime,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        description=description,
        uploaded_by=actor,
    )
    # A random name on disk, encrypted content: the user's file name is kept only in the database.
    attachment.file.save(
        get_random_string(32) + files.ENCRYPTED_SUFFIX, ContentFile(files.encrypt(content)), save=False
    )
    attachment.save()
    audit.record("create", "attachment", attachment.pk, case=case, fields={"sha256": attachment.sha256}, actor=actor)
    return attachment


@transaction.atomic
def attachment_add(*, actor, case: CaseFile, upload, description: str = "") -> Attachment:
    _require_edit(actor, case)
    attachment = store_attachment(actor=actor, case=case, upload=upload, description=description)
    _record(
        case, actor, "attachment", case.state, case.state, {"attachment": attachment.pk, "sha256": attachment.sha256}
    )
    return attachment


RESTRICT_ROLES = {"commune_officer", "coordinator"}


@transaction.atomic
def case_restrict(
    *, actor, case: CaseFile, named_users: list, reason: str, expected_version: int | None = None
) -> CaseFile:
    """Limit a sensitive case file (e.g. the alleged perpetrator is staff or a relative of staff) to
    named users. The person restricting it stays named; everyone else, whatever their role, loses sight."""
    from guardian.shortcuts import assign_perm

    from agencies.access import roles_covering

    locked = CaseFile.objects.select_for_update(of=("self",)).select_related("commune").get(pk=case.pk)
    if not roles_covering(actor, locked.commune) & RESTRICT_ROLES:
        raise access.PermissionDenied(_("Only the commune officer or a coordinator can restrict a case file."))
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for restricting the case file.")]})
    names = {user.pk: user for user in [actor, *named_users]}
    for user in names.values():
        assign_perm("cases.view_casefile", user, locked)
    locked.is_restricted = True
    return _move(
        locked,
        actor,
        "restrict",
        locked.state,
        locked.state,
        {"named": sorted(user.get_username() for user in names.values()), "reason": reason.strip()},
        ("is_restricted",),
    )


@transaction.atomic
def case_unrestrict(*, actor, case: CaseFile, reason: str, expected_version: int | None = None) -> CaseFile:
    """Lift a restriction (the reason for it is gone): the case file is seen by role and area again."""
    from agencies.access import roles_covering

    from ..models import CaseFileUserObjectPermission

    locked = CaseFile.objects.select_for_update(of=("self",)).select_related("commune").get(pk=case.pk)
    if not roles_covering(actor, locked.commune) & RESTRICT_ROLES:
        raise access.PermissionDenied(_("Only the commune officer or a coordinator can restrict a case file."))
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict
    if not locked.is_restricted:
        raise ValidationError(_("This case file is not restricted."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for lifting the restriction.")]})
    named = sorted(
        CaseFileUserObjectPermission.objects.filter(content_object=locked).values_list("user__username", flat=True)
    )
    CaseFileUserObjectPermission.objects.filter(content_object=locked).delete()
    locked.is_restricted = False
    return _move(
        locked,
        actor,
        "unrestrict",
        locked.state,
        locked.state,
        {"previously_named": named, "reason": reason.strip()},
        ("is_restricted",),
    )
