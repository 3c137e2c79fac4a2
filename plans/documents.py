"""Báo cáo kết quả thực hiện Kế hoạch: PDF in the Decree 30/2020 layout and XLSX with the same table."""

import datetime
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from config.pdf import render_pdf

from .models import OccurrenceStatus, Plan

STATUS_VI = {
    OccurrenceStatus.NOT_STARTED: "Chưa thực hiện",
    OccurrenceStatus.IN_PROGRESS: "Đang thực hiện",
    OccurrenceStatus.DONE: "Hoàn thành",
    OccurrenceStatus.NOT_DONE: "Không hoàn thành",
}
COLUMNS = ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tình trạng", "Số liệu", "Kết quả"]


def result_rows(plan: Plan, date_from: datetime.date | None, date_to: datetime.date | None) -> list[list]:
    """One row per occurrence due in the period: task, lead agency, due date, status, figures, narrative."""
    rows = []
    tasks = plan.tasks.select_related("lead_agency").prefetch_related("occurrences__reports").order_by("position")
    for task in tasks:
        for occurrence in task.occurrences.all():
            if (date_from and occurrence.due_date < date_from) or (date_to and occurrence.due_date > date_to):
                continue
            reports = list(occurrence.reports.all())
            figures: dict[str, int] = {}
            for report in reports:
                for name, value in report.figures.items():
                    figures[name] = figures.get(name, 0) + value
            rows.append(
                [
                    len(rows) + 1,
                    task.content,
                    task.lead_agency.name,
                    occurrence.due_date.strftime("%d/%m/%Y"),
                    STATUS_VI[occurrence.status],
                    "; ".join(f"{name}: {value}" for name, value in figures.items()),
                    " ".join(report.narrative for report in reports),
                ]
            )
    return rows


def results_pdf(plan: Plan, date_from=None, date_to=None) -> bytes:
    context = {
        "plan": plan,
        "rows": result_rows(plan, date_from, date_to),
        "date_from": date_from or plan.period_start,
        "date_to": date_to or plan.period_end,
        "issuer_parent": "",
        "issuer": plan.issuing_body,
        "document_number": "",
        "document_date": timezone.localdate(),
        "place": plan.unit.name.replace("Huyện ", "").replace(" (cũ)", ""),
        "document_title": "Báo cáo kết quả thực hiện Kế hoạch",
        "document_subtitle": f"Kế hoạch số {plan.number} ngày {plan.issued_on:%d/%m/%Y} – {plan.title}",
        "signer_title": "Thủ trưởng cơ quan",
        "signer_name": "",
        "seal": True,
        "recipients": plan.recipients or ["Lưu: VT"],
    }
    return render_pdf("plans/pdf/results.html", context)


def results_xlsx(plan: Plan, date_from=None, date_to=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Kết quả thực hiện"
    sheet.append([f"Báo cáo kết quả thực hiện Kế hoạch số {plan.number} – {plan.title}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(
        [
            f"{plan.issuing_body}; kỳ báo cáo {(date_from or plan.period_start):%d/%m/%Y} – "
            f"{(date_to or plan.period_end):%d/%m/%Y}"
        ]
    )
    sheet.append([])
    sheet.append(COLUMNS)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for row in result_rows(plan, date_from, date_to):
        sheet.append(row)
    for column, width in zip("ABCDEFG", (5, 70, 40, 12, 18, 30, 60), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
