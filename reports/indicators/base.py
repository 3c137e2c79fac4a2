"""What an indicator is: a registered definition (code, names, definition, group), how it counts from
the case data of a unit and a period, and how its figures read as tables in documents.

Counting rules, so that a parent's figure is always the sum of its sub-units':
- a case file counts in the commune responsible for it; a child counts once per commune (a child
  whose case moved counts in each commune that handled a case file for them in the period);
- a report (vụ) counts in the commune it was recorded for;
- children in special circumstances count in their commune of residence.

Verified and reported: a case file is *verified abuse* once its initial risk assessment (Mẫu 02) is
recorded — whatever its state is since, closed included — unless it was found not to be a child-protection
matter; until then it is *reported, not yet verified*. The abuse indicators (Số trẻ em bị xâm hại, số vụ)
count verified abuse only; the other two are counted in their own indicators.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from agencies.access import ancestor_paths
from agencies.models import AdministrativeUnit, UnitLevel
from cases.ages import AGE_GROUPS, OVER_AGE_GROUP
from cases.choices import (
    AbuseForm,
    AssignmentStatus,
    CaseState,
    CircumstanceGroup,
    ReportSource,
    ServiceType,
    Setting,
    Sex,
)
from cases.selectors import statistics
from notifications.calendar import LOCAL

from ..periods import Period
from . import circular


def count(values) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


class SubUnits:
    """Maps a unit path to the direct sub-unit of the report's unit it lies under (for the sub-unit tables),
    and a commune's path to its code (for the annex of communes)."""

    def __init__(self, unit: AdministrativeUnit | None):
        children = (
            AdministrativeUnit.objects.filter(parent=unit)
            if unit
            else AdministrativeUnit.objects.filter(level="province")
        )
        children = list(children.order_by("code", "name"))  # the order of the official list
        self.by_path = {child.path: child.code for child in children}
        self.names = {child.code: child.name for child in children}
        self.depth = (unit.path.count("/") - 1) if unit else 0
        communes = AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE)
        if unit is not None:
            communes = communes.filter(path__startswith=unit.path)
        communes = list(communes.values_list("path", "code", "name"))
        self.commune_by_path = {path: code for path, code, _name in communes}
        # Every commune of the area, with the sub-unit it lies under (for the annex of a roll-up, which lists
        # the communes without a case too).
        self.communes = {code: {"name": name, "subunit": self.code_of(path)} for path, code, name in communes}

    def code_of(self, path: str) -> str:
        paths = ancestor_paths(path)
        return self.by_path.get(paths[self.depth], "") if len(paths) > self.depth else ""

    def commune_of(self, path: str) -> str:
        """The code of the commune at PATH (a case's commune) or above it (a hamlet)."""
        for candidate in reversed(ancestor_paths(path)):
            if candidate in self.commune_by_path:
                return self.commune_by_path[candidate]
        return ""


class Context:
    """One computation: the unit, the period, and the reads several indicators share (made once)."""

    def __init__(self, unit: AdministrativeUnit | None, period: Period, today: datetime.date):
        self.unit, self.period, self.today = unit, period, today
        self.path = unit.path if unit else "/"
        self.start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=LOCAL)
        self.end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=LOCAL)
        self.sub = SubUnits(unit)

    @cached_property
    def case_files(self) -> list[tuple]:
        """Every case file opened in the period, with its state and whether it is verified (assessed)."""
        return statistics.case_files_received(self.path, self.start, self.end)

    @cached_property
    def cases_opened(self) -> list[tuple]:
        """The case files opened in the period, except those found not to be child protection (the first
        eight fields of `case_files`)."""
        return [row[:8] for row in self.case_files if row[8] != CaseState.NOT_CHILD_PROTECTION]

    @cached_property
    def verified(self) -> list[tuple]:
        """The case files of verified abuse: assessed, and not found outside child protection."""
        return [row[:8] for row in self.case_files if row[9] and row[8] != CaseState.NOT_CHILD_PROTECTION]

    @cached_property
    def unverified(self) -> list[tuple]:
        return [row[:8] for row in self.case_files if not row[9] and row[8] != CaseState.NOT_CHILD_PROTECTION]

    @cached_property
    def not_child_protection(self) -> list[tuple]:
        return [row[:8] for row in self.case_files if row[8] == CaseState.NOT_CHILD_PROTECTION]

    @cached_property
    def forms_by_report(self) -> dict[int, set[str]]:
        return statistics.abuse_forms_by_report(row[6] for row in self.cases_opened)


# ---------------------------------------------------------------------------------------------- labels

LABELS = {
    "sex": dict(Sex.choices),
    "abuse_form": dict(AbuseForm.choices),
    "setting": dict(Setting.choices),
    "source": dict(ReportSource.choices),
    "service": dict(ServiceType.choices),
    "group": dict(CircumstanceGroup.choices),
    "status": dict(AssignmentStatus.choices),
}
AGE_GROUP_LABELS = {
    **{code: f"{low}–{high - 1} tuổi" for low, high, code in AGE_GROUPS},
    OVER_AGE_GROUP: "Từ 16 tuổi trở lên",
}
# The natural order of each kind of category (the order of the law's lists, not of the codes' letters).
ORDER = {
    "sex": [Sex.FEMALE, Sex.MALE, Sex.UNKNOWN],
    "age_group": [code for _low, _high, code in AGE_GROUPS] + [OVER_AGE_GROUP],
    **{kind: list(labels) for kind, labels in LABELS.items() if kind != "sex"},
}
BREAKDOWN_LABELS = {
    "by_sex": ("Giới tính", "sex"),
    "by_age_group": ("Nhóm tuổi", "age_group"),
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
    if kind == "age_group":
        return AGE_GROUP_LABELS.get(code, code or "—")
    if kind in data.get("labels", {}):
        return data["labels"][kind].get(code, code or "—")
    return str(LABELS.get(kind, {}).get(code, code or "—"))


def in_order(kind: str | None, codes, data: dict | None = None) -> list[str]:
    """CODES in the natural order of their kind; unknown codes after, by their label."""
    known = ORDER.get(kind or "", [])
    if kind == "subunit" and data is not None:
        known = list(data.get("subunits", {}))
    if kind in (data or {}).get("labels", {}):
        known = list(data["labels"][kind])
    position = {code: index for index, code in enumerate(known)}
    return sorted(codes, key=lambda code: (position.get(code, len(position)), label_of(kind, code, data or {})))


# ---------------------------------------------------------------------------------------------- tables


def table(
    indicator: str,
    suffix: str,
    title: str,
    *,
    head: list[list[dict]],
    kinds: list[str],
    rows: list[list],
    total: list | None = None,
    notes: list[str] | None = None,
    group: str = "",
) -> dict:
    """A table as documents and the XLSX lay it out (JSON: frozen with a submitted report).

    HEAD: header rows of cells {"label", "colspan", "rowspan"}; KINDS: each column's kind ("label", "count",
    "percent", "text"); ROWS: the body; TOTAL: the total row, or None."""
    return {
        "id": f"{indicator}.{suffix}" if suffix else indicator,
        "indicator": indicator,
        "group": group,
        "title": title,
        "head": head,
        "kinds": kinds,
        "rows": rows,
        "total": total,
        "notes": notes or [],
    }


def share(part: int, whole: int) -> float | None:
    """PART of WHOLE in percent, rounded to one decimal, or None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def breakdown_rows(block: dict, data: dict) -> list[tuple[str, object]]:
    """A total and its breakdowns ("by_…" counts) as (label, value) rows, labels in Vietnamese, in order."""
    rows = [("Tổng số", block["total"])]
    for key, counts in block.items():
        if key == "total" or key not in BREAKDOWN_LABELS:
            continue
        title, kind = BREAKDOWN_LABELS[key]
        rows += [(f"{title}: {label_of(kind, code, data)}", counts[code]) for code in in_order(kind, counts, data)]
    return rows


def breakdown_tables(indicator_id: str, title: str, block: dict, data: dict) -> list[dict]:
    """The plain layout: one two-column table (breakdown, figure), for indicators without their own."""
    rows = [[label, value] for label, value in breakdown_rows(block, data)]
    return [
        table(
            indicator_id,
            "",
            title,
            head=[[{"label": "Chỉ tiêu, phân tổ"}, {"label": "Số liệu"}]],
            kinds=["label", "count"],
            rows=rows[1:],
            total=rows[0],
        )
    ]


@dataclass(frozen=True)
class Indicator:
    """One statistical indicator. COMPUTE(context) → its figures (a JSON-able dict); TABLES(figures, the
    report's data, title) → its tables in documents (reports/indicators/base.table). Its code and its name in
    Thông tư 13/2021 come from `circular` (data, filled where an official copy was read)."""

    id: str
    name_vi: str
    name_en: str
    definition: str
    group: str
    compute: Callable[[Context], dict]
    tables: Callable[[dict, dict, str], list[dict]] | None = None
    # Which figure of the block each sub-unit's row of the roll-up tables reads, if any.
    by_subunit: str = ""
    by_commune: str = ""
    column: str = ""  # the roll-up column's heading

    def describe(self, corrections: dict | None = None) -> dict:
        """What a submitted report freezes of the definition it was computed with (CORRECTIONS: the codes
        configured in the administration, when the caller read them already)."""
        reference = circular.reference(self.id, corrections)
        return {
            "id": self.id,
            "code": reference.code,
            "circular_name": reference.name,
            "code_source": reference.source,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "definition": self.definition,
            "group": self.group,
            "column": self.column,
        }

    def table_list(self, block: dict, data: dict, title: str) -> list[dict]:
        if self.tables is None:
            return breakdown_tables(self.id, title, block, data)
        return self.tables(block, data, title)
