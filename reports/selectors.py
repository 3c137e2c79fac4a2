import datetime

from django.utils import timezone

from agencies.models import AdministrativeUnit

from .indicators import compute
from .models import PeriodicReport
from .periods import Period, parse

KEY_FIGURES = (
    ("abused_children", "total", "Trẻ em bị xâm hại"),
    ("abuse_cases", "total", "Số vụ xâm hại"),
    ("reports_by_source", "total", "Thông tin, thông báo, tố giác"),
    ("children_supported", "total", "Trẻ em được hỗ trợ, can thiệp"),
    ("case_files", "overdue", "Hồ sơ quá hạn cuối kỳ"),
)


def current_period(today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    return parse(f"{today.year}-H{1 if today.month <= 6 else 2}")


def dashboard(unit: AdministrativeUnit | None, period: Period) -> dict:
    now, before = compute(unit, period), compute(unit, period.previous())
    figures = [
        {
            "id": indicator,
            "label": label,
            "value": now["indicators"][indicator][key],
            "previous": before["indicators"][indicator][key],
        }
        for indicator, key, label in KEY_FIGURES
    ]
    subunits = []
    indicators = now["indicators"]
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
    subunits.sort(key=lambda row: (-row["overdue"], -row["abused"], row["name"]))
    return {"data": now, "figures": figures, "subunits": subunits, "timeliness": indicators["timeliness"]}


def submissions(unit: AdministrativeUnit, period: Period) -> dict:
    children = list(AdministrativeUnit.objects.filter(parent=unit, is_active=True).order_by("name"))
    reports = {r.unit_id: r for r in PeriodicReport.objects.filter(unit__in=[unit, *children], period_code=period.code)}
    return {"own": reports.get(unit.pk), "children": [(child, reports.get(child.pk)) for child in children]}
