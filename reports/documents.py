"""The periodic report as PDF (Decree 30/2020 layout, tables and a chart drawn as SVG) and XLSX."""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from cases.choices import AbuseForm, CircumstanceGroup, ReportSource, ServiceType, Setting, Sex
from config.pdf import render_pdf

from .indicators import GROUPS, INDICATORS

LABELS = {
    "sex": dict(Sex.choices),
    "abuse_form": dict(AbuseForm.choices),
    "setting": dict(Setting.choices),
    "source": dict(ReportSource.choices),
    "service": dict(ServiceType.choices),
    "group": dict(CircumstanceGroup.choices),
}
BREAKDOWN_LABELS = {
    "by_sex": ("Giới tính", "sex"),
    "by_age_group": ("Nhóm tuổi", None),
    "by_abuse_form": ("Hình thức xâm hại", "abuse_form"),
    "by_setting": ("Môi trường xảy ra", "setting"),
    "by_source": ("Nguồn thông tin", "source"),
    "by_service": ("Biện pháp hỗ trợ", "service"),
    "by_agency_type": ("Loại cơ quan", None),
    "by_group": ("Nhóm hoàn cảnh đặc biệt", "group"),
    "assisted_by_group": ("Được trợ giúp, theo nhóm", "group"),
    "by_subunit": ("Theo đơn vị", "subunit"),
}


def tables(data: dict) -> list[dict]:
    """The report's tables, in order: (title, rows of (label, value)); shared by PDF, XLSX and pages."""
    result = []
    subunits = data.get("subunits", {})
    values = data["indicators"]
    for indicator in INDICATORS:
        block = values[indicator.id]
        if indicator.id == "timeliness":
            rows = [
                (
                    kind_label(kind),
                    f"{v['on_time']}/{v['total']}" + (f" ({v['share']}%)" if v["share"] is not None else ""),
                )
                for kind, v in block.items()
            ]
            result.append({"id": indicator.id, "title": indicator.name_vi, "group": indicator.group, "rows": rows})
            continue
        if indicator.id == "case_files":
            rows = [
                ("Đang mở cuối kỳ", block["open"]),
                ("Quá hạn cuối kỳ", block["overdue"]),
                ("Kết thúc trong kỳ", block["closed_in_period"]),
            ]
            rows += [(f"Quá hạn – {subunits.get(code, code)}", n) for code, n in block["overdue_by_subunit"].items()]
            result.append({"id": indicator.id, "title": indicator.name_vi, "group": indicator.group, "rows": rows})
            continue
        if indicator.id == "plan_tasks":
            rows = [
                (name, f"{row['done']}/{row['total']} hoàn thành, {row['overdue']} quá hạn")
                for name, row in block["by_lead_agency"].items()
            ]
            result.append(
                {
                    "id": indicator.id,
                    "title": indicator.name_vi,
                    "group": indicator.group,
                    "rows": [("Tổng số lần thực hiện đến hạn", block["total"]), *rows],
                }
            )
            continue
        if indicator.id == "assignments":
            rows = [("Tổng số", block["total"])] + [
                (f"{agency_type}: {status}", n)
                for agency_type, statuses in block["by_agency_type_and_status"].items()
                for status, n in statuses.items()
            ]
            result.append({"id": indicator.id, "title": indicator.name_vi, "group": indicator.group, "rows": rows})
            continue
        rows = [("Tổng số", block["total"])]
        for key, counts in block.items():
            if key == "total" or key not in BREAKDOWN_LABELS:
                continue
            title, kind = BREAKDOWN_LABELS[key]
            for code, n in counts.items():
                label = subunits.get(code, code or "—") if kind == "subunit" else LABELS.get(kind, {}).get(code, code)
                rows.append((f"{title}: {label}", n))
        result.append({"id": indicator.id, "title": indicator.name_vi, "group": indicator.group, "rows": rows})
    return result


def kind_label(kind: str) -> str:
    return {
        "emergency_decision": "Quyết định can thiệp khẩn cấp trong 12 giờ",
        "plan_submission": "Trình kế hoạch trong 5 ngày làm việc",
        "plan_approval": "Phê duyệt kế hoạch trong 7 ngày làm việc",
    }.get(kind, kind)


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
    abused = data["indicators"]["abused_children"]
    context = {
        "data": data,
        "tables": tables(data),
        "groups": GROUPS,
        "chart": bar_chart_svg(abused["by_abuse_form"], LABELS["abuse_form"]),
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
        sheet = workbook.create_sheet(GROUPS[group][:31])
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
