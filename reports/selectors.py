import contextlib
import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from agencies.access import active_memberships, jurisdiction_of
from agencies.models import AdministrativeUnit, Role, UnitLevel
from cases.choices import DeadlineKind
from cases.selectors import statistics
from notifications.calendar import LOCAL
from notifications.selectors import open_deadlines_for_targets
from notifications.work import CACHE_ERRORS, Section, WorkItem, section

from .access import AUTHOR_ROLES, REVIEW_ROLES
from .indicators import compute
from .models import PeriodicReport, ReportStatus
from .periods import Period, parse

KEY_FIGURES = (
    ("abused_children", "total", _("Abused children")),
    ("abuse_cases", "total", _("Abuse cases")),
    ("reports_by_source", "total", _("Reports received")),
    ("children_supported", "total", _("Children supported or given intervention")),
    ("case_files", "overdue", _("Case files overdue at the end of the period")),
)


def current_period(today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    return parse(f"{today.year}-H{1 if today.month <= 6 else 2}")


def _figures(data: dict, before: dict | None = None) -> list[dict]:
    return [
        {
            "id": indicator,
            "label": label,
            "value": data["indicators"][indicator][key],
            "previous": before["indicators"][indicator][key] if before else None,
        }
        for indicator, key, label in KEY_FIGURES
    ]


def key_figures(unit: AdministrativeUnit | None, period: Period) -> list[dict]:
    return _figures(compute(unit, period))


def _figures_key(unit: AdministrativeUnit | None, period: Period, today: datetime.date) -> str:
    # The database's name too: a test database, a benchmark's and the demo's may share a cache.
    database = connection.settings_dict["NAME"]
    return f"report-figures:{database}:{unit.code if unit else 'VN'}:{period.code}:{today.isoformat()}"


def recent_figures(unit: AdministrativeUnit | None, period: Period) -> tuple[dict, datetime.datetime]:
    """The indicators of UNIT and PERIOD as computed at most a few minutes ago, and when they were computed.

    The dashboard is read again and again all morning by the province's leaders and coordinators; computing
    every indicator takes the database seconds. Counts only (no name, nothing that depends on who reads:
    the access door has chosen the unit), so they are kept per unit and period, for
    REPORT_FIGURES_SECONDS while the period runs and REPORT_FIGURES_CLOSED_SECONDS once it is over (late
    records still count in it). The cache failing is not fatal: the figures are then computed."""
    today = timezone.localdate()  # as compute() takes it: Vietnam's day
    key = _figures_key(unit, period, today)
    try:
        kept = cache.get(key)
    except CACHE_ERRORS:
        kept = None
    if kept is not None:
        return kept
    kept = (compute(unit, period, today=today), timezone.now())
    seconds = settings.REPORT_FIGURES_SECONDS if period.end >= today else settings.REPORT_FIGURES_CLOSED_SECONDS
    with contextlib.suppress(CACHE_ERRORS):
        cache.set(key, kept, seconds)
    return kept


def dashboard(unit: AdministrativeUnit | None, period: Period) -> dict:
    """Key figures against the previous period, the timeliness of the legal steps, and the sub-units:
    those with something to show first (most overdue first), the others apart."""
    (now, computed_at), (before, _before_at) = recent_figures(unit, period), recent_figures(unit, period.previous())
    indicators = now["indicators"]
    subunits = []
    # A commune's hamlets hold no case files of their own (cases are the commune's): no rows for them.
    below = {} if unit is not None and unit.level == UnitLevel.COMMUNE else now["subunits"]
    for code, name in below.items():
        subunits.append(
            {
                "code": code,
                "name": name,
                "abused": indicators["abused_children"]["by_subunit"].get(code, 0),
                "open": indicators["case_files"]["open_by_subunit"].get(code, 0),
                "overdue": indicators["case_files"]["overdue_by_subunit"].get(code, 0),
            }
        )
    subunits.sort(key=lambda row: (-row["overdue"], -row["abused"], -row["open"], row["name"]))
    timeliness = [
        {"label": DeadlineKind(kind).label, **row}
        for kind, row in indicators["timeliness"].items()
        if kind in DeadlineKind.values
    ]
    return {
        "data": now,
        "computed_at": computed_at,
        "figures": _figures(now, before),
        "subunits": [row for row in subunits if row["abused"] or row["open"] or row["overdue"]],
        "quiet_subunits": [row for row in subunits if not (row["abused"] or row["open"] or row["overdue"])],
        "timeliness": timeliness,
    }


def reporting_subunits(unit: AdministrativeUnit):
    """The units directly below UNIT that make a report of their own. Hamlets do not: a commune's
    report covers them."""
    return (
        AdministrativeUnit.objects.filter(parent=unit, is_active=True).exclude(level=UnitLevel.HAMLET).order_by("name")
    )


def submissions(unit: AdministrativeUnit, period: Period) -> dict:
    """The unit's own report for PERIOD and its sub-units' (None: not started); those not yet submitted first."""
    children = list(reporting_subunits(unit))
    reports = {r.unit_id: r for r in PeriodicReport.objects.filter(unit__in=[unit, *children], period_code=period.code)}
    rows = [(child, reports.get(child.pk)) for child in children]
    missing = [child for child, report in rows if not _is_in(report)]
    rows.sort(key=lambda row: _is_in(row[1]))
    return {"own": reports.get(unit.pk), "children": rows, "missing": missing}


def _is_in(report: PeriodicReport | None) -> bool:
    """Submitted to the level above (or accepted by it)."""
    return report is not None and report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


def not_reported(report: PeriodicReport) -> list[AdministrativeUnit]:
    """The sub-units of REPORT's unit that have not submitted their report for its period."""
    period = Period(report.period_start, report.period_end, report.period_code)
    return submissions(report.unit, period)["missing"]


def work_sections(user, clock) -> list:
    """The periodic reports waiting for a person: to prepare (their unit's), to accept (the units below
    theirs); and, for leaders, the unit's key figures beside the last period's."""
    sections = []
    memberships = active_memberships(user)
    author_units = [m.unit_id for m in memberships if m.role in AUTHOR_ROLES and m.unit_id]
    if author_units:
        drafts = PeriodicReport.objects.filter(
            unit_id__in=author_units, status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]
        ).select_related("unit")
        due = open_deadlines_for_targets(PeriodicReport, [report.pk for report in drafts])
        items = []
        for report in drafts:
            deadline = next(iter(due.get(report.pk, [])), None)
            returned = report.status == ReportStatus.RETURNED
            items.append(
                WorkItem(
                    section="reports",
                    title=_report_title(report),
                    detail=_("Returned for correction: %(comment)s") % {"comment": report.review_comment}
                    if returned
                    else _("To fill in and submit"),
                    url=reverse("reports:detail", args=[report.pk]),
                    action=_("Open the report"),
                    due_at=deadline.due_at if deadline else None,
                    urgency=clock.of(deadline.due_at) if deadline else None,
                )
            )
        sections.append(
            section(
                "reports",
                _("Periodic reports to prepare"),
                items,
                _("Your unit's periodic reports appear here when their period ends, until they are submitted."),
            )
        )
    review = jurisdiction_of(user, REVIEW_ROLES)
    if not review.is_empty:
        # A top unit's report (a province's) goes to the Ministry, outside BaoVe: nobody here accepts it
        # (reports.access.may_review), so it is not listed as waiting.
        waiting = PeriodicReport.objects.filter(
            review.q("unit__parent__path"), unit__parent__isnull=False, status=ReportStatus.SUBMITTED
        )
        items = [
            WorkItem(
                section="reports_to_accept",
                title=_report_title(report),
                detail=_("Submitted on %(date)s") % {"date": f"{timezone.localtime(report.submitted_at):%d/%m/%Y}"},
                url=reverse("reports:detail", args=[report.pk]),
                action=_("Accept or return"),
            )
            for report in waiting.select_related("unit")
        ]
        sections.append(
            section(
                "reports_to_accept",
                _("Report submissions waiting for acceptance"),
                items,
                _("Reports the units below yours submit appear here until you accept or return them."),
            )
        )
    leader_units = [m.unit for m in memberships if m.role == Role.LEADER and m.unit is not None]
    if leader_units:
        sections.append(_key_figures(min(leader_units, key=lambda unit: len(unit.path)), clock))
    return sections


def _key_figures(unit: AdministrativeUnit, clock) -> Section:
    """A few figures of the unit, now and in the previous period (counts only: cheap enough for a home page)."""
    period = current_period(clock.today)
    previous = period.previous()

    def bounds(p):
        start = datetime.datetime.combine(p.start, datetime.time.min, tzinfo=LOCAL)
        return start, datetime.datetime.combine(p.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=LOCAL)

    now_count = statistics.reports_received_count(unit.path, *bounds(period))
    before_count = statistics.reports_received_count(unit.path, *bounds(previous))
    dashboard_url = reverse("reports:dashboard")
    items = [
        WorkItem(
            section="figures",
            title=_("Reports received"),
            detail=_("%(period)s: %(now)s (previous period: %(before)s)")
            % {"period": capfirst(period.label), "now": now_count, "before": before_count},
            url=dashboard_url,
            action=_("See the figures"),
        ),
        WorkItem(
            section="figures",
            title=_("Case files open"),
            detail=_("%(open)s open, %(late)s past a legal time limit")
            % {
                "open": statistics.cases_open_count(unit.path),
                "late": statistics.cases_late_count(unit.path, clock.now),
            },
            url=dashboard_url,
            action=_("See the figures"),
        ),
    ]
    return Section(
        key="figures",
        title=_("Key figures of %(unit)s") % {"unit": unit.name},
        items=items,
        empty="",
        more_url=dashboard_url,
        total=0,  # figures to read, not work to do: not counted in the menu
    )


def _report_title(report: PeriodicReport) -> str:
    period = Period(report.period_start, report.period_end, report.period_code)
    return f"{report.unit.name} · {period.label}"
