"""Receiving a report (Mẫu 01): the children named, one case file each, the legal deadlines started and
the commune's officers told at once."""

import datetime
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit
from audit.recorder import record, together
from config import names
from notifications import phones
from notifications.services import NotificationDraft, notify_many, worded

from .. import access, events, handoffs, lists, name_search
from ..ages import CHILD_AGE_LIMIT, age_on
from ..choices import OPEN_STATES
from ..deadlines import rules_for
from ..models import (
    Caregiver,
    CaseFile,
    Child,
    ChildCircumstance,
    CommunityReport,
    ExtraFieldTarget,
    Report,
    ReportAbuseForm,
)
from ..text import fold
from .common import intake_deadlines_open, reserve_ids
from .community import community_report_link
from .households import household_group_report
from .offline import once

PERSONAL_ID = re.compile(r"^\d{12}$")


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
    # The province's extra fields of a report: key → value (text, or typed), checked against its definitions.
    extra: dict = field(default_factory=dict)


def _validate_child(data: ChildInput, *, on_date: datetime.date, prefix: str = "") -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not data.full_name.strip():
        errors[f"{prefix}full_name"] = [_("Enter the child's full name.")]
    if data.birth_date is None:
        errors[f"{prefix}birth_date"] = [_("Enter the date of birth (or the year, if only the year is known).")]
    elif data.birth_date > today:
        errors[f"{prefix}birth_date"] = [_("The date of birth cannot be in the future.")]
    elif age_on(data.birth_date, on_date) >= CHILD_AGE_LIMIT:
        errors[f"{prefix}birth_date"] = [
            _(
                "A child is a person under 16 (Law on Children, Art. 1); "
                "this person was %(age)s on the date of the report."
            )
            % {"age": age_on(data.birth_date, on_date)}
        ]
    if data.personal_id and not PERSONAL_ID.match(data.personal_id):
        errors[f"{prefix}personal_id"] = [_("The personal identification number has exactly 12 digits.")]
    for caregiver in data.caregivers:
        if caregiver.phone and not phones.plausible(caregiver.phone):
            errors[f"{prefix}caregiver_phone"] = [phones.NOT_A_NUMBER]
    if data.residence_commune is None or data.residence_commune.level != "commune":
        errors[f"{prefix}residence_commune"] = [_("Choose the commune where the child lives.")]
    elif data.residence_hamlet is not None and data.residence_hamlet.parent_id != data.residence_commune.pk:
        errors[f"{prefix}residence_hamlet"] = [_("This hamlet is not in the chosen commune.")]
    return errors


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
    # Constraints are the database's (the personal ID's uniqueness was checked above, with its own message).
    child.full_clean(exclude=["created_by", "residence_commune", "residence_hamlet"], validate_constraints=False)
    child.save()
    name_search.remember(child.name_key)
    record("create", "child", child.pk, actor=actor)
    for group in dict.fromkeys(data.circumstances):
        ChildCircumstance.objects.create(child=child, group=group, since=timezone.localdate())
    for caregiver in data.caregivers:
        Caregiver(child=child, **caregiver.__dict__).save()
    return child


def _validate_report(actor, report: ReportInput, children: list[ChildInput]) -> tuple[dict, list]:
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
    province_id = province_pk_of(report.commune) if report.commune is not None and report.commune.path else None
    if not report.abuse_forms:
        errors["abuse_forms"] = [_("Choose at least one form of abuse.")]
    elif unknown := set(report.abuse_forms) - lists.offered_codes("abuse_form", [province_id]):
        errors["abuse_forms"] = [_("Unknown form of abuse: %(codes)s") % {"codes": ", ".join(sorted(unknown))}]
    report.extra, extra_errors = lists.extra_clean(
        lists.extra_definitions(province_id, ExtraFieldTarget.REPORT), report.extra
    )
    errors.update(extra_errors)
    if not report.narrative.strip():
        errors["narrative"] = [_("Describe what happened.")]
    if report.reporter_phone and not phones.plausible(report.reporter_phone):
        errors["reporter_phone"] = [phones.NOT_A_NUMBER]
    if not report.reporter_is_anonymous and not report.reporter_name.strip():
        errors["reporter_name"] = [_("Enter the reporter's name, or mark the reporter as anonymous.")]
    if not children:
        errors["children"] = [_("Add at least one child.")]

    received_on = timezone.localdate(report.received_at) if report.received_at else timezone.localdate()
    resolved: list[Child | ChildInput] = []
    for index, data in enumerate(children):
        if data.existing_id:
            # A record merged into another stands for the kept one.
            child = access.kept_record(actor, access.children_visible_to(actor).filter(pk=data.existing_id).first())
            if child is None:
                errors[f"children-{index}-existing_id"] = [_("This child is not in your area.")]
            elif age_on(child.birth_date, received_on) >= CHILD_AGE_LIMIT:
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
    return errors, resolved


def report_receive(
    *,
    actor,
    report: ReportInput,
    children: list[ChildInput],
    community_report: CommunityReport | None = None,
    idempotency_key=None,
) -> Report:
    """Record a report (Mẫu 01): one case file per child, with the legal deadlines registered.
    COMMUNITY_REPORT: the collaborator's or public report it verifies, marked recorded with it.
    IDEMPOTENCY_KEY: chosen by the sender (a phone that recorded it offline); a second send with the
    same key returns the first report and creates nothing."""
    return once(
        lambda: _report_receive(actor, report, children, community_report, idempotency_key),
        model=Report,
        key=idempotency_key,
        owner_field="received_by",
        actor=actor,
    )


@transaction.atomic
def _report_receive(actor, report, children, community_report, idempotency_key) -> Report:
    errors, resolved = _validate_report(actor, report, children)
    if errors:
        raise ValidationError(errors)
    with together():  # the audit rows of the children and case files, written in one statement
        received = _receive(actor, report, resolved, idempotency_key)
        if community_report is not None:
            community_report_link(actor=actor, community_report=community_report, report=received)
        return received


def _receive(actor, report: ReportInput, resolved: list, idempotency_key=None) -> Report:
    received = Report(
        received_by=actor,
        idempotency_key=idempotency_key,
        **{name: value for name, value in report.__dict__.items() if name != "abuse_forms"},
    )
    received.full_clean(exclude=["received_by", "commune"])  # both checked above
    received.save()
    ReportAbuseForm.objects.bulk_create(
        [ReportAbuseForm(report=received, form=form) for form in dict.fromkeys(report.abuse_forms)]
    )
    rules = rules_for(received.commune)
    officer = responsible_officer_for(received.commune, actor)
    if officer is None:
        raise ValidationError(
            {
                "commune": [
                    _(
                        "Nobody in BaoVe answers for this commune yet (no officer, chairman or coordinator): "
                        "ask the province to add its officer, then record the report."
                    )
                ]
            }
        )
    children = [item if isinstance(item, Child) else _child_create(actor=actor, data=item) for item in resolved]
    opened = _case_files_open(received, children, officer)
    for case in opened:
        events.report_received_event(case=case, actor=actor, report=received)
        intake_deadlines_open(case, received.received_at, rules)
    household_group_report(actor=actor, cases=opened)
    _announce_new_report(received, opened, actor)
    return received


def _reference(received: Report, pk: int) -> str:
    return f"HS-{received.received_at:%Y}-{pk:06d}"


def _case_files_open(received: Report, children: list[Child], officer) -> list[CaseFile]:
    """One case file per child, each with its reference (which carries its number): on PostgreSQL the
    numbers are taken from the sequence first and the files written in one INSERT (an UPDATE of the
    reference afterwards would rewrite the row and every index of the busiest table: issue 23)."""
    fields = {"report": received, "commune": received.commune, "officer": officer, "opened_at": received.received_at}
    numbers = reserve_ids(CaseFile, len(children))
    if numbers is None:  # SQLite (the embedded demo): its number is known once the row is written
        opened = []
        for child in children:
            case = CaseFile.objects.create(child=child, **fields)
            case.reference = _reference(received, case.pk)
            case.save(update_fields=["reference"])
            opened.append(case)
        return opened
    return CaseFile.objects.bulk_create(
        [
            CaseFile(pk=pk, reference=_reference(received, pk), child=child, **fields)
            for pk, child in zip(numbers, children, strict=True)
        ]
    )


def responsible_officer_for(commune, actor):
    """Who answers for the case files of a new report (never nobody: the database refuses an open file
    without an officer): the officer who recorded it; else (the hotline's integration, a collaborator, a
    chairman, the police) the commune's officer with the fewest open files — every officer is told of the
    report, and a coordinator or the chairman may hand it to another; else, in a commune without an
    officer, its chairman, else the nearest coordinator over it (until the commune has an officer to hand
    it to). None when there is nobody at all (the report is refused with a message)."""
    if access.is_commune_officer_of(actor, commune):
        return actor
    officers = handoffs.officers_of_commune(commune)
    if officers:
        load = dict(
            CaseFile.objects.filter(officer__in=officers, state__in=OPEN_STATES)
            .values("officer_id")
            .annotate(count=Count("pk"))
            .values_list("officer_id", "count")
        )
        return min(officers, key=lambda officer: (load.get(officer.pk, 0), officer.pk))
    return next(iter(handoffs.chairmen_of_commune(commune) or handoffs.coordinators_over(commune)), None)


def _announce_new_report(report: Report, cases: list[CaseFile], actor) -> None:
    """Tell the commune's child-protection officers at once: the 12-hour clock has started.
    No child's name: the message may travel by email or an SMS gateway."""
    others = [pk for pk in handoffs.commune_officer_ids(report.commune) if pk != actor.pk]
    if not others:
        return  # the commune's only officer recorded it
    officers = list(get_user_model().objects.filter(pk__in=others, is_active=True))
    drafts = []
    for case in cases:
        values = {"reference": case.reference, "commune": report.commune.name}
        words = worded(
            lambda values=values: (
                _("[%(reference)s] New report received – %(commune)s") % values,
                _("A new case file was opened from a report. Assess the risk: emergency measures within 12 hours."),
            )
        )
        for officer in officers:
            drafts.append(
                NotificationDraft(
                    user=officer,
                    **words,
                    url=reverse("cases:detail", args=[case.pk]),
                    is_urgent=True,
                    province_id=province_pk_of(report.commune),
                    about=case,
                )
            )
    notify_many(drafts)
