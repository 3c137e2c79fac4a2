"""Support and intervention: children supported, children in special circumstances."""

from cases.selectors import statistics

from .base import ORDER, Context, Indicator, count, in_order, label_of, share, table
from .registry import register


def _children_supported(context: Context) -> dict:
    cases = statistics.cases_with_plan_approved(context.path, context.start, context.end)
    measures = statistics.approved_measures([pk for pk, _child, _path in cases])
    children = {(child, commune) for _pk, child, commune in cases}
    return {
        "total": len(children),
        "measures": len(measures),
        "by_service": count(service for service, _agency_type in measures),
        "by_agency_type": count(agency_type for _service, agency_type in measures),
        "by_subunit": count(context.sub.code_of(commune) for _child, commune in children),
        "by_commune": count(context.sub.commune_of(commune) for _child, commune in children),
    }


def _supported_tables(block: dict, data: dict, title: str) -> list[dict]:
    services = in_order("service", set(ORDER["service"]) | set(block["by_service"]), data)
    agency_types = in_order("agency_type", block["by_agency_type"], data)
    lead = f"Tổng số trẻ em được hỗ trợ, can thiệp trong kỳ: {block['total']}."
    by_service = table(
        "children_supported",
        "by_service",
        f"{title}: các biện pháp hỗ trợ, can thiệp đã phê duyệt, theo loại biện pháp",
        head=[[{"label": "Biện pháp hỗ trợ, can thiệp"}, {"label": "Số biện pháp"}]],
        kinds=["label", "count"],
        rows=[[label_of("service", service, data), block["by_service"].get(service, 0)] for service in services],
        total=["Tổng số biện pháp", block.get("measures", sum(block["by_service"].values()))],
    )
    by_service["lead"] = lead
    by_agency = table(
        "children_supported",
        "by_agency_type",
        f"{title}: các biện pháp hỗ trợ, can thiệp đã phê duyệt, theo loại cơ quan thực hiện",
        head=[[{"label": "Cơ quan thực hiện"}, {"label": "Số biện pháp"}]],
        kinds=["label", "count"],
        rows=[[label_of("agency_type", code, data), block["by_agency_type"][code]] for code in agency_types],
        total=["Tổng số biện pháp", sum(block["by_agency_type"].values())],
    )
    return [by_service, by_agency]


def _special_circumstances(context: Context) -> dict:
    rows = statistics.circumstances(context.path, context.period.start, context.period.end)
    assisted = statistics.children_with_plan_approved_before({row[0] for row in rows}, context.end)
    children = {(child, path) for child, _group, path in rows}
    return {
        "total": len({row[0] for row in rows}),
        "assisted_total": len({row[0] for row in rows if row[0] in assisted}),
        "by_group": count(group for _child, group, _path in rows),
        "assisted_by_group": count(group for child, group, _path in rows if child in assisted),
        "by_subunit": count(context.sub.code_of(path) for _child, path in children),
        "by_commune": count(context.sub.commune_of(path) for _child, path in children),
    }


def _circumstances_tables(block: dict, data: dict, title: str) -> list[dict]:
    groups = in_order("group", set(ORDER["group"]) | set(block["by_group"]), data)
    rows = []
    for group in groups:
        children, assisted = block["by_group"].get(group, 0), block["assisted_by_group"].get(group, 0)
        rows.append([label_of("group", group, data), children, assisted, share(assisted, children)])
    assisted_total = block.get("assisted_total", 0)
    return [
        table(
            "special_circumstances",
            "",
            f"{title}, theo nhóm (Điều 10 Luật Trẻ em), và số được trợ giúp",
            head=[
                [
                    {"label": "Nhóm trẻ em có hoàn cảnh đặc biệt"},
                    {"label": "Số trẻ em"},
                    {"label": "Được trợ giúp"},
                    {"label": "Tỷ lệ được trợ giúp"},
                ]
            ],
            kinds=["label", "count", "count", "percent"],
            rows=rows,
            total=["Tổng số trẻ em", block["total"], assisted_total, share(assisted_total, block["total"])],
            notes=["Một trẻ em có thể thuộc nhiều nhóm. Được trợ giúp: có kế hoạch hỗ trợ, can thiệp được phê duyệt."],
        )
    ]


register(
    Indicator(
        "children_supported",
        "Số trẻ em được hỗ trợ, can thiệp",
        "Children who received support",
        "Trẻ em có kế hoạch hỗ trợ, can thiệp được phê duyệt trong kỳ.",
        "support",
        _children_supported,
        _supported_tables,
        by_subunit="by_subunit",
        by_commune="by_commune",
        column="Trẻ em được hỗ trợ, can thiệp",
    )
)
register(
    Indicator(
        "special_circumstances",
        "Số trẻ em có hoàn cảnh đặc biệt",
        "Children in special circumstances",
        "Trẻ em thuộc các nhóm tại Điều 10 Luật Trẻ em trong kỳ; được trợ giúp: có kế hoạch được phê duyệt.",
        "support",
        _special_circumstances,
        _circumstances_tables,
        by_subunit="by_subunit",
        by_commune="by_commune",
        column="Trẻ em có hoàn cảnh đặc biệt",
    )
)
