"""The multi-agency plans' tasks falling due in the period, by lead agency."""

from plans.selectors import occurrences_due

from .base import Context, Indicator, share, table
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


def _tables(block: dict, _data: dict, title: str) -> list[dict]:
    rows = [
        [name, row["total"], row["done"], row["overdue"], share(row["done"], row["total"])]
        for name, row in block["by_lead_agency"].items()
    ]
    done, overdue = sum(row[2] for row in rows), sum(row[3] for row in rows)
    return [
        table(
            "plan_tasks",
            "",
            f"{title}: các lần thực hiện đến hạn trong kỳ, theo cơ quan chủ trì",
            head=[
                [
                    {"label": "Cơ quan chủ trì"},
                    {"label": "Số lần đến hạn"},
                    {"label": "Hoàn thành"},
                    {"label": "Quá hạn"},
                    {"label": "Tỷ lệ hoàn thành"},
                ]
            ],
            kinds=["label", "count", "count", "count", "percent"],
            rows=rows,
            total=["Tổng số", block["total"], done, overdue, share(done, block["total"])],
        )
    ]


register(
    Indicator(
        "plan_tasks",
        "Nhiệm vụ kế hoạch",
        "Plan tasks",
        "Lần thực hiện nhiệm vụ đến hạn trong kỳ của các kế hoạch thuộc đơn vị, theo cơ quan chủ trì.",
        "plans",
        _plan_tasks,
        _tables,
    )
)
