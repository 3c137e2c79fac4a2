"""The submission chain: a draft, submitted (frozen: JSON, PDF, XLSX and their SHA-256), then accepted or
returned by the level above, which rolls up the submitted figures of its sub-units."""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit, Role
from config.errors import Conflict
from outgoing.letterhead import letterhead
from outgoing.models import DocumentKind, SubjectKind
from outgoing.services import (
    Issue,
    document_issue,
    document_pdf,
    issuing_bodies_of,
    issuing_body_default,
    signer_for,
)

from . import documents
from .access import AUTHOR_ROLES, REVIEW_ROLES, require_author, require_role
from .indicators import compute
from .models import PeriodicReport, ReportStatus
from .periods import Period
from .selectors import reporting_subunits


def _sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def canonical_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@transaction.atomic
def report_draft(*, actor, unit: AdministrativeUnit, period: Period) -> PeriodicReport:
    """The unit's report for PERIOD, created as a draft when missing."""
    require_author(actor, unit)
    report, _created = PeriodicReport.objects.get_or_create(
        unit=unit, period_code=period.code, defaults={"period_start": period.start, "period_end": period.end}
    )
    return report


@transaction.atomic
def report_update(
    *, actor, report: PeriodicReport, assessment: str, proposals: str, expected_version: int | None = None
) -> PeriodicReport:
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    require_author(actor, report.unit)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("A submitted report cannot be changed."))
    if expected_version is not None and report.version != expected_version:
        raise Conflict(_("Someone else changed this report meanwhile. Reload the page."))
    report.assessment, report.proposals = assessment, proposals
    report.version = F("version") + 1
    report.save(update_fields=["assessment", "proposals", "version"])
    report.refresh_from_db()
    return report


def rollup(report: PeriodicReport, live: dict) -> list[dict]:
    """The sub-units' submitted figures beside the live ones; a difference is flagged."""
    children = reporting_subunits(report.unit)
    submitted = {r.unit_id: r for r in PeriodicReport.objects.filter(unit__in=children, period_code=report.period_code)}
    live_by_code = live["indicators"].get("abused_children", {}).get("by_subunit", {})
    rows = []
    for child in children:
        child_report = submitted.get(child.pk)
        frozen = (child_report.data or {}) if child_report and child_report.status != ReportStatus.DRAFT else {}
        submitted_value = frozen.get("indicators", {}).get("abused_children", {}).get("total") if frozen else None
        live_value = live_by_code.get(child.code, 0)
        rows.append(
            {
                "code": child.code,
                "name": child.name,
                "status": child_report.get_status_display() if child_report else _("Not started"),
                "submitted": submitted_value,
                "live": live_value,
                "differs": submitted_value is not None and submitted_value != live_value,
            }
        )
    return rows


def issue_preview(report: PeriodicReport) -> dict:
    """What submitting will issue: the body, who signs, and the register the number is taken from."""
    body = report.issuing_body or issuing_body_default(report.unit)
    _signer, name = signer_for(body)
    return {
        "body": body.text_name or body.name,
        "signer": body.signer_line,
        "signer_name": name,
        "symbol": f"{DocumentKind.REPORT}-{body.symbol}",
        "year": timezone.localdate().year,
    }


def report_letterhead(report: PeriodicReport):
    """The issuing body of REPORT (its own choice, else the unit's default) and its letterhead."""
    body = report.issuing_body or issuing_body_default(report.unit)
    return body, letterhead(body, signer_name=signer_for(body)[1])


@transaction.atomic
def report_submit(*, actor, report: PeriodicReport) -> PeriodicReport:
    """Freeze the figures, take the next number of the issuing body's outgoing register, render the files with
    it; a failing render leaves the draft as it was and gives the number back (one transaction)."""
    report = PeriodicReport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
    require_author(actor, report.unit)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("This report has already been submitted."))
    if timezone.localdate() < report.period_start:
        raise ValidationError(_("This period has not started yet: its report can be submitted once it has."))
    period = Period(report.period_start, report.period_end, report.period_code)
    data = compute(report.unit, period)
    rows = rollup(report, data)
    # Frozen with the definitions and tables it was read by: it renders the same forever.
    data = documents.freeze({**data, "rollup": rows})
    body, head = report_letterhead(report)
    signer, signer_name = signer_for(body)

    def render(number_symbol, issued_on):
        return documents.report_document(
            data,
            letterhead=head,
            symbol=f"{DocumentKind.REPORT}-{body.symbol}",
            number_symbol=number_symbol,
            issued_on=issued_on,
            assessment=report.assessment,
            proposals=report.proposals,
            rollup=rows,
        )

    issue = Issue(
        kind=DocumentKind.REPORT,
        title=f"Báo cáo {documents.TITLE.lower()} {period.label_vi} – {report.unit.name}",
        subject_kind=SubjectKind.PERIODIC_REPORT,
        subject_id=report.pk,
        subject_key=f"report:{report.pk}",
        render=render,
        signer_title=body.signer_line,
        signer_name=signer_name,
        signer=signer,
    )
    try:
        document = document_issue(actor=actor, body=body, issue=issue)
        pdf = document_pdf(document)
        xlsx = documents.report_xlsx(
            data, letterhead=head, number_symbol=document.number_symbol, issued_on=document.issued_on
        )
    except ValidationError:
        raise
    except Exception as error:
        raise ValidationError(
            _("The report could not be rendered (%(error)s); the draft is unchanged.") % {"error": type(error).__name__}
        ) from error
    stem = f"bao-cao-{report.unit.code}-{report.period_code}"
    report.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
    report.data, report.data_sha256 = data, _sha(canonical_json(data))
    report.pdf_sha256, report.xlsx_sha256 = _sha(pdf), _sha(xlsx)
    report.status, report.submitted_by, report.submitted_at = ReportStatus.SUBMITTED, actor, timezone.now()
    report.issuing_body, report.document = body, document
    report.version = F("version") + 1
    report.save()
    report.refresh_from_db()
    from notifications.services import deadline_meet

    deadline_meet(target=report, kind="report_submission")
    _announce(report, actor)
    return report


@transaction.atomic
def report_set_issuer(*, actor, report: PeriodicReport, body_id: int | None) -> PeriodicReport:
    """Choose which of the unit's issuing bodies issues the report (before it is submitted)."""
    report = PeriodicReport.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
    require_author(actor, report.unit)
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("A submitted report cannot be changed."))
    bodies = {body.pk: body for body in issuing_bodies_of(report.unit)}
    if body_id is not None and body_id not in bodies:
        raise ValidationError({"issuing_body": [_("Choose one of this unit's issuing bodies.")]})
    report.issuing_body = bodies.get(body_id) if body_id is not None else None
    report.save(update_fields=["issuing_body"])
    return report


def verify(report: PeriodicReport) -> bool:
    """The frozen JSON and files still match the hashes taken at submission."""
    with report.pdf.open("rb") as pdf, report.xlsx.open("rb") as xlsx:
        return (
            _sha(canonical_json(report.data)) == report.data_sha256
            and _sha(pdf.read()) == report.pdf_sha256
            and _sha(xlsx.read()) == report.xlsx_sha256
        )


@transaction.atomic
def report_review(*, actor, report: PeriodicReport, accept: bool, comment: str = "") -> PeriodicReport:
    """The level above accepts the submitted report, or returns it with a comment."""
    report = PeriodicReport.objects.select_for_update(of=("self",)).select_related("unit__parent").get(pk=report.pk)
    parent = report.unit.parent
    if parent is None:
        raise ValidationError(_("A province's report is reviewed outside BaoVe (by the ministry)."))
    require_role(actor, parent, REVIEW_ROLES)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be accepted or returned."))
    if not accept and not comment.strip():
        raise ValidationError({"comment": [_("Say what must be corrected.")]})
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.reviewed_by, report.reviewed_at, report.review_comment = actor, timezone.now(), comment.strip()
    report.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    _announce(report, actor)
    return report


def _announce(report: PeriodicReport, actor) -> int:
    """The hand-off of a periodic report: submitted → the level above, which accepts or returns it;
    accepted or returned → the unit's authors. One notice per person per step (its key)."""
    from agencies.models import StaffMembership
    from notifications.services import NotificationDraft, notify_many, worded

    period = Period(report.period_start, report.period_end, report.period_code)
    if report.status == ReportStatus.SUBMITTED:
        unit, roles = report.unit.parent, REVIEW_ROLES
        title = gettext_noop("%(unit)s submitted its %(period)s report: accept or return it")
    elif report.status == ReportStatus.ACCEPTED:
        unit, roles = report.unit, AUTHOR_ROLES
        title = gettext_noop("The %(period)s report of %(unit)s was accepted")
    else:
        unit, roles = report.unit, AUTHOR_ROLES
        title = gettext_noop("The %(period)s report of %(unit)s was returned for correction")
    if unit is None:
        return 0
    words = worded(
        lambda: (
            _(title) % {"unit": report.unit.name, "period": period.label},
            report.review_comment if report.status == ReportStatus.RETURNED else "",
        )
    )
    users = {
        m.user
        for m in StaffMembership.objects.filter(
            unit=unit, role__in=roles, is_active=True, user__is_active=True
        ).select_related("user")
    }
    drafts = [
        NotificationDraft(
            user=user,
            **words,
            url=reverse("reports:detail", args=[report.pk]),
            key=f"report:{report.pk}:{report.status}:{report.version}:{report.reviewed_at or report.submitted_at}",
            may_hold=True,
            province_id=province_pk_of(report.unit),
        )
        for user in users
        if user.pk != actor.pk
    ]
    return notify_many(drafts)


SUBMISSION_DAYS = 15  # after the end of the period (configurable here; provinces may ask for less)


def reports_open_for_period(*, period: Period, level: str = "commune") -> int:
    """Create the draft of every active unit of LEVEL for PERIOD (idempotent), each with its submission
    deadline, and tell the officers responsible. Returns how many drafts were created."""
    import datetime

    from agencies.models import StaffMembership
    from notifications.calendar import end_of_day
    from notifications.services import NotificationDraft, deadline_set, notify_many, worded

    units = list(AdministrativeUnit.objects.filter(level=level, is_active=True))
    existing = set(
        PeriodicReport.objects.filter(period_code=period.code, unit__in=units).values_list("unit_id", flat=True)
    )
    created = PeriodicReport.objects.bulk_create(
        [
            PeriodicReport(unit=unit, period_code=period.code, period_start=period.start, period_end=period.end)
            for unit in units
            if unit.pk not in existing
        ],
        batch_size=1000,
    )
    due = end_of_day(period.end + datetime.timedelta(days=SUBMISSION_DAYS))
    starts = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=due.tzinfo)
    by_unit = {report.unit_id: report for report in created}
    units_by_pk = {unit.pk: unit for unit in units}
    for report in created:
        deadline_set(
            target=report,
            kind="report_submission",
            starts_at=starts,
            due_at=due,
            province=AdministrativeUnit(pk=province_pk_of(units_by_pk[report.unit_id])),
        )
    officers = StaffMembership.objects.filter(unit_id__in=by_unit, role=Role.COMMUNE_OFFICER, is_active=True)
    words = {
        unit_id: worded(
            lambda unit_id=unit_id: (
                _("The %(period)s report of %(unit)s is ready to fill in")
                % {"period": period.label, "unit": units_by_pk[unit_id].name},
                "",
            )
        )
        for unit_id in by_unit
    }
    notify_many(
        [
            NotificationDraft(
                user=membership.user,
                **words[membership.unit_id],
                url=f"/reports/{by_unit[membership.unit_id].pk}/",
            )
            for membership in officers.select_related("user")
        ]
    )
    return len(created)


def preview_request(*, actor, report: PeriodicReport) -> PeriodicReport:
    """Queue the rendering of a draft's PDF (live figures); the page follows its progress."""
    from notifications.outbox import enqueue

    from .models import RenderState

    require_author(actor, report.unit)
    from .models import QUEUE_WAIT

    with transaction.atomic():
        updated = (
            PeriodicReport.objects.filter(pk=report.pk)
            .exclude(preview_state__in=[RenderState.QUEUED, RenderState.RUNNING])
            .update(
                preview_state=RenderState.QUEUED,
                preview_progress=0,
                preview_error="",
                preview_attempts=0,
                preview_lease_until=timezone.now() + QUEUE_WAIT,
            )
        )
        if updated:
            enqueue("reports.tasks.render_preview", report.pk)
    report.refresh_from_db()
    return report
