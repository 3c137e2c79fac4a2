"""The periodic report as PDF (Decree 30/2020 layout, tables and a chart drawn as SVG) and XLSX."""

import io

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Font

from config.pdf import render_pdf

from .indicators import GROUPS, definition, definitions
from .indicators.base import LABELS, breakdown_rows


def tables(data: dict) -> list[dict]:
    """The report's tables, in order: {id, title, group, rows: [(label, value)]}; shared by PDF, XLSX and pages.

    A submitted report carries the tables it froze, and is shown from them. Live figures (and reports
    frozen before tables were) are laid out by each indicator's definition: registered, or retired
    (kept for reading old reports); the title is the frozen definition's when there is one.
    """
    if "tables" in data:
        return [{**table, "rows": [tuple(row) for row in table["rows"]]} for table in data["tables"]]
    frozen = {definition["id"]: definition for definition in data.get("definitions", [])}
    result = []
    for indicator_id, block in data["indicators"].items():
        reader = definition(indicator_id)
        described = frozen.get(indicator_id) or (reader.describe() if reader else None)
        if described is None:
            continue  # figures that no definition, frozen or kept, can say anything about
        rows = reader.rows(block, data) if reader else breakdown_rows(block, data)
        result.append({"id": indicator_id, "title": described["name_vi"], "group": described["group"], "rows": rows})
    return result


def freeze(data: dict) -> dict:
    """The figures as a submitted report keeps them: with the definitions, the group titles and the
    tables (in Vietnamese, whatever the submitter's language) they were read by."""
    with translation.override("vi"):
        laid_out = [{**table, "rows": [list(row) for row in table["rows"]]} for table in tables(data)]
    return {**data, "definitions": definitions(), "groups": dict(GROUPS), "tables": laid_out}


def bar_chart_svg(counts: dict[str, int], labels: dict[str, str], width: int = 460) -> str:
    """A horizontal bar chart as SVG, drawn on the server (no script, no external library)."""
    if not counts:
        return ""
    top = max(counts.values()) or 1
    bar_height, gap, label_width = 16, 6, 220
    height = len(counts) * (bar_height + gap)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="10">']
    for index, (code, value) in enumerate(counts.items()):
        y = index * (bar_height + gap)
        length = int((width - label_width - 40) * value / top)
        label = str(labels.get(code, code)).replace("&", "&amp;").replace("<", "&lt;")
        parts.append(f'<text x="0" y="{y + 12}">{label[:40]}</text>')
        parts.append(f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" fill="#2f5597"/>')
        parts.append(f'<text x="{label_width + length + 4}" y="{y + 12}">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)


def report_pdf(
    data: dict, *, issuer: str, assessment: str = "", proposals: str = "", rollup: list | None = None
) -> bytes:
    abused = data["indicators"].get("abused_children", {})
    context = {
        "data": data,
        "tables": tables(data),
        "groups": data.get("groups", GROUPS),
        "chart": bar_chart_svg(abused.get("by_abuse_form", {}), LABELS["abuse_form"]),
        "assessment": assessment,
        "proposals": proposals,
        "rollup": rollup or [],
        "issuer_parent": "",
        "issuer": issuer,
        "document_number": "",
        "document_date": timezone.localdate(),
        "place": data["unit"]["name"],
        "document_title": "Báo cáo tình hình xâm hại trẻ em và công tác bảo vệ trẻ em",
        "document_subtitle": f"{data['unit']['name']} – {data['period']['label']}",
        "signer_title": "Thủ trưởng cơ quan",
        "signer_name": "",
        "seal": True,
        "recipients": ["Cấp trên trực tiếp", "Lưu: VT"],
    }
    return render_pdf("reports/pdf/report.html", context)


def report_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    by_group: dict[str, list] = {}
    for table in tables(data):
        by_group.setdefault(table["group"], []).append(table)
    for group, group_tables in by_group.items():
        sheet = workbook.create_sheet(data.get("groups", GROUPS).get(group, GROUPS.get(group, group))[:31])
        sheet.append([f"{data['unit']['name']} – {data['period']['label']}"])
        sheet["A1"].font = Font(bold=True)
        for table in group_tables:
            sheet.append([])
            sheet.append([table["title"]])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            for label, value in table["rows"]:
                sheet.append([label, value])
        sheet.column_dimensions["A"].width = 60
        sheet.column_dimensions["B"].width = 30
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
