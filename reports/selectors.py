import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit, UnitLevel
from cases.choices import DeadlineKind

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


def dashboard(unit: AdministrativeUnit | None, period: Period) -> dict:
    """Key figures against the previous period, the timeliness of the legal steps, and the sub-units:
    those with something to show first (most overdue first), the others apart."""
    now, before = compute(unit, period), compute(unit, period.previous())
    indicators = now["indicators"]
    subunits = []
    for code, name in now["subunits"].items():
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
        "figures": _figures(now, before),
        "subunits": [row for row in subunits if row["abused"] or row["open"] or row["overdue"]],
        "quiet_subunits": [row for row in subunits if not (row["abused"] or row["open"] or row["overdue"])],
        "timeliness": timeliness,
    }


def submissions(unit: AdministrativeUnit, period: Period) -> dict:
    """The unit's own report for PERIOD and its sub-units' (None: not started); those not yet submitted first."""
    children = list(
        # Hamlets do not report: a commune's report covers them.
        AdministrativeUnit.objects.filter(parent=unit, is_active=True).exclude(level=UnitLevel.HAMLET).order_by("name")
    )
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
