"""The abuse indicators: children abused, cases (vụ), reports received."""

from cases.ages import age_group
from cases.selectors import statistics
from notifications.calendar import LOCAL

from .base import Context, Indicator, count
from .registry import register


def _abused_children(context: Context) -> dict:
    sub, forms = context.sub, context.forms_by_report
    children = {}
    for _pk, child, commune_path, sex, birth, received, report_id, setting in context.cases_opened:
        children.setdefault(
            (child, commune_path),
            (
                sex,
                age_group(birth, received.astimezone(LOCAL).date()),
                forms[report_id],
                setting,
                sub.code_of(commune_path),
            ),
        )
    rows = children.values()
    return {
        "total": len(children),
        "by_sex": count(row[0] for row in rows),
        "by_age_group": count(row[1] for row in rows),
        "by_abuse_form": count(form for row in rows for form in row[2]),
        "by_setting": count(row[3] for row in rows),
        "by_subunit": count(row[4] for row in rows),
    }


def _abuse_cases(context: Context) -> dict:
    reports = {}
    for _pk, _child, commune_path, _sex, _birth, _received, report_id, setting in context.cases_opened:
        reports[report_id] = (setting, commune_path)
    forms = context.forms_by_report
    return {
        "total": len(reports),
        "by_abuse_form": count(form for report_id in reports for form in forms[report_id]),
        "by_setting": count(setting for setting, _path in reports.values()),
        "by_subunit": count(context.sub.code_of(path) for _setting, path in reports.values()),
    }


def _reports_by_source(context: Context) -> dict:
    received = statistics.reports_received(context.path, context.start, context.end)
    return {
        "total": len(received),
        "by_source": count(source for source, _path in received),
        "by_subunit": count(context.sub.code_of(path) for _source, path in received),
    }


register(
    Indicator(
        "abused_children",
        "Số trẻ em bị xâm hại",
        "Abused children",
        "Trẻ em có hồ sơ trường hợp mở trong kỳ (trừ vụ việc không thuộc phạm vi bảo vệ trẻ em).",
        "abuse",
        _abused_children,
    )
)
register(
    Indicator(
        "abuse_cases",
        "Số vụ xâm hại trẻ em",
        "Abuse cases",
        "Số vụ (thông tin, thông báo, tố giác) có ít nhất một hồ sơ trường hợp trong kỳ.",
        "abuse",
        _abuse_cases,
    )
)
register(
    Indicator(
        "reports_by_source",
        "Số thông tin, thông báo, tố giác tiếp nhận",
        "Reports received",
        "Mọi thông tin, thông báo, tố giác tiếp nhận trong kỳ, theo nguồn.",
        "abuse",
        _reports_by_source,
    )
)
