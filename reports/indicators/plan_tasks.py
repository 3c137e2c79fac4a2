"""The multi-agency plans' tasks falling due in the period, by lead agency."""

from plans.selectors import occurrences_due

from .base import Context, Indicator
from .registry import register


def _plan_tasks(context: Context) -> dict:
    occurrences = occurrences_due(context.path, context.period.start, context.period.end)
    check_day = min(context.today, context.period.end)
    per_agency = {}
    for agency, is_done, is_closed, due in occurrences:
        row = per_agency.setdefault(agency, {"total": 0, "done": 0, "overdue": 0})
        row["total"] += 1
        row["done"] += is_done
        row["overdue"] += not is_closed and due < check_day
    return {"total": len(occurrences), "by_lead_agency": dict(sorted(per_agency.items()))}


def _rows(block: dict, _data: dict) -> list:
    return [
        ("Tổng số lần thực hiện đến hạn", block["total"]),
        *[
            (name, f"{row['done']}/{row['total']} hoàn thành, {row['overdue']} quá hạn")
            for name, row in block["by_lead_agency"].items()
        ],
    ]


register(
    Indicator(
        "plan_tasks",
        "Nhiệm vụ kế hoạch",
        "Plan tasks",
        "Lần thực hiện nhiệm vụ đến hạn trong kỳ của các kế hoạch thuộc đơn vị, theo cơ quan chủ trì.",
        "plans",
        _plan_tasks,
        _rows,
    )
)
