"""Support and intervention: children supported, children in special circumstances."""

from cases.selectors import statistics

from .base import Context, Indicator, count
from .registry import register


def _children_supported(context: Context) -> dict:
    cases = statistics.cases_with_plan_approved(context.path, context.start, context.end)
    measures = statistics.approved_measures([pk for pk, _child, _path in cases])
    children = {(child, commune) for _pk, child, commune in cases}
    return {
        "total": len(children),
        "by_service": count(service for service, _agency_type in measures),
        "by_agency_type": count(agency_type for _service, agency_type in measures),
        "by_subunit": count(context.sub.code_of(commune) for _child, commune in children),
    }


def _special_circumstances(context: Context) -> dict:
    rows = statistics.circumstances(context.path, context.period.start, context.period.end)
    assisted = statistics.children_with_plan_approved_before({row[0] for row in rows}, context.end)
    return {
        "total": len({row[0] for row in rows}),
        "by_group": count(group for _child, group, _path in rows),
        "assisted_by_group": count(group for child, group, _path in rows if child in assisted),
        "by_subunit": count(context.sub.code_of(path) for _child, path in {(c, p) for c, _g, p in rows}),
    }


register(
    Indicator(
        "children_supported",
        "Số trẻ em được hỗ trợ, can thiệp",
        "Children who received support",
        "Trẻ em có kế hoạch hỗ trợ, can thiệp được phê duyệt trong kỳ.",
        "support",
        _children_supported,
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
    )
)
