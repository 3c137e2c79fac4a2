"""The procedure and the agencies' work: timeliness of the legal steps, assignments, case files at period end."""

from collections import Counter, defaultdict

from cases.choices import DeadlineKind
from cases.selectors import statistics

from .base import Context, Indicator, count, label_of
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
        result[kind.value] = {
            "on_time": on_time,
            "total": len(rows),
            "share": round(100 * on_time / len(rows), 1) if rows else None,
        }
    return result


def _timeliness_rows(block: dict, _data: dict) -> list:
    return [
        (
            KIND_LABELS.get(kind, kind),
            f"{v['on_time']}/{v['total']}" + (f" ({v['share']}%)" if v["share"] is not None else ""),
        )
        for kind, v in block.items()
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


def _assignment_rows(block: dict, data: dict) -> list:
    return [("Tổng số", block["total"])] + [
        (f"{label_of('agency_type', agency_type, data)}: {label_of('status', status, data)}", number)
        for agency_type, statuses in block["by_agency_type_and_status"].items()
        for status, number in statuses.items()
    ]


def _case_files(context: Context) -> dict:
    open_rows = statistics.cases_open_at(context.path, context.end)
    late = statistics.cases_late_at([pk for pk, _path in open_rows], context.end)
    closed = statistics.cases_closed(context.path, context.start, context.end)
    code_of = context.sub.code_of
    return {
        "open": len(open_rows),
        "overdue": len(late),
        "closed_in_period": len(closed),
        "open_by_subunit": count(code_of(path) for _pk, path in open_rows),
        "overdue_by_subunit": count(code_of(path) for pk, path in open_rows if pk in late),
    }


def _case_file_rows(block: dict, data: dict) -> list:
    rows = [
        ("Đang mở cuối kỳ", block["open"]),
        ("Quá hạn cuối kỳ", block["overdue"]),
        ("Kết thúc trong kỳ", block["closed_in_period"]),
    ]
    overdue = block["overdue_by_subunit"].items()
    return rows + [(f"Quá hạn – {label_of('subunit', code, data)}", number) for code, number in overdue]


register(
    Indicator(
        "timeliness",
        "Tính kịp thời của quy trình",
        "Timeliness of the procedure",
        "Số thời hạn đáp ứng đúng hạn trên tổng số thời hạn của các hồ sơ mở trong kỳ.",
        "procedure",
        _timeliness,
        _timeliness_rows,
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
        _assignment_rows,
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
        _case_file_rows,
    )
)
