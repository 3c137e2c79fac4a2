"""The procedure and the agencies' work: timeliness of the legal steps, assignments, case files at period end."""

from collections import Counter, defaultdict

from cases.choices import AssignmentStatus, DeadlineKind
from cases.selectors import statistics

from .base import Context, Indicator, count, in_order, label_of, share, table
from .registry import register

TIMELY_KINDS = (DeadlineKind.EMERGENCY_DECISION, DeadlineKind.PLAN_SUBMISSION, DeadlineKind.PLAN_APPROVAL)
KIND_LABELS = {
    "emergency_decision": "Quyết định can thiệp khẩn cấp trong 12 giờ",
    "plan_submission": "Trình kế hoạch trong 5 ngày làm việc",
    "plan_approval": "Phê duyệt kế hoạch trong 7 ngày làm việc",
}


def _timeliness(context: Context) -> dict:
    case_ids = [row[0] for row in context.cases_opened]
    result = {}
    for kind in TIMELY_KINDS:
        rows = statistics.deadline_outcomes(case_ids, kind)
        on_time = sum(1 for state, met, due in rows if state == "met" and met is not None and met <= due)
        result[kind.value] = {"on_time": on_time, "total": len(rows), "share": share(on_time, len(rows))}
    return result


def _timeliness_tables(block: dict, _data: dict, title: str) -> list[dict]:
    rows = [
        [KIND_LABELS.get(kind, kind), value["on_time"], value["total"], share(value["on_time"], value["total"])]
        for kind, value in block.items()
    ]
    return [
        table(
            "timeliness",
            "",
            title,
            head=[
                [{"label": "Thời hạn theo quy trình"}, {"label": "Đúng hạn"}, {"label": "Tổng số"}, {"label": "Tỷ lệ"}]
            ],
            kinds=["label", "count", "count", "percent"],
            rows=rows,
            notes=["Các thời hạn của hồ sơ trường hợp mở trong kỳ (trừ thời hạn đã hủy)."],
        )
    ]


def _assignments(context: Context) -> dict:
    rows = statistics.assignments_created(context.path, context.start, context.end)
    by_type_and_status = defaultdict(Counter)
    for agency_type, status, _path in rows:
        by_type_and_status[agency_type][status] += 1
    return {
        "total": len(rows),
        "by_agency_type_and_status": {k: dict(v) for k, v in sorted(by_type_and_status.items())},
        "by_subunit": count(context.sub.code_of(path) for _type, _status, path in rows),
    }


def _assignment_tables(block: dict, data: dict, title: str) -> list[dict]:
    statuses = list(AssignmentStatus.values)
    grid = block["by_agency_type_and_status"]
    rows = [
        [label_of("agency_type", code, data), sum(grid[code].values()), *(grid[code].get(s, 0) for s in statuses)]
        for code in in_order("agency_type", grid, data)
    ]
    total = ["Tổng số", block["total"], *(sum(row[2 + i] for row in rows) for i in range(len(statuses)))]
    return [
        table(
            "assignments",
            "",
            f"{title}, theo loại cơ quan và kết quả",
            head=[
                [
                    {"label": "Loại cơ quan", "rowspan": 2},
                    {"label": "Tổng số", "rowspan": 2},
                    {"label": "Trong đó", "colspan": len(statuses)},
                ],
                [{"label": label_of("status", s, data)} for s in statuses],
            ],
            kinds=["label", "count", *(["count"] * len(statuses))],
            rows=rows,
            total=total,
        )
    ]


def _case_files(context: Context) -> dict:
    open_rows = statistics.cases_open_at(context.path, context.end)
    late = statistics.cases_late_at([pk for pk, _path in open_rows], context.end)
    closed = statistics.cases_closed(context.path, context.start, context.end)
    code_of, commune_of = context.sub.code_of, context.sub.commune_of
    return {
        "open": len(open_rows),
        "overdue": len(late),
        "closed_in_period": len(closed),
        "open_by_subunit": count(code_of(path) for _pk, path in open_rows),
        "overdue_by_subunit": count(code_of(path) for pk, path in open_rows if pk in late),
        "overdue_by_commune": count(commune_of(path) for pk, path in open_rows if pk in late),
    }


def _case_file_tables(block: dict, _data: dict, title: str) -> list[dict]:
    return [
        table(
            "case_files",
            "",
            title,
            head=[[{"label": "Hồ sơ trường hợp"}, {"label": "Số hồ sơ"}, {"label": "Tỷ lệ"}]],
            kinds=["label", "count", "percent"],
            rows=[
                ["Đang mở tại ngày cuối kỳ", block["open"], None],
                ["– Trong đó quá hạn", block["overdue"], share(block["overdue"], block["open"])],
                ["Kết thúc trong kỳ", block["closed_in_period"], None],
            ],
        )
    ]


register(
    Indicator(
        "timeliness",
        "Tính kịp thời của quy trình",
        "Timeliness of the procedure",
        "Số thời hạn đáp ứng đúng hạn trên tổng số thời hạn của các hồ sơ mở trong kỳ.",
        "procedure",
        _timeliness,
        _timeliness_tables,
    )
)
register(
    Indicator(
        "assignments",
        "Việc giao cho các cơ quan",
        "Assignments to agencies",
        "Việc được giao trong kỳ, theo loại cơ quan và kết quả.",
        "procedure",
        _assignments,
        _assignment_tables,
    )
)
register(
    Indicator(
        "case_files",
        "Hồ sơ trường hợp cuối kỳ",
        "Case files at period end",
        "Hồ sơ đang mở và quá hạn tại ngày cuối kỳ; hồ sơ kết thúc trong kỳ.",
        "procedure",
        _case_files,
        _case_file_tables,
        by_subunit="overdue_by_subunit",
        by_commune="overdue_by_commune",
        column="Hồ sơ quá hạn cuối kỳ",
    )
)
