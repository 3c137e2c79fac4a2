"""Every write to plans: import, progress reports, closing."""

import datetime
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit, Agency, AgencyType
from config import files
from config.errors import Conflict
from config.uploads import checked_upload
from notifications.calendar import LOCAL, end_of_day
from notifications.services import deadline_cancel, deadline_meet, deadline_set
from outgoing.models import OutgoingDocument

from . import access
from .importer import PlanImportError, PlanSpec, SectionSpec
from .models import (
    CLOSED_OCCURRENCE_STATUSES,
    Evidence,
    OccurrenceStatus,
    Plan,
    PlanSection,
    PlanStatus,
    PlanTask,
    ProgressReport,
    TaskOccurrence,
)
from .schedule import occurrences

DEADLINE_KIND = "plan_task"


def _issuing_unit(spec: PlanSpec) -> AdministrativeUnit:
    units = AdministrativeUnit.objects.filter(level=spec.unit_level, code=spec.unit_code)
    if spec.unit_province:
        province = AdministrativeUnit.objects.filter(level="province", code=spec.unit_province).first()
        units = units.filter(path__startswith=province.path) if province else units.none()
    unit = units.first()
    if unit is None:
        raise PlanImportError(
            _("The issuing unit (%(level)s %(code)s) does not exist: load the administrative units first.")
            % {"level": spec.unit_level, "code": spec.unit_code}
        )
    return unit


def _agency(unit: AdministrativeUnit, type_code: str, name: str, line: int) -> Agency:
    agency = Agency.objects.filter(unit=unit, name=name).first()
    if agency is None:
        return Agency.objects.create(unit=unit, name=name, agency_type=AgencyType.objects.get(code=type_code))
    if agency.agency_type.code != type_code:
        raise PlanImportError(
            _("Line %(line)s: the agency “%(name)s” already exists with another type (%(type)s).")
            % {"line": line, "name": name, "type": agency.agency_type.code}
        )
    return agency


@transaction.atomic
def plan_import(*, actor, spec: PlanSpec) -> Plan:
    """Create a plan with its sections, tasks and their occurrences; all or nothing."""
    unit = _issuing_unit(spec)
    if Plan.objects.filter(unit=unit, number=spec.number, issued_on=spec.issued_on).exists():
        raise PlanImportError(
            _("Plan %(number)s of %(date)s is already in BaoVe.")
            % {"number": spec.number, "date": spec.issued_on.strftime("%d/%m/%Y")}
        )
    plan = Plan.objects.create(
        number=spec.number,
        title=spec.title,
        unit=unit,
        issuing_body=spec.issuing_body,
        issued_on=spec.issued_on,
        signer=spec.signer,
        legal_bases=spec.legal_bases,
        period_start=spec.period_start,
        period_end=spec.period_end,
        purpose=spec.purpose,
        budget_source=spec.budget_source,
        recipients=spec.recipients,
        status=spec.status,
    )
    agencies = {key: _agency(unit, type_code, name, line) for key, (type_code, name, line) in spec.agencies.items()}
    counter = {"section": 0, "task": 0}

    def add_section(section_spec: SectionSpec, parent: PlanSection | None) -> None:
        counter["section"] += 1
        section = PlanSection.objects.create(
            plan=plan,
            parent=parent,
            number=section_spec.number,
            title=section_spec.title,
            text=section_spec.text,
            position=counter["section"],
        )
        for task_spec in section_spec.tasks:
            counter["task"] += 1
            task = PlanTask(
                plan=plan,
                section=section,
                position=counter["task"],
                content=task_spec.content,
                lead_agency=agencies[task_spec.lead],
                applies_to=task_spec.applies_to,
                schedule_kind=task_spec.schedule_kind,
                due_date=task_spec.due_date,
                window_start=task_spec.window_start,
                window_end=task_spec.window_end,
                recurrence=task_spec.recurrence,
                first_date=task_spec.first_date,
                expected_output=task_spec.expected_output,
                note=task_spec.note,
                statistic=task_spec.statistic,
            )
            task.save()
            task.cooperating_agencies.set([agencies[key] for key in task_spec.cooperating])
            _open_occurrences(task)
        for child in section_spec.sections:
            add_section(child, section)

    for section_spec in spec.sections:
        add_section(section_spec, None)
    return plan


def _open_occurrences(task: PlanTask) -> None:
    plan = task.plan
    for starts_on, due in occurrences(task, plan.period_end):
        occurrence = TaskOccurrence.objects.create(task=task, starts_on=starts_on, due_date=due)
        if plan.status == PlanStatus.ISSUED:
            _deadline(occurrence, plan)


def _deadline(occurrence: TaskOccurrence, plan: Plan) -> None:
    start_day = min(occurrence.starts_on or plan.issued_on, occurrence.due_date)
    starts_at = datetime.datetime.combine(start_day, datetime.time(0, 0), tzinfo=LOCAL)
    deadline_set(
        target=occurrence,
        kind=DEADLINE_KIND,
        starts_at=starts_at,
        due_at=end_of_day(occurrence.due_date),
        province=AdministrativeUnit(pk=province_pk_of(plan.unit)),
    )


@transaction.atomic
def plan_close(*, actor, plan: Plan) -> Plan:
    """A closed plan stops reminding anyone; its numbers stay."""
    plan.status = PlanStatus.CLOSED
    plan.save(update_fields=["status"])
    for occurrence in TaskOccurrence.objects.filter(task__plan=plan):
        deadline_cancel(target=occurrence)
    return plan


def agencies_of(user) -> list[Agency]:
    return list(Agency.objects.filter(pk__in=access.agency_ids_of(user)))


def _figures(raw: dict) -> dict[str, int]:
    figures = {}
    for key, value in (raw or {}).items():
        if not str(key).strip():
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValidationError({"figures": [_("Figures are whole numbers, 0 or more (%(name)s).") % {"name": key}]})
        figures[str(key).strip()[:60]] = value
    return figures


@transaction.atomic
def progress_report_add(
    *,
    actor,
    occurrence: TaskOccurrence,
    status: str,
    narrative: str,
    figures: dict | None = None,
    evidence=None,
    expected_version: int | None = None,
) -> ProgressReport:
    """The lead agency reports (a done / not done report closes the occurrence); cooperating agencies add theirs,
    on their own part (it never closes the occurrence). A closed plan takes no more reports."""
    occurrence = (
        TaskOccurrence.objects.select_for_update(of=("self",)).select_related("task__plan").get(pk=occurrence.pk)
    )
    if expected_version is not None and occurrence.version != expected_version:
        raise Conflict(_("Someone else reported on this task meanwhile. Reload the page to see it."))
    task = occurrence.task
    mine = {agency.pk: agency for agency in agencies_of(actor)}
    if task.lead_agency_id in mine:
        agency, is_lead = mine[task.lead_agency_id], True
    else:
        cooperating = [pk for pk in task.cooperating_agencies.values_list("pk", flat=True) if pk in mine]
        if not cooperating:
            raise PermissionDenied(_("Only the lead and cooperating agencies of this task report on it."))
        agency, is_lead = mine[cooperating[0]], False
    if occurrence.status in CLOSED_OCCURRENCE_STATUSES:
        raise ValidationError(_("This task is already closed for this period."))
    if task.plan.status == PlanStatus.CLOSED:
        raise ValidationError(_("This plan is closed: it takes no more reports."))
    if status not in OccurrenceStatus.values:
        raise ValidationError({"status": [_("Choose a status.")]})
    if not narrative.strip():
        raise ValidationError({"narrative": [_("Describe what was done.")]})
    report = ProgressReport.objects.create(
        occurrence=occurrence,
        agency=agency,
        is_lead=is_lead,
        status=status,
        narrative=narrative.strip(),
        figures=_figures(figures),
        author=actor,
    )
    if evidence is not None:
        _store_evidence(report, evidence)
    if is_lead and status != occurrence.status:
        occurrence.status = status
        fields = ["status", "version"]
        if status in CLOSED_OCCURRENCE_STATUSES:
            occurrence.closed_at = timezone.now()
            fields.append("closed_at")
            deadline_meet(target=occurrence, kind=DEADLINE_KIND)
            deadline_cancel(target=occurrence)
        occurrence.version = F("version") + 1
        occurrence.save(update_fields=fields)
    return report


def _store_evidence(report: ProgressReport, upload) -> Evidence:
    """Evidence is checked like case attachments: by content and size, stored under a random name."""
    content, mime = checked_upload(upload, field="evidence")
    evidence = Evidence(
        report=report,
        original_name=upload.name[:255],
        content_type=mime,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )
    evidence.file.save(get_random_string(32) + files.ENCRYPTED_SUFFIX, ContentFile(files.encrypt(content)), save=False)
    evidence.save()
    return evidence


@transaction.atomic
def plan_import_upload(*, actor, text: str) -> Plan:
    """A plan created from the browser, from the same YAML as the command line, for a unit in the user's area."""
    from .importer import parse

    if not access.may_import_plans(actor):
        raise PermissionDenied(_("Coordinators, leaders and administrators add plans."))
    spec = parse(text)
    if not access.may_import_for(actor, _issuing_unit(spec)):
        raise PermissionDenied(_("This plan is outside your area."))
    return plan_import(actor=actor, spec=spec)


@transaction.atomic
def plan_results_issue(*, actor, plan: Plan, date_from=None, date_to=None) -> OutgoingDocument:
    """Issue the report on PLAN's results for a period: the next number of the plan unit's issuing body, the
    PDF kept in the register (signed there by the signer named in it)."""
    from outgoing.models import DocumentKind, SubjectKind
    from outgoing.services import Issue, document_issue

    from . import documents

    if not access.may_import_for(actor, plan.unit):
        raise PermissionDenied(_("Coordinators, leaders and administrators of the plan's unit issue its reports."))
    start, end = documents.period_of(plan, date_from, date_to)
    if end < start:
        raise ValidationError({"date_to": [_("The end of the period is before its start.")]})
    body = documents.results_issuer(plan)
    issue = Issue(
        kind=DocumentKind.REPORT,
        title=f"Báo cáo kết quả thực hiện Kế hoạch số {plan.number} từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}",
        subject_kind=SubjectKind.PLAN_RESULTS,
        subject_id=plan.pk,
        subject_key=f"plan:{plan.pk}:{start.isoformat()}:{end.isoformat()}",
        render=lambda number_symbol, issued_on: documents.results_document(
            plan, start, end, body=body, number_symbol=number_symbol, issued_on=issued_on
        ),
        signer_title=body.signer_line,
        signer_name=body.signer_name,
        signer=body.signer,
    )
    return document_issue(actor=actor, body=body, issue=issue)
