"""What an indicator is: a registered definition (code, names, definition, group), how it counts from
the case data of a unit and a period, and how its figures read as table rows in documents.

Counting rules, so that a parent's figure is always the sum of its sub-units':
- a case file counts in the commune responsible for it; a child counts once per commune (a child
  whose case moved counts in each commune that handled a case file for them in the period);
- a report (vụ) counts in the commune it was recorded for;
- children in special circumstances count in their commune of residence.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from agencies.access import ancestor_paths
from agencies.models import AdministrativeUnit
from cases.choices import AbuseForm, AssignmentStatus, CircumstanceGroup, ReportSource, ServiceType, Setting, Sex
from cases.selectors import statistics
from notifications.calendar import LOCAL

from ..periods import Period


def count(values) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


class SubUnits:
    """Maps a unit path to the direct sub-unit of the report's unit it lies under (for the sub-unit tables)."""

    def __init__(self, unit: AdministrativeUnit | None):
        children = (
            AdministrativeUnit.objects.filter(parent=unit)
            if unit
            else AdministrativeUnit.objects.filter(level="province")
        )
        self.by_path = {child.path: child.code for child in children}
        self.names = {child.code: child.name for child in children}
        self.depth = (unit.path.count("/") - 1) if unit else 0

    def code_of(self, path: str) -> str:
        paths = ancestor_paths(path)
        return self.by_path.get(paths[self.depth], "") if len(paths) > self.depth else ""


class Context:
    """One computation: the unit, the period, and the reads several indicators share (made once)."""

    def __init__(self, unit: AdministrativeUnit | None, period: Period, today: datetime.date):
        self.unit, self.period, self.today = unit, period, today
        self.path = unit.path if unit else "/"
        self.start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=LOCAL)
        self.end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=LOCAL)
        self.sub = SubUnits(unit)

    @cached_property
    def cases_opened(self) -> list[tuple]:
        return statistics.cases_opened(self.path, self.start, self.end)

    @cached_property
    def forms_by_report(self) -> dict[int, set[str]]:
        return statistics.abuse_forms_by_report(row[6] for row in self.cases_opened)


# ---------------------------------------------------------------------------------------------- rows

LABELS = {
    "sex": dict(Sex.choices),
    "abuse_form": dict(AbuseForm.choices),
    "setting": dict(Setting.choices),
    "source": dict(ReportSource.choices),
    "service": dict(ServiceType.choices),
    "group": dict(CircumstanceGroup.choices),
    "status": dict(AssignmentStatus.choices),
}
BREAKDOWN_LABELS = {
    "by_sex": ("Giới tính", "sex"),
    "by_age_group": ("Nhóm tuổi", None),
    "by_abuse_form": ("Hình thức xâm hại", "abuse_form"),
    "by_setting": ("Môi trường xảy ra", "setting"),
    "by_source": ("Nguồn thông tin", "source"),
    "by_service": ("Biện pháp hỗ trợ", "service"),
    "by_agency_type": ("Loại cơ quan", "agency_type"),
    "by_group": ("Nhóm hoàn cảnh đặc biệt", "group"),
    "assisted_by_group": ("Được trợ giúp, theo nhóm", "group"),
    "by_subunit": ("Theo đơn vị", "subunit"),
}


def label_of(kind: str | None, code: str, data: dict) -> str:
    """A breakdown's code in words: the sub-unit's or agency type's name (from the figures themselves,
    so that a frozen report keeps the names of its day), or the choice's label."""
    if kind == "subunit":
        return data.get("subunits", {}).get(code, code or "—")
    if kind in data.get("labels", {}):
        return data["labels"][kind].get(code, code or "—")
    return str(LABELS.get(kind, {}).get(code, code or "—"))


def breakdown_rows(block: dict, data: dict) -> list[tuple[str, object]]:
    """A total and its breakdowns ("by_…" counts) as (label, value) rows, labels in Vietnamese."""
    rows = [("Tổng số", block["total"])]
    for key, counts in block.items():
        if key == "total" or key not in BREAKDOWN_LABELS:
            continue
        title, kind = BREAKDOWN_LABELS[key]
        rows += [(f"{title}: {label_of(kind, code, data)}", number) for code, number in counts.items()]
    return rows


@dataclass(frozen=True)
class Indicator:
    """One statistical indicator. COMPUTE(context) → its figures (a JSON-able dict); ROWS(figures, the
    report's data) → its table in documents. CODE: the indicator's code, where the circular gives one."""

    id: str
    name_vi: str
    name_en: str
    definition: str
    group: str
    compute: Callable[[Context], dict]
    rows: Callable[[dict, dict], list] = breakdown_rows
    code: str = ""

    def describe(self) -> dict:
        """What a submitted report freezes of the definition it was computed with."""
        return {
            "id": self.id,
            "code": self.code,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "definition": self.definition,
            "group": self.group,
        }
