"""Duties of the Law on Personal Data Protection 2025 on a case file: the lawful basis, consents
before disclosing outside the statutory chain, and data-subject requests answered within 2 working
days. Retention is in cases.services.retention."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit
from config.errors import Conflict
from notifications.calendar import add_working_days
from notifications.services import deadline_meet, deadline_set

from .. import access, events
from ..ages import age_on
from ..models import (
    CaseFile,
    Consent,
    ConsentGiver,
    DataSubjectRequest,
    Disclosure,
    LawfulBasis,
    RequestKind,
    RequestStatus,
)
from .common import case_lock, case_touch

REQUEST_DEADLINE = "data_subject_request"
REQUEST_WORKING_DAYS = 2
CHILD_CONSENT_AGE = 7


def _require(user, case: CaseFile) -> None:
    if not access.can_manage_privacy(user, case):
        raise PermissionDenied(_("Only the commune officer or a coordinator handles personal-data duties."))


@transaction.atomic
def lawful_basis_set(*, actor, case: CaseFile, basis: str, note: str = "", expected_version=None) -> CaseFile:
    _require(actor, case)
    locked = case_lock(case, expected_version)
    if basis not in LawfulBasis.values:
        raise ValidationError({"lawful_basis": [_("Choose a lawful basis from the list.")]})
    if basis != LawfulBasis.LEGAL_DUTY and not note.strip():
        raise ValidationError({"lawful_basis_note": [_("Say what this basis rests on (decision, request number…).")]})
    before = locked.lawful_basis
    locked.lawful_basis, locked.lawful_basis_note = basis, note.strip()
    change = case_touch(locked, fields=("lawful_basis", "lawful_basis_note"))
    events.lawful_basis_set_event(case=locked, actor=actor, change=change, before=before, after=basis)
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
    locked = case_lock(case)
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
    events.consent_recorded_event(case=locked, actor=actor, change=case_touch(locked), consent=consent)
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, on: datetime.date | None = None) -> Consent:
    _require(actor, consent.case)
    locked = case_lock(consent.case)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    consent.withdrawn_on = on or timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    events.consent_withdrawn_event(case=locked, actor=actor, change=case_touch(locked), consent=consent)
    return consent


@transaction.atomic
def disclosure_record(
    *, actor, case: CaseFile, recipient: str, purpose: str, disclosed_on: datetime.date, consents: list
) -> Disclosure:
    """A disclosure beyond the statutory chain needs valid consents on that day: the legal
    representative's (never the alleged perpetrator's), and the child's own from age 7."""
    _require(actor, case)
    locked = case_lock(case)
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
    events.disclosure_recorded_event(case=locked, actor=actor, change=case_touch(locked), disclosure=disclosure)
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
    locked = case_lock(case)
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
    events.data_request_received_event(case=locked, actor=actor, request=request)
    return request


@transaction.atomic
def request_answer(
    *, actor, request: DataSubjectRequest, status: str, answer: str, expected_version: int | None = None
) -> DataSubjectRequest:
    _require(actor, request.case)
    locked = DataSubjectRequest.objects.select_for_update().select_related("case").get(pk=request.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict
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
    events.data_request_answered_event(case=locked.case, actor=actor, request=locked)
    return locked
