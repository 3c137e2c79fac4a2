"""The periodic report as documents: the PDF in the Decree 30/2020 layout and the XLSX, from the same tables.

Tables are laid out like the official forms: the abuse indicators as forms of abuse (rows) by total, girls,
boys and age groups (columns); sub-units (rows) by indicator (columns) for a roll-up, with a total row equal
to the sum of its rows; a roll-up of the country (or of a province with intermediate units) carries an annex
of every commune. A submitted report freezes its tables and renders from them forever.
"""

import datetime

from django.utils import timezone, translation

from config.pdf import RenderedPdf, render_document
from config.vietnamese import date as vn_date
from config.vietnamese import upper
from outgoing.tables import for_print

from .indicators import GROUPS, circular, definition, definitions
from .indicators.base import breakdown_rows, table
from .indicators.circular import CIRCULAR
from .periods import period_in_words

BASES = [
    "Luật Trẻ em ngày 05 tháng 4 năm 2016",
    "Nghị định số 56/2017/NĐ-CP ngày 09 tháng 5 năm 2017 của Chính phủ quy định chi tiết một số điều của Luật Trẻ em",
    CIRCULAR,
]
TITLE = "Tình hình xâm hại trẻ em và công tác bảo vệ trẻ em"
ROMAN = ("I", "II", "III", "IV", "V", "VI")
BODY_UNITS = 40  # sub-units listed in the body's table; more go to the annex (fast layout, see annex_pages)
ANNEX_ROWS_PER_PAGE = 44  # rows of the annex's fast layout on a portrait A4 page, its first one too (annex_pages)


# ---------------------------------------------------------------------------------------------- tables


def _legacy(table_data: dict) -> dict:
    """A table frozen by an earlier release (rows of (label, value)) in today's shape."""
    if "head" in table_data:
        return table_data
    return {
        **table(
            table_data["id"],
            "",
            table_data["title"],
            head=[[{"label": "Chỉ tiêu, phân tổ"}, {"label": "Số liệu"}]],
            kinds=["label", "text"],
            rows=[list(row) for row in table_data["rows"]],
            group=table_data.get("group", ""),
        ),
        "id": table_data["id"],
    }


def _definitions_of(data: dict) -> dict:
    frozen = {item["id"]: item for item in data.get("definitions", [])}
    return frozen


def tables(data: dict) -> list[dict]:
    """The report's tables, in order, in Vietnamese: each {id, indicator, code, title, group, head, kinds, rows,
    total, notes}; shared by the PDF, the XLSX and the pages.

    A submitted report carries the tables it froze, and is shown from them. Live figures (and reports frozen
    before tables were) are laid out by each indicator's definition: registered, or retired (kept for reading
    old reports); the title is the frozen definition's when there is one."""
    if "tables" in data:
        return [_legacy(item) for item in data["tables"]]
    frozen = _definitions_of(data)
    corrections = circular.configured() if len(frozen) < len(data["indicators"]) else {}
    result = []
    with translation.override("vi"):
        for indicator_id, block in data["indicators"].items():
            reader = definition(indicator_id)
            described = frozen.get(indicator_id) or (reader.describe(corrections) if reader else None)
            if described is None:
                continue  # figures that no definition, frozen or kept, can say anything about
            title = described["name_vi"]
            if reader is not None:
                laid_out = reader.table_list(block, data, title)
            else:
                rows = breakdown_rows(block, data)
                laid_out = [_legacy({"id": indicator_id, "title": title, "rows": rows})]
            for item in laid_out:
                item.update(
                    group=described["group"],
                    code=described.get("code", ""),
                    indicator_name=described["name_vi"],
                    definition=described.get("definition", ""),
                )
            result += laid_out
    return result


def _rollup_columns(data: dict) -> list[tuple[str, str, str, str, str]]:
    """(indicator id, sub-unit figure, commune figure, heading, code) of the indicators with a roll-up column."""
    frozen = _definitions_of(data)
    corrections = circular.configured() if len(frozen) < len(data["indicators"]) else {}
    columns = []
    for indicator_id in data["indicators"]:
        reader = definition(indicator_id)
        if reader is None or not reader.by_subunit:
            continue
        described = frozen.get(indicator_id) or reader.describe(corrections)
        heading = described.get("column") or reader.column
        columns.append((indicator_id, reader.by_subunit, reader.by_commune, heading, described.get("code", "")))
    return columns


def _heading(heading: str, code: str) -> str:
    return f"{heading} (mã số {code})" if code else heading


def units_table(data: dict) -> dict | None:
    """Sub-units (rows) by indicator (columns), with the total row: the unit's own figures, which equal the sum
    of the rows by the counting rules (reports/indicators/base.py)."""
    if "units_table" in data:
        return data["units_table"]
    subunits = data.get("subunits") or {}
    if not subunits:
        return None
    columns = _rollup_columns(data)
    indicators = data["indicators"]
    rows = [
        [name, *(indicators[i].get(key, {}).get(code, 0) for i, key, _c, _h, _code in columns)]
        for code, name in subunits.items()
    ]
    total = ["Tổng số", *(sum(row[1 + index] for row in rows) for index in range(len(columns)))]
    level = "tỉnh, thành phố" if data["unit"]["level"] == "country" else "đơn vị trực thuộc"
    result = table(
        "units",
        "",
        f"Số liệu chủ yếu theo {level}",
        head=[[{"label": "Đơn vị"}, *({"label": _heading(h, c)} for _i, _k, _c, h, c in columns)]],
        kinds=["label", *(["count"] * len(columns))],
        rows=rows,
        total=total,
        notes=["Dòng tổng số bằng tổng các dòng đơn vị và bằng số liệu chung của báo cáo."],
        group="units",
    )
    result["numbered"] = True
    return result


def needs_annex(data: dict) -> bool:
    """A roll-up lists every commune in an annex when its sub-units are not the communes themselves, or when
    they are too many for the body (a province of 168 communes): long lists go to an annex."""
    communes, subunits = data.get("communes") or {}, data.get("subunits") or {}
    is_roll_up = data["unit"].get("level") in ("country", "province", "intermediate")
    return is_roll_up and bool(communes) and (set(communes) != set(subunits) or len(subunits) > BODY_UNITS)


def units_in_body(data: dict) -> bool:
    return 0 < len(data.get("subunits") or {}) <= BODY_UNITS


def annex_rows(data: dict) -> tuple[list[str], list[tuple[str, str, list[int | None]]]]:
    """The annex: headings, then (kind, label, figures) rows in the order of the official list (by code): one
    "commune" row per commune, and the "total" row, equal to the sum of the commune rows and to the report's
    figures. Read by the PDF and the XLSX alike.

    The communes of a sub-unit that is not a commune itself and holds several of them (a former district kept
    as an intermediate unit after the 2025 reform) come under a "group" heading row with no figures: a subtotal
    there would be counted twice by anyone adding up a column. A sub-unit that is a commune is listed once, as
    a commune."""
    if "annex" in data:
        return data["annex"]["headings"], [tuple(row) for row in data["annex"]["rows"]]
    columns = _rollup_columns(data)
    indicators = data["indicators"]
    headings = [_heading(h, c) for _i, _k, _c, h, c in columns]
    communes = data.get("communes", {})
    by_subunit: dict[str, list] = {}
    for code, commune in sorted(communes.items()):  # by official code, as the list runs
        figures = [indicators[i].get(key, {}).get(code, 0) for i, _k, key, _h, _c in columns]
        by_subunit.setdefault(commune["subunit"], []).append((commune["name"], figures))
    subunits = data.get("subunits", {})
    rows = []
    for subunit in [*subunits, *(s for s in by_subunit if s not in subunits)]:
        members = by_subunit.get(subunit, [])
        if subunit not in communes and len(members) > 1:
            rows.append(("group", subunits.get(subunit, "—"), [None] * len(columns)))
        rows += [("commune", name, figures) for name, figures in members]
    listed = [figures for kind, _label, figures in rows if kind == "commune"]
    rows.append(("total", "Tổng số", [sum(figures[i] for figures in listed) for i in range(len(columns))]))
    return headings, rows


def freeze(data: dict) -> dict:
    """The figures as a submitted report keeps them: with the definitions, the group titles and the tables
    (in Vietnamese, whatever the submitter's language) they were read by."""
    laid_out = tables(data)
    frozen = {**data, "definitions": definitions(), "groups": dict(GROUPS), "tables": laid_out}
    units = units_table(data)
    if units is not None:
        frozen["units_table"] = units
    if needs_annex(data):
        headings, rows = annex_rows(data)
        frozen["annex"] = {"headings": headings, "rows": [list(row) for row in rows]}
    return frozen


# ---------------------------------------------------------------------------------------------- the PDF


def _quarter_ems(text: str) -> int:
    """Width of TEXT in quarter ems of Liberation Serif: digits are half an em, dots and spaces a quarter."""
    return sum(2 if character.isdigit() else 1 for character in text)


def _grid(width: float, lines: int, line: float, columns: int, column: float) -> str:
    """An SVG (as a data URL) of the rules between LINES rows and between COLUMNS columns of a cell."""
    from urllib.parse import quote

    # One path for every rule: WeasyPrint draws an SVG element by element, and a page has fifty rules.
    rules = [f"M0 {line * k:g}H{width:g}" for k in range(1, lines)]
    rules += [f"M{column * k:g} 0V{line * lines:g}" for k in range(1, columns)]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}pt" height="{line * lines:g}pt" '
        f'viewBox="0 0 {width:g} {line * lines:g}"><path stroke="#000" stroke-width="0.5" fill="none" '
        f'd="{"".join(rules)}"/></svg>'
    )
    return "data:image/svg+xml," + quote(svg)


def annex_pages(data: dict) -> dict | None:
    """The annex laid out for WeasyPrint, which is slow on long tables (about 6 ms a row of nine cells): each
    page is one table row of two cells of pre-formatted lines — names on the left, the figures on the right
    aligned on tab stops and padded to the right edge of their column — over an SVG grid drawn once per page.
    3,321 communes render in seconds instead of twenty."""
    if not needs_annex(data):
        return None
    from config.vietnamese import number

    headings, rows = annex_rows(data)
    font, line, column = 10.0, 13.0, 38.0  # points: font size, row height, width of a figure's column
    field = int((column - 4) / (font / 4))  # quarter ems a figure is padded to
    width = 467.7  # 165 mm of text width
    left = width - column * len(headings)
    pages, ordinal = [], 0
    for start in range(0, len(rows), ANNEX_ROWS_PER_PAGE):
        names, figures = [], []
        for kind, label, values in rows[start : start + ANNEX_ROWS_PER_PAGE]:
            if kind in ("group", "total"):  # a group's heading, or the total: in capitals, unnumbered
                names.append("      " + upper(label))
            else:
                ordinal += 1
                number_text = str(ordinal)
                names.append(" " * (2 * (5 - len(number_text))) + number_text + "  " + label)
            cells = ["" if value is None else number(value) for value in values]  # a group heading: none
            figures.append("".join(" " * (field - _quarter_ems(cell)) + cell + "\t" for cell in cells))
        lines = len(names)
        pages.append(
            {
                "names": "\n".join(names),
                "figures": "\n".join(figures),
                "lines": lines,
                "height": lines * line,
                "figures_width": column * len(headings),
                "grid_names": _grid(left, lines, line, 0, column),
                "grid_figures": _grid(column * len(headings), lines, line, len(headings), column),
            }
        )
    return {
        "headings": headings,
        "pages": pages,
        "font": font,
        "line": line,
        "column": column,
        "left": round(left, 2),
        "count": sum(1 for row in rows if row[0] == "commune"),  # the numbered rows: what the body says it lists
    }


def _period_dates(data: dict) -> tuple[str, str]:
    return vn_date(data["period"]["start"]), vn_date(data["period"]["end"])


def report_document(
    data: dict,
    *,
    letterhead: dict,
    symbol: str | None = None,
    number_symbol: str = "",
    issued_on: datetime.date | None = None,
    assessment: str = "",
    proposals: str = "",
    rollup: list | None = None,
) -> RenderedPdf:
    """The report in the Decree 30 layout. NUMBER_SYMBOL: its number from the register ("12/BC-UBND"); a draft
    has none and prints "Số:      /BC-UBND"."""
    start, end = _period_dates(data)
    groups = data.get("groups", GROUPS)
    sections, counter = [], 0
    for item in tables(data):
        counter += 1
        group = item.get("group", "")
        if not sections or sections[-1]["group"] != group:
            sections.append({"group": group, "title": groups.get(group, group), "tables": []})
        sections[-1]["tables"].append(for_print({**item, "number": counter}))
    units = units_table(data) if units_in_body(data) else None
    if units is not None:
        counter += 1
        units = for_print({**units, "number": counter})
    context = {
        **letterhead,
        "symbol": symbol or f"BC-{letterhead['symbol']}",
        "number_symbol": number_symbol,
        "draft": not number_symbol,
        "document_date": issued_on or timezone.localdate(),
        "document_type": "Báo cáo",
        "document_summary": f"{TITLE}\n{data['period']['label']}",  # the period on a line of its own
        "data": data,
        "bases": BASES,
        "period_start": start,
        "period_end": end,
        "period_in_words": period_in_words(data),
        "sections": sections,
        "units": units,
        "rollup": rollup or [],
        # The footnote on the (*) mark only when a row carries it.
        "rollup_differs": any(row["differs"] for row in rollup or []),
        "assessment": assessment,
        "proposals": proposals,
        "closing": f"Trên đây là báo cáo {TITLE.lower()} {data['period']['label']} của {letterhead['issuer_text']}./.",
        "annex": annex_pages(data),
    }
    parts = [
        part
        for part, present in (
            ("units", units is not None or context["annex"] is not None),
            ("rollup", bool(rollup)),
            ("assessment", True),
            ("proposals", True),
        )
        if present
    ]
    context["numbers"] = {part: ROMAN[index + 1] for index, part in enumerate(parts)}  # I is the figures
    return render_document("reports/pdf/report.html", context)


def report_pdf(data: dict, *, letterhead: dict | None = None, **options) -> bytes:
    """The report's PDF bytes (a draft's letterhead by default: the unit's People's Committee)."""
    if letterhead is None:
        letterhead = default_letterhead(data)
    return report_document(data, letterhead=letterhead, **options).content


def default_letterhead(data: dict) -> dict:
    from agencies.models import AdministrativeUnit
    from outgoing.letterhead import letterhead
    from outgoing.services import issuing_body_default

    code = data["unit"]["code"]
    unit = None
    if code != "VN":
        level = data["unit"].get("level")
        unit = AdministrativeUnit.objects.filter(code=code, **({"level": level} if level else {})).first()
    return letterhead(issuing_body_default(unit))


# ---------------------------------------------------------------------------------------------- the XLSX


def report_xlsx(data: dict, *, letterhead: dict | None = None, number_symbol: str = "", issued_on=None) -> bytes:
    from .spreadsheet import report_workbook

    if letterhead is None:
        letterhead = default_letterhead(data)
    return report_workbook(
        data,
        title=TITLE,
        letterhead=letterhead,
        number_symbol=number_symbol,
        issued_on=issued_on,
        tables=tables(data),
        units=units_table(data),
        annex=annex_rows(data) if needs_annex(data) else None,
    )
