"""Duties of the Law on Personal Data Protection 2025 on a case file: the lawful basis, consents
before disclosing outside the statutory chain, data-subject requests answered within 2 working days,
and retention (closed case files pseudonymised after a number of years, statistics kept intact)."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import province_pk_of, roles_covering
from agencies.models import AdministrativeUnit
from notifications.calendar import add_working_days
from notifications.services import deadline_meet, deadline_set

from .. import audit
from ..choices import CaseState
from ..models import (
    Assignment,
    AssignmentProgress,
    Attachment,
    Caregiver,
    CaseFile,
    Child,
    Consent,
    ConsentGiver,
    DataSubjectRequest,
    Disclosure,
    EmergencyMeasure,
    InitialAssessment,
    InterventionPlan,
    LawfulBasis,
    Note,
    PlanMeasure,
    Report,
    RequestKind,
    RequestStatus,
    Review,
    SpecificAssessment,
)
from ..text import fold as name_key
from .case_files import CaseConflict, _move, _record

PRIVACY_ROLES = frozenset({"commune_officer", "coordinator"})
REQUEST_DEADLINE = "data_subject_request"
REQUEST_WORKING_DAYS = 2
CHILD_CONSENT_AGE = 7


def can_manage(user, case: CaseFile) -> bool:
    return bool(roles_covering(user, case.commune) & PRIVACY_ROLES)


def _require(user, case: CaseFile) -> None:
    if not can_manage(user, case):
        raise PermissionDenied(_("Only the commune officer or a coordinator handles personal-data duties."))


def _lock(case: CaseFile, expected_version: int | None) -> CaseFile:
    locked = CaseFile.objects.select_for_update(of=("self",)).select_related("commune", "child").get(pk=case.pk)
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict
    return locked


def _note(case: CaseFile, actor, kind: str, data: dict, fields=()) -> None:
    """A new version of the case file (concurrent edits are detected) and its timeline event."""
    _move(case, actor, kind, case.state, case.state, data, fields)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@transaction.atomic
def lawful_basis_set(*, actor, case: CaseFile, basis: str, note: str = "", expected_version=None) -> CaseFile:
    _require(actor, case)
    locked = _lock(case, expected_version)
    if basis not in LawfulBasis.values:
        raise ValidationError({"lawful_basis": [_("Choose a lawful basis from the list.")]})
    if basis != LawfulBasis.LEGAL_DUTY and not note.strip():
        raise ValidationError({"lawful_basis_note": [_("Say what this basis rests on (decision, request number…).")]})
    before = locked.lawful_basis
    locked.lawful_basis, locked.lawful_basis_note = basis, note.strip()
    _note(locked, actor, "lawful_basis", {"from": before, "to": basis}, ("lawful_basis", "lawful_basis_note"))
    return locked


@transaction.atomic
def consent_record(
    *,
    actor,
    case: CaseFile,
    giver: str,
    recipient: str,
    purpose: str,
    given_on: datetime.date,
    evidence: str,
    representative=None,
) -> Consent:
    """Record a consent; refuse one the law cannot rest on (see the messages)."""
    _require(actor, case)
    locked = _lock(case, None)
    errors = {}
    if giver == ConsentGiver.CHILD:
        if age_on(locked.child.birth_date, given_on) < CHILD_CONSENT_AGE:
            errors["giver"] = [_("The child is under 7 on that date: only the legal representative consents.")]
        representative = None
    elif giver == ConsentGiver.REPRESENTATIVE:
        if representative is None or representative.child_id != locked.child_id:
            errors["representative"] = [_("Choose the child's legal representative.")]
        elif not representative.is_legal_representative:
            errors["representative"] = [_("This person is not recorded as the child's legal representative.")]
        elif representative.is_alleged_perpetrator:
            errors["representative"] = [
                _(
                    "This representative is the alleged perpetrator: their consent cannot be relied on. Ask the "
                    "other legal representative or the competent authority."
                )
            ]
    else:
        errors["giver"] = [_("Say who gives the consent.")]
    if given_on > timezone.localdate():
        errors["given_on"] = [_("The date cannot be in the future.")]
    for field, value in (("recipient", recipient), ("purpose", purpose), ("evidence", evidence)):
        if not value.strip():
            errors[field] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    consent = Consent.objects.create(
        case=locked,
        giver=giver,
        representative=representative,
        recipient=recipient.strip(),
        purpose=purpose.strip(),
        given_on=given_on,
        evidence=evidence.strip(),
        recorded_by=actor,
    )
    _note(locked, actor, "consent", {"consent": consent.pk, "giver": giver})
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, on: datetime.date | None = None) -> Consent:
    _require(actor, consent.case)
    locked = _lock(consent.case, None)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    consent.withdrawn_on = on or timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    _note(locked, actor, "consent_withdrawn", {"consent": consent.pk})
    return consent


@transaction.atomic
def disclosure_record(
    *, actor, case: CaseFile, recipient: str, purpose: str, disclosed_on: datetime.date, consents: list
) -> Disclosure:
    """A disclosure beyond the statutory chain needs valid consents on that day: the legal
    representative's (never the alleged perpetrator's), and the child's own from age 7."""
    _require(actor, case)
    locked = _lock(case, None)
    # Read again from the database: a consent withdrawn meanwhile must not carry the disclosure.
    fresh = Consent.objects.filter(pk__in=[consent.pk for consent in consents], case=locked)
    valid = [
        consent
        for consent in fresh
        if consent.given_on <= disclosed_on and (consent.withdrawn_on is None or consent.withdrawn_on > disclosed_on)
    ]
    errors = []
    if not any(c.giver == ConsentGiver.REPRESENTATIVE for c in valid):
        errors.append(_("A valid consent of the legal representative is needed for this disclosure."))
    if age_on(locked.child.birth_date, disclosed_on) >= CHILD_CONSENT_AGE and not any(
        c.giver == ConsentGiver.CHILD for c in valid
    ):
        errors.append(_("The child is 7 or older: the child's own consent is needed too."))
    if not recipient.strip() or not purpose.strip():
        errors.append(_("Say to whom and why the information is disclosed."))
    if errors:
        raise ValidationError(errors)
    disclosure = Disclosure.objects.create(
        case=locked, recipient=recipient.strip(), purpose=purpose.strip(), disclosed_on=disclosed_on, recorded_by=actor
    )
    disclosure.consents.set(valid)
    _note(locked, actor, "disclosed", {"disclosure": disclosure.pk, "recipient": recipient})
    return disclosure


@transaction.atomic
def request_record(
    *,
    actor,
    case: CaseFile,
    kind: str,
    requester_name: str,
    requester_relation: str,
    details: str = "",
    received_at: datetime.datetime | None = None,
) -> DataSubjectRequest:
    """Register a data-subject request; its answer falls due 2 working days later and escalates."""
    _require(actor, case)
    locked = _lock(case, None)
    received_at = received_at or timezone.now()
    errors = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("Choose the kind of request.")]
    if not requester_name.strip():
        errors["requester_name"] = [_("This field is required.")]
    if not requester_relation.strip():
        errors["requester_relation"] = [_("This field is required.")]
    if received_at > timezone.now():
        errors["received_at"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    due_at = add_working_days(received_at, REQUEST_WORKING_DAYS)
    request = DataSubjectRequest.objects.create(
        case=locked,
        kind=kind,
        requester_name=requester_name.strip(),
        requester_relation=requester_relation.strip(),
        details=details.strip(),
        received_at=received_at,
        due_at=due_at,
        recorded_by=actor,
    )
    deadline_set(
        target=request,
        kind=REQUEST_DEADLINE,
        starts_at=received_at,
        due_at=due_at,
        province=AdministrativeUnit(pk=province_pk_of(locked.commune)),  # from the path, no query
    )
    _record(locked, actor, "data_request", locked.state, locked.state, {"request": request.pk, "kind": kind})
    return request


@transaction.atomic
def request_answer(
    *, actor, request: DataSubjectRequest, status: str, answer: str, expected_version: int | None = None
) -> DataSubjectRequest:
    _require(actor, request.case)
    locked = DataSubjectRequest.objects.select_for_update().select_related("case").get(pk=request.pk)
    if expected_version is not None and locked.version != expected_version:
        raise CaseConflict
    if locked.status != RequestStatus.OPEN:
        raise ValidationError(_("This request has already been answered."))
    errors = {}
    if status not in (RequestStatus.ANSWERED, RequestStatus.REFUSED):
        errors["status"] = [_("Choose whether the request is answered or refused.")]
    if not answer.strip():
        errors["answer"] = [_("Write the answer given (for a refusal, its reasons).")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    locked.status, locked.answer, locked.answered_at, locked.answered_by = status, answer.strip(), now, actor
    locked.version = F("version") + 1
    locked.save(update_fields=["status", "answer", "answered_at", "answered_by", "version"])
    locked.refresh_from_db(fields=["version"])
    deadline_meet(target=locked, kind=REQUEST_DEADLINE, at=now)
    case = locked.case
    _record(case, actor, "data_request_answered", case.state, case.state, {"request": locked.pk, "status": status})
    return locked


# ---------------------------------------------------------------------------------------------- retention

PSEUDONYM_PREFIX = "Trẻ em ẩn danh"
ERASED = ""


def _pseudonym(child_pk: int) -> str:
    return f"{PSEUDONYM_PREFIX} #{child_pk}"


def _generalised_birth_date(birth: datetime.date, report_days: list[datetime.date]) -> datetime.date:
    """The first of the birth month, unless that would change the child's age group on a report day."""
    from reports.indicators import age_group

    candidate = birth.replace(day=1)
    if any(age_group(candidate, day) != age_group(birth, day) for day in report_days):
        return birth
    return candidate


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    years = settings.RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _ended_before(cutoff) -> Q:
    """Closed before CUTOFF, or found not to be child protection with no activity since."""
    return Q(state=CaseState.CLOSED, closed_at__lt=cutoff) | Q(
        state=CaseState.NOT_CHILD_PROTECTION, updated_at__lt=cutoff
    )


def pseudonymise_expired(*, now: datetime.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Pseudonymise the case files closed before the retention cut-off, batch by batch.

    Kept: everything the statistics count (sex, age group, ethnicity, commune, dates, forms of abuse,
    setting, states, assignments). Gone: names, ID number, address, school, phone numbers, every free
    text and the attachments. A child is pseudonymised only when none of their case files is still
    open or within retention. Idempotent: a second run finds nothing to do.
    """
    cutoff = retention_cutoff(now)
    done = {"case_files": 0, "children": 0, "reports": 0, "attachments": 0}
    while True:
        with transaction.atomic():
            cases = list(
                CaseFile.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(_ended_before(cutoff), pseudonymised_at__isnull=True)
                .order_by("pk")[:batch]
            )
            if not cases:
                return done
            for key, count in _pseudonymise(cases, cutoff).items():
                done[key] += count


def _pseudonymise(cases: list[CaseFile], cutoff) -> dict[str, int]:
    now = timezone.now()
    ids = [case.pk for case in cases]
    InitialAssessment.objects.filter(case_id__in=ids).update(notes=ERASED)
    EmergencyMeasure.objects.filter(case_id__in=ids).update(description=ERASED, taken_by=ERASED)
    SpecificAssessment.objects.filter(case_id__in=ids).update(
        information=ERASED, needs=ERASED, participants=ERASED, minutes=ERASED
    )
    InterventionPlan.objects.filter(case_id__in=ids).update(objectives=ERASED, decision_note=ERASED)
    PlanMeasure.objects.filter(plan__case_id__in=ids).update(description=ERASED)
    Review.objects.filter(case_id__in=ids).update(findings=ERASED)
    Note.objects.filter(case_id__in=ids).update(text=ERASED)
    Assignment.objects.filter(case_id__in=ids).update(request=ERASED, decline_reason=ERASED, outcome=ERASED)
    AssignmentProgress.objects.filter(assignment__case_id__in=ids).update(text=ERASED)
    Consent.objects.filter(case_id__in=ids).update(purpose=ERASED, evidence=ERASED)
    DataSubjectRequest.objects.filter(case_id__in=ids).update(requester_name=ERASED, details=ERASED, answer=ERASED)
    attachments = 0
    for attachment in Attachment.objects.filter(case_id__in=ids):
        attachment.file.delete(save=False)
        attachment.delete()
        attachments += 1
    CaseFile.objects.filter(pk__in=ids).update(closure_note=ERASED, pseudonymised_at=now)

    # Reports and children whose every case file has ended its retention: found in one query each.
    held = CaseFile.objects.filter(~_ended_before(cutoff))
    reports = Report.objects.filter(
        pk__in=Report.objects.filter(case_files__pk__in=ids).exclude(case_files__in=held).values("pk")
    ).update(
        reporter_name=ERASED,
        reporter_phone=ERASED,
        place_of_occurrence=ERASED,
        narrative=ERASED,
        external_reference=ERASED,
    )
    children = list(Child.objects.filter(case_files__pk__in=ids).exclude(case_files__in=held).distinct())
    received = defaultdict(list)
    for child_id, at in CaseFile.objects.filter(child__in=children).values_list("child_id", "report__received_at"):
        received[child_id].append(timezone.localtime(at).date())
    for child in children:
        pseudonym = _pseudonym(child.pk)
        child.full_name, child.name_key = pseudonym, name_key(pseudonym)
        child.birth_date = _generalised_birth_date(child.birth_date, received[child.pk])
        child.personal_id = child.address = child.school = child.disability = ERASED
    Child.objects.bulk_update(
        children, ["full_name", "name_key", "birth_date", "personal_id", "address", "school", "disability"]
    )
    Caregiver.objects.filter(child__in=children).update(full_name=ERASED, phone=ERASED)
    for case in cases:
        audit.record("change", "case", case.pk, case=case, fields={"event": "pseudonymised"})
    return {"case_files": len(cases), "children": len(children), "reports": reports, "attachments": attachments}
