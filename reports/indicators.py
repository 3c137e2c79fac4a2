"""Statistical indicators on child abuse (Thông tư 13/2021/TT-LĐTBXH), computed from case data for a unit
subtree and a period. No indicator carries a name or any personal data: only counts.

Counting rules, so that a parent's figure is always the sum of its sub-units':
- a case file counts in the commune responsible for it; a child counts once per commune (a child
  whose case moved counts in each commune that handled a case file for them in the period);
- a report (vụ) counts in the commune it was recorded for;
- children in special circumstances count in their commune of residence.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from agencies.access import ancestor_paths
from agencies.models import AdministrativeUnit
from cases.choices import CaseState
from cases.models import (
    Assignment,
    CaseFile,
    ChildCircumstance,
    PlanMeasure,
    Report,
    ReportAbuseForm,
)
from notifications.calendar import LOCAL
from notifications.models import Deadline

from .periods import Period

AGE_GROUPS = ((0, 6, "0-5"), (6, 11, "6-10"), (11, 16, "11-15"))  # 0–<6, 6–<11, 11–<16 (configurable here)


@dataclass(frozen=True)
class Indicator:
    id: str
    name_vi: str
    name_en: str
    definition: str
    group: str


INDICATORS = (
    Indicator(
        "abused_children",
        "Số trẻ em bị xâm hại",
        "Abused children",
        "Trẻ em có hồ sơ trường hợp mở trong kỳ (trừ vụ việc không thuộc phạm vi bảo vệ trẻ em).",
        "abuse",
    ),
    Indicator(
        "abuse_cases",
        "Số vụ xâm hại trẻ em",
        "Abuse cases",
        "Số vụ (thông tin, thông báo, tố giác) có ít nhất một hồ sơ trường hợp trong kỳ.",
        "abuse",
    ),
    Indicator(
        "reports_by_source",
        "Số thông tin, thông báo, tố giác tiếp nhận",
        "Reports received",
        "Mọi thông tin, thông báo, tố giác tiếp nhận trong kỳ, theo nguồn.",
        "abuse",
    ),
    Indicator(
        "children_supported",
        "Số trẻ em được hỗ trợ, can thiệp",
        "Children who received support",
        "Trẻ em có kế hoạch hỗ trợ, can thiệp được phê duyệt trong kỳ.",
        "support",
    ),
    Indicator(
        "special_circumstances",
        "Số trẻ em có hoàn cảnh đặc biệt",
        "Children in special circumstances",
        "Trẻ em thuộc các nhóm tại Điều 10 Luật Trẻ em trong kỳ; được trợ giúp: có kế hoạch được phê duyệt.",
        "support",
    ),
    Indicator(
        "timeliness",
        "Tính kịp thời của quy trình",
        "Timeliness of the procedure",
        "Số thời hạn đáp ứng đúng hạn trên tổng số thời hạn của các hồ sơ mở trong kỳ.",
        "procedure",
    ),
    Indicator(
        "assignments",
        "Việc giao cho các cơ quan",
        "Assignments to agencies",
        "Việc được giao trong kỳ, theo loại cơ quan và kết quả.",
        "procedure",
    ),
    Indicator(
        "case_files",
        "Hồ sơ trường hợp cuối kỳ",
        "Case files at period end",
        "Hồ sơ đang mở và quá hạn tại ngày cuối kỳ; hồ sơ kết thúc trong kỳ.",
        "procedure",
    ),
    Indicator(
        "plan_tasks",
        "Nhiệm vụ kế hoạch",
        "Plan tasks",
        "Lần thực hiện nhiệm vụ đến hạn trong kỳ của các kế hoạch thuộc đơn vị, theo cơ quan chủ trì.",
        "plans",
    ),
)
GROUPS = {
    "abuse": "Tình hình xâm hại trẻ em",
    "support": "Hỗ trợ, can thiệp",
    "procedure": "Quy trình và phối hợp",
    "plans": "Thực hiện kế hoạch",
}


def age_group(birth: datetime.date, on: datetime.date) -> str:
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for low, high, label in AGE_GROUPS:
        if low <= age < high:
            return label
    return "16+"


def _bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=LOCAL)
    end = datetime.datetime.combine(period.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=LOCAL)
    return start, end


class _SubUnits:
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


def _count(values) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def compute(unit: AdministrativeUnit | None, period: Period, *, today: datetime.date | None = None) -> dict:
    """Every indicator for UNIT's subtree (None: the whole country) and PERIOD."""
    start, end = _bounds(period)
    path = unit.path if unit else "/"
    sub = _SubUnits(unit)
    today = today or datetime.date.today()

    cases = (
        CaseFile.objects.filter(commune__path__startswith=path, opened_at__gte=start, opened_at__lt=end)
        .exclude(state=CaseState.NOT_CHILD_PROTECTION)
        .values_list(
            "pk",
            "child_id",
            "commune__path",
            "child__sex",
            "child__birth_date",
            "report__received_at",
            "report_id",
            "report__setting",
        )
    )
    cases = list(cases)
    case_ids = [row[0] for row in cases]
    forms_by_report = defaultdict(set)
    for report_id, form in ReportAbuseForm.objects.filter(report_id__in={row[6] for row in cases}).values_list(
        "report_id", "form"
    ):
        forms_by_report[report_id].add(form)

    children = {}
    for _pk, child, commune_path, sex, birth, received, report_id, setting in cases:
        children.setdefault(
            (child, commune_path),
            (
                sex,
                age_group(birth, received.astimezone(LOCAL).date()),
                forms_by_report[report_id],
                setting,
                sub.code_of(commune_path),
            ),
        )
    abused = {
        "total": len(children),
        "by_sex": _count(row[0] for row in children.values()),
        "by_age_group": _count(row[1] for row in children.values()),
        "by_abuse_form": _count(form for row in children.values() for form in row[2]),
        "by_setting": _count(row[3] for row in children.values()),
        "by_subunit": _count(row[4] for row in children.values()),
    }

    reports_in_scope = {}
    for _pk, _child, commune_path, _sex, _birth, _received, report_id, setting in cases:
        reports_in_scope[report_id] = (setting, commune_path)
    abuse_cases = {
        "total": len(reports_in_scope),
        "by_abuse_form": _count(form for report_id in reports_in_scope for form in forms_by_report[report_id]),
        "by_setting": _count(setting for setting, _path in reports_in_scope.values()),
        "by_subunit": _count(sub.code_of(path) for _setting, path in reports_in_scope.values()),
    }

    received = list(
        Report.objects.filter(commune__path__startswith=path, received_at__gte=start, received_at__lt=end).values_list(
            "source", "commune__path"
        )
    )
    reports_by_source = {
        "total": len(received),
        "by_source": _count(source for source, _p in received),
        "by_subunit": _count(sub.code_of(p) for _s, p in received),
    }

    supported_cases = list(
        CaseFile.objects.filter(
            commune__path__startswith=path,
            plans__status="approved",
            plans__decided_at__gte=start,
            plans__decided_at__lt=end,
        )
        .values_list("pk", "child_id", "commune__path")
        .distinct()
    )
    supported_ids = [row[0] for row in supported_cases]
    measures = PlanMeasure.objects.filter(plan__case_id__in=supported_ids, plan__status="approved")
    supported_children = {(child, commune) for _pk, child, commune in supported_cases}
    supported = {
        "total": len(supported_children),
        "by_service": _count(measures.values_list("service_type", flat=True)),
        "by_agency_type": _count(measures.values_list("agency__agency_type__code", flat=True)),
        "by_subunit": _count(sub.code_of(commune) for _child, commune in supported_children),
    }

    circumstances = list(
        ChildCircumstance.objects.filter(child__residence_commune__path__startswith=path)
        .filter(Q(since__isnull=True) | Q(since__lte=period.end))
        .filter(Q(until__isnull=True) | Q(until__gte=period.start))
        .values_list("child_id", "group", "child__residence_commune__path")
    )
    assisted_children = set(
        CaseFile.objects.filter(
            child_id__in={row[0] for row in circumstances}, plans__status="approved", plans__decided_at__lt=end
        ).values_list("child_id", flat=True)
    )
    special = {
        "total": len({row[0] for row in circumstances}),
        "by_group": _count(group for _child, group, _path in circumstances),
        "assisted_by_group": _count(group for child, group, _path in circumstances if child in assisted_children),
        "by_subunit": _count(sub.code_of(path) for _child, path in {(c, p) for c, _g, p in circumstances}),
    }

    case_type = ContentType.objects.get_for_model(CaseFile)
    timeliness = {}
    deadlines = Deadline.objects.filter(target_type=case_type, target_id__in=case_ids).exclude(state="cancelled")
    for kind in ("emergency_decision", "plan_submission", "plan_approval"):
        rows = list(deadlines.filter(kind=kind).values_list("state", "met_at", "due_at"))
        on_time = sum(1 for state, met, due in rows if state == "met" and met is not None and met <= due)
        timeliness[kind] = {
            "on_time": on_time,
            "total": len(rows),
            "share": round(100 * on_time / len(rows), 1) if rows else None,
        }

    assignment_rows = list(
        Assignment.objects.filter(
            case__commune__path__startswith=path, created_at__gte=start, created_at__lt=end
        ).values_list("agency__agency_type__code", "status", "case__commune__path")
    )
    by_type_and_status = defaultdict(Counter)
    for agency_type, status, _path in assignment_rows:
        by_type_and_status[agency_type][status] += 1
    assignments = {
        "total": len(assignment_rows),
        "by_agency_type_and_status": {k: dict(v) for k, v in sorted(by_type_and_status.items())},
        "by_subunit": _count(sub.code_of(p) for _t, _s, p in assignment_rows),
    }

    open_at_end = (
        CaseFile.objects.filter(commune__path__startswith=path, opened_at__lt=end)
        .exclude(state=CaseState.NOT_CHILD_PROTECTION)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
    )
    open_rows = list(open_at_end.values_list("pk", "commune__path"))
    late = set(
        Deadline.objects.filter(target_type=case_type, target_id__in=[pk for pk, _p in open_rows], due_at__lt=end)
        .filter(Q(state="open") | Q(met_at__gte=end))
        .values_list("target_id", flat=True)
    )
    closed = list(
        CaseFile.objects.filter(commune__path__startswith=path, closed_at__gte=start, closed_at__lt=end).values_list(
            "commune__path", flat=True
        )
    )
    case_files = {
        "open": len(open_rows),
        "overdue": len(late),
        "closed_in_period": len(closed),
        "open_by_subunit": _count(sub.code_of(p) for _pk, p in open_rows),
        "overdue_by_subunit": _count(sub.code_of(p) for pk, p in open_rows if pk in late),
    }

    from plans.models import CLOSED_OCCURRENCE_STATUSES, OccurrenceStatus, TaskOccurrence

    occurrences = list(
        TaskOccurrence.objects.filter(
            task__plan__unit__path__startswith=path, due_date__gte=period.start, due_date__lte=period.end
        ).values_list("task__lead_agency__name", "status", "due_date")
    )
    check_day = min(today, period.end)
    per_agency = defaultdict(lambda: {"total": 0, "done": 0, "overdue": 0})
    for agency, status, due in occurrences:
        row = per_agency[agency]
        row["total"] += 1
        row["done"] += status == OccurrenceStatus.DONE
        row["overdue"] += status not in CLOSED_OCCURRENCE_STATUSES and due < check_day
    plan_tasks = {"total": len(occurrences), "by_lead_agency": dict(sorted(per_agency.items()))}

    return {
        "unit": {
            "code": unit.code if unit else "VN",
            "name": unit.name if unit else "Toàn quốc",
            "level": unit.level if unit else "country",
        },
        "period": {
            "code": period.code,
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": period.label_vi,
        },
        "subunits": sub.names,
        "indicators": {
            "abused_children": abused,
            "abuse_cases": abuse_cases,
            "reports_by_source": reports_by_source,
            "children_supported": supported,
            "special_circumstances": special,
            "timeliness": timeliness,
            "assignments": assignments,
            "case_files": case_files,
            "plan_tasks": plan_tasks,
        },
    }
