"""The abuse indicators: children abused and cases (vụ), both verified; reports received; case files reported
but not yet verified, and those found not to be child protection (base.py states the rule)."""

from collections import defaultdict

from cases.ages import age_group
from cases.choices import SEXUAL_ABUSE_FORMS, Sex
from cases.selectors import statistics
from notifications.calendar import LOCAL

from .base import AGE_GROUP_LABELS, ORDER, Context, Indicator, count, in_order, label_of, share, table
from .registry import register

SEXUAL = frozenset(SEXUAL_ABUSE_FORMS)
SEX_COLUMNS = {Sex.FEMALE: "Trẻ em gái", Sex.MALE: "Trẻ em trai", Sex.UNKNOWN: "Chưa rõ giới tính"}


def _children(rows, context: Context) -> dict:
    """Each child once per commune: (sex, age group, forms of abuse, setting, sub-unit, commune)."""
    sub, forms = context.sub, context.forms_by_report
    children: dict[tuple, list] = {}
    for _pk, child, commune_path, sex, birth, received, report_id, setting in sorted(rows, key=lambda r: (r[5], r[0])):
        key = (child, commune_path)
        if key in children:
            children[key][2] |= forms[report_id]  # a second report on the same child: every form counts
            continue
        group = age_group(birth, received.astimezone(LOCAL).date())
        children[key] = [sex, group, set(forms[report_id]), setting, sub.code_of(commune_path)]
        children[key].append(sub.commune_of(commune_path))
    return children


def _by_sex_and_age(children) -> dict:
    return {
        "total": len(children),
        "by_sex": count(c[0] for c in children),
        "by_age_group": count(c[1] for c in children),
    }


def _abused_children(context: Context) -> dict:
    children = _children(context.verified, context)
    rows = list(children.values())
    by_form, by_setting = defaultdict(list), defaultdict(list)
    for row in rows:
        for form in row[2]:
            by_form[form].append(row)
        by_setting[row[3]].append(row)
    return {
        **_by_sex_and_age(rows),
        "by_abuse_form": count(form for row in rows for form in row[2]),
        "by_setting": count(row[3] for row in rows),
        "by_subunit": count(row[4] for row in rows),
        "by_commune": count(row[5] for row in rows),
        "cross_abuse_form": {form: _by_sex_and_age(members) for form, members in sorted(by_form.items())},
        "cross_setting": {setting: _by_sex_and_age(members) for setting, members in sorted(by_setting.items())},
        "sexual_abuse": _by_sex_and_age([row for row in rows if row[2] & SEXUAL]),
        "verified_case_files": len(context.verified),
    }


def _present(block: dict, key: str, order: list[str], always: list[str]) -> list[str]:
    """The columns of a breakdown: those always shown, then any other with a figure."""
    seen = set(block.get(key, {}))
    return [code for code in order if code in always or code in seen]


def _cross_head(first: str, sexes: list[str], ages: list[str]) -> list[list[dict]]:
    return [
        [
            {"label": first, "rowspan": 2},
            {"label": "Tổng số", "rowspan": 2},
            {"label": "Giới tính", "colspan": len(sexes)},
            {"label": "Nhóm tuổi", "colspan": len(ages)},
        ],
        [{"label": SEX_COLUMNS[s]} for s in sexes] + [{"label": AGE_GROUP_LABELS[a]} for a in ages],
    ]


def _cross_row(label: str, cell: dict | None, sexes: list[str], ages: list[str]) -> list:
    cell = cell or {"total": 0, "by_sex": {}, "by_age_group": {}}
    return [
        label,
        cell["total"],
        *(cell["by_sex"].get(s, 0) for s in sexes),
        *(cell["by_age_group"].get(a, 0) for a in ages),
    ]


def _abused_tables(block: dict, data: dict, title: str) -> list[dict]:
    sexes = _present(block, "by_sex", ORDER["sex"], [Sex.FEMALE, Sex.MALE])
    ages = _present(block, "by_age_group", ORDER["age_group"], ORDER["age_group"][:3])
    kinds = ["label"] + ["count"] * (1 + len(sexes) + len(ages))
    forms_rows, styles, sexual_done = [], [], False
    cross = block.get("cross_abuse_form", {})
    for form in ORDER["abuse_form"]:
        if form in SEXUAL:
            if not sexual_done:
                forms_rows.append(_cross_row("Xâm hại tình dục", block.get("sexual_abuse"), sexes, ages))
                styles.append("")
                sexual_done = True
            words = label_of("abuse_form", form, data).partition(": ")[2] or label_of("abuse_form", form, data)
            forms_rows.append(_cross_row(f"– {words[:1].upper()}{words[1:]}", cross.get(form), sexes, ages))
            styles.append("sub")
        else:
            forms_rows.append(_cross_row(label_of("abuse_form", form, data), cross.get(form), sexes, ages))
            styles.append("")
    total = _cross_row("Tổng số trẻ em bị xâm hại", block, sexes, ages)
    settings = block.get("cross_setting", {})
    setting_rows = [
        _cross_row(label_of("setting", setting, data), settings.get(setting), sexes, ages)
        for setting in in_order("setting", set(ORDER["setting"]) | set(settings), data)
    ]
    by_forms = table(
        "abused_children",
        "by_abuse_form",
        f"{title}, theo hình thức xâm hại, giới tính và nhóm tuổi",
        head=_cross_head("Hình thức xâm hại", sexes, ages),
        kinds=kinds,
        rows=forms_rows,
        total=total,
        notes=[
            "Một trẻ em có thể bị nhiều hình thức xâm hại: tổng các dòng có thể lớn hơn tổng số trẻ em. "
            "Dòng “Xâm hại tình dục” đếm mỗi trẻ em một lần, dù bị một hay nhiều hành vi liệt kê bên dưới."
        ],
    )
    by_forms["row_styles"] = styles
    by_settings = table(
        "abused_children",
        "by_setting",
        f"{title}, theo môi trường xảy ra, giới tính và nhóm tuổi",
        head=_cross_head("Môi trường xảy ra", sexes, ages),
        kinds=kinds,
        rows=setting_rows,
        total=total,
    )
    return [by_forms, by_settings]


def _abuse_cases(context: Context) -> dict:
    reports = {}
    for _pk, _child, commune_path, _sex, _birth, _received, report_id, setting in context.verified:
        reports[report_id] = (setting, commune_path)
    forms = context.forms_by_report
    return {
        "total": len(reports),
        "by_abuse_form": count(form for report_id in reports for form in forms[report_id]),
        "sexual_abuse": sum(1 for report_id in reports if forms[report_id] & SEXUAL),
        "by_setting": count(setting for setting, _path in reports.values()),
        "by_subunit": count(context.sub.code_of(path) for _setting, path in reports.values()),
        "by_commune": count(context.sub.commune_of(path) for _setting, path in reports.values()),
    }


def _cases_tables(block: dict, data: dict, title: str) -> list[dict]:
    rows, styles, sexual_done = [], [], False
    rows.append(["Theo hình thức xâm hại", None])
    styles.append("section")
    for form in ORDER["abuse_form"]:
        if form in SEXUAL and not sexual_done:
            rows.append(["Xâm hại tình dục", block.get("sexual_abuse", 0)])
            styles.append("")
            sexual_done = True
        label = label_of("abuse_form", form, data)
        if form in SEXUAL:
            words = label.partition(": ")[2] or label
            label = f"– {words[:1].upper()}{words[1:]}"
        rows.append([label, block["by_abuse_form"].get(form, 0)])
        styles.append("sub" if form in SEXUAL else "")
    rows.append(["Theo môi trường xảy ra", None])
    styles.append("section")
    for setting in in_order("setting", set(ORDER["setting"]) | set(block["by_setting"]), data):
        rows.append([label_of("setting", setting, data), block["by_setting"].get(setting, 0)])
        styles.append("")
    result = table(
        "abuse_cases",
        "",
        title,
        head=[[{"label": "Phân tổ"}, {"label": "Số vụ"}]],
        kinds=["label", "count"],
        rows=rows,
        total=["Tổng số vụ xâm hại trẻ em", block["total"]],
        notes=["Một vụ có thể có nhiều hình thức xâm hại."],
    )
    result["row_styles"] = styles
    return [result]


def _reports_by_source(context: Context) -> dict:
    received = statistics.reports_received(context.path, context.start, context.end)
    return {
        "total": len(received),
        "by_source": count(source for source, _path in received),
        "by_subunit": count(context.sub.code_of(path) for _source, path in received),
        "by_commune": count(context.sub.commune_of(path) for _source, path in received),
    }


def _sources_tables(block: dict, data: dict, title: str) -> list[dict]:
    sources = in_order("source", set(ORDER["source"]) | set(block["by_source"]), data)
    return [
        table(
            "reports_by_source",
            "",
            f"{title}, theo nguồn thông tin",
            head=[[{"label": "Nguồn thông tin"}, {"label": "Số thông tin, thông báo, tố giác"}]],
            kinds=["label", "count"],
            rows=[[label_of("source", source, data), block["by_source"].get(source, 0)] for source in sources],
            total=["Tổng số", block["total"]],
        )
    ]


def _case_file_counts(rows, context: Context) -> dict:
    return {
        "total": len(rows),
        "by_sex": count(row[3] for row in rows),
        "by_subunit": count(context.sub.code_of(row[2]) for row in rows),
        "by_commune": count(context.sub.commune_of(row[2]) for row in rows),
    }


def _reported_unverified(context: Context) -> dict:
    return _case_file_counts(context.unverified, context)


def _not_child_protection(context: Context) -> dict:
    return _case_file_counts(context.not_child_protection, context)


def _verification_tables(block: dict, data: dict, title: str) -> list[dict]:
    indicators = data["indicators"]
    verified = indicators.get("abused_children", {}).get("verified_case_files", 0)
    outside = indicators.get("not_child_protection", {}).get("total", 0)
    whole = verified + block["total"] + outside
    rows = [
        ["Đã xác minh là xâm hại trẻ em", verified, share(verified, whole)],
        ["Chưa xác minh (chưa đánh giá nguy cơ ban đầu)", block["total"], share(block["total"], whole)],
        ["Xác định không thuộc phạm vi bảo vệ trẻ em", outside, share(outside, whole)],
    ]
    return [
        table(
            "reported_unverified",
            "verification",
            "Kết quả xác minh các trường hợp được thông báo trong kỳ",
            head=[[{"label": "Kết quả xác minh"}, {"label": "Số trường hợp"}, {"label": "Tỷ lệ"}]],
            kinds=["label", "count", "percent"],
            rows=rows,
            total=["Tổng số trường hợp được thông báo", whole, share(whole, whole)],
            notes=[
                "Một trường hợp là một trẻ em trong một thông tin, thông báo, tố giác. Trường hợp được coi là đã "
                "xác minh khi đã có biên bản đánh giá nguy cơ ban đầu (Mẫu 02), trừ trường hợp xác định không "
                "thuộc phạm vi bảo vệ trẻ em."
            ],
        )
    ]


def _no_tables(_block: dict, _data: dict, _title: str) -> list[dict]:
    return []  # shown in the verification table of `reported_unverified` and in the roll-up


register(
    Indicator(
        "abused_children",
        "Số trẻ em bị xâm hại",
        "Abused children",
        "Trẻ em có ít nhất một hồ sơ trường hợp mở trong kỳ đã được xác minh: đã có biên bản đánh giá nguy cơ ban "
        "đầu (Mẫu 02), ở bất kỳ trạng thái nào sau đó, kể cả đã kết thúc; trừ trường hợp xác định không thuộc "
        "phạm vi bảo vệ trẻ em. Mỗi trẻ em được đếm một lần tại mỗi xã xử lý hồ sơ.",
        "abuse",
        _abused_children,
        _abused_tables,
        by_subunit="by_subunit",
        by_commune="by_commune",
        column="Trẻ em bị xâm hại",
    )
)
register(
    Indicator(
        "abuse_cases",
        "Số vụ xâm hại trẻ em",
        "Abuse cases",
        "Số vụ (thông tin, thông báo, tố giác) có ít nhất một trường hợp đã được xác minh là xâm hại trẻ em, "
        "theo quy tắc của chỉ tiêu Số trẻ em bị xâm hại.",
        "abuse",
        _abuse_cases,
        _cases_tables,
        by_subunit="by_subunit",
        by_commune="by_commune",
        column="Số vụ xâm hại",
    )
)
register(
    Indicator(
        "reports_by_source",
        "Số thông tin, thông báo, tố giác tiếp nhận",
        "Reports received",
        "Mọi thông tin, thông báo, tố giác tiếp nhận trong kỳ, đã xác minh hay chưa, theo nguồn.",
        "abuse",
        _reports_by_source,
        _sources_tables,
        by_subunit="by_subunit",
        by_commune="by_commune",
        column="Thông tin, thông báo tiếp nhận",
    )
)
register(
    Indicator(
        "reported_unverified",
        "Số trường hợp được thông báo, chưa xác minh",
        "Reported, not yet verified",
        "Hồ sơ trường hợp mở trong kỳ chưa có biên bản đánh giá nguy cơ ban đầu (Mẫu 02), trừ trường hợp xác "
        "định không thuộc phạm vi bảo vệ trẻ em. Không tính vào Số trẻ em bị xâm hại.",
        "abuse",
        _reported_unverified,
        _verification_tables,
        by_subunit="by_subunit",
        by_commune="by_commune",
        column="Trường hợp chưa xác minh",
    )
)
register(
    Indicator(
        "not_child_protection",
        "Số trường hợp không thuộc phạm vi bảo vệ trẻ em",
        "Found not to be child protection",
        "Hồ sơ trường hợp mở trong kỳ được xác định không thuộc phạm vi bảo vệ trẻ em. Không tính vào Số trẻ em "
        "bị xâm hại.",
        "abuse",
        _not_child_protection,
        _no_tables,
        by_subunit="by_subunit",
        by_commune="by_commune",
        column="Không thuộc phạm vi bảo vệ trẻ em",
    )
)
