"""Báo cáo kết quả thực hiện Kế hoạch: PDF in the Decree 30/2020 layout and XLSX with the same tables.

Downloaded from the plan page it is a draft ("Số:      /BC-UBND"); issued, it takes the next number of the
issuing body's outgoing register (plans.services.plan_results_issue) and is kept there, signed or not."""

import datetime
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.page import PageMargins

from agencies.models import UnitLevel
from config.pdf import RenderedPdf, render_document
from config.vietnamese import date as vn_date
from config.vietnamese import number, share
from outgoing.letterhead import letterhead
from outgoing.models import IssuingBody
from outgoing.services import issuing_body_default

from .models import CLOSED_OCCURRENCE_STATUSES, OccurrenceStatus, Plan

STATUS_VI = {
    OccurrenceStatus.NOT_STARTED: "Chưa thực hiện",
    OccurrenceStatus.IN_PROGRESS: "Đang thực hiện",
    OccurrenceStatus.DONE: "Hoàn thành",
    OccurrenceStatus.NOT_DONE: "Không hoàn thành",
}
COLUMNS = ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn", "Tình trạng", "Số liệu", "Kết quả"]
AGENCY_COLUMNS = [
    "TT",
    "Cơ quan chủ trì",
    "Số lần đến hạn",
    "Hoàn thành",
    "Không hoàn thành",
    "Quá hạn",
    "Tỷ lệ hoàn thành",
]


def period_of(plan: Plan, date_from: datetime.date | None, date_to: datetime.date | None) -> tuple:
    return date_from or plan.period_start, date_to or plan.period_end


def _occurrences(plan: Plan, date_from, date_to):
    tasks = plan.tasks.select_related("lead_agency").prefetch_related("occurrences__reports").order_by("position")
    for task in tasks:
        for occurrence in task.occurrences.all():
            if (date_from and occurrence.due_date < date_from) or (date_to and occurrence.due_date > date_to):
                continue
            yield task, occurrence


def result_rows(plan: Plan, date_from: datetime.date | None, date_to: datetime.date | None) -> list[list]:
    """One row per occurrence due in the period: task, lead agency, due date, status, figures, narrative."""
    rows = []
    for task, occurrence in _occurrences(plan, date_from, date_to):
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
                vn_date(occurrence.due_date),
                STATUS_VI[occurrence.status],
                "; ".join(f"{name}: {number(value)}" for name, value in figures.items()),
                " ".join(report.narrative for report in reports),
            ]
        )
    return rows


def agency_rows(plan: Plan, date_from, date_to, *, today: datetime.date) -> tuple[list[list], list]:
    """Per lead agency: occurrences due, done, not done, overdue, share done; and the total row."""
    per_agency: dict[str, list[int]] = {}
    for task, occurrence in _occurrences(plan, date_from, date_to):
        row = per_agency.setdefault(task.lead_agency.name, [0, 0, 0, 0])
        row[0] += 1
        row[1] += occurrence.status == OccurrenceStatus.DONE
        row[2] += occurrence.status == OccurrenceStatus.NOT_DONE
        row[3] += occurrence.status not in CLOSED_OCCURRENCE_STATUSES and occurrence.due_date < today
    rows = [[index, name, *row] for index, (name, row) in enumerate(sorted(per_agency.items()), start=1)]
    totals = [sum(row[column] for row in rows) for column in range(2, 6)]
    return rows, totals


def _context(plan: Plan, body: IssuingBody, date_from, date_to, *, number_symbol: str, issued_on) -> dict:
    start, end = period_of(plan, date_from, date_to)
    today = issued_on or timezone.localdate()  # Vietnam's day, not the server's
    agencies, totals = agency_rows(plan, date_from, date_to, today=today)
    head = letterhead(body)
    basis = f"Kế hoạch số {plan.number} ngày {vn_date(plan.issued_on)} của {plan.issuing_body} về {plan.title}"
    return {
        **head,
        "plan": plan,
        "rows": result_rows(plan, date_from, date_to),
        "agencies": [
            [row[0], row[1], *(number(value) for value in row[2:6]), share(row[3], row[2])] for row in agencies
        ],
        "agency_total": ["", "Tổng số", *(number(value) for value in totals), share(totals[1], totals[0])],
        "date_from": vn_date(start),
        "date_to": vn_date(end),
        "basis": basis,
        "symbol": f"BC-{body.symbol}",
        "number_symbol": number_symbol,
        "draft": not number_symbol,  # marked DỰ THẢO on every page
        "document_date": today,
        "document_type": "Báo cáo",
        "document_summary": f"Kết quả thực hiện Kế hoạch số {plan.number} ngày {vn_date(plan.issued_on)}",
        "closing": (
            f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {plan.number} từ ngày {vn_date(start)} "
            f"đến ngày {vn_date(end)} của {head['issuer_text']}./."
        ),
    }


def results_issuer(plan: Plan) -> IssuingBody:
    """Who issues the report on PLAN's results: the issuing body of the plan's unit or, for a plan of a former
    district (an intermediate level: abolished as a level of government on 1 July 2025, it issues nothing any
    more), the body of the province it lay in."""
    unit = plan.unit
    while unit is not None and unit.level == UnitLevel.INTERMEDIATE:
        unit = unit.parent
    return issuing_body_default(unit)


def results_document(
    plan: Plan, date_from=None, date_to=None, *, body: IssuingBody | None = None, number_symbol="", issued_on=None
) -> RenderedPdf:
    body = body or results_issuer(plan)
    context = _context(plan, body, date_from, date_to, number_symbol=number_symbol, issued_on=issued_on)
    return render_document("plans/pdf/results.html", context)


def results_pdf(plan: Plan, date_from=None, date_to=None) -> bytes:
    return results_document(plan, date_from, date_to).content


THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _sheet(workbook, title: str, caption: list[str], columns: list[str], rows: list[list], widths, *, total=None):
    sheet = workbook.create_sheet(title)
    for line in caption:
        sheet.append([line])
        sheet.cell(row=sheet.max_row, column=1).font = Font(name="Times New Roman", bold=True, size=13)
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=len(columns))
    sheet.append([])
    sheet.append(columns)
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(name="Times New Roman", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BOX
    for row in [*rows, *([total] if total else [])]:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.border = BOX
            cell.font = Font(name="Times New Roman", bold=row is total)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, float):
                cell.number_format = "0.0 %"
            elif isinstance(cell.value, int):
                cell.number_format = "#,##0"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(64 + index)].width = width
    sheet.freeze_panes = sheet.cell(row=header + 1, column=3)
    sheet.print_title_rows = f"{header}:{header}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=1.18, right=0.59, top=0.79, bottom=0.79)
    return sheet


def results_xlsx(plan: Plan, date_from=None, date_to=None) -> bytes:
    start, end = period_of(plan, date_from, date_to)
    caption = [
        f"Báo cáo kết quả thực hiện Kế hoạch số {plan.number} – {plan.title}",
        f"{plan.issuing_body}; kỳ báo cáo từ ngày {vn_date(start)} đến ngày {vn_date(end)}",
    ]
    workbook = Workbook()
    workbook.remove(workbook.active)
    _sheet(
        workbook,
        "Kết quả thực hiện",
        caption,
        COLUMNS,
        result_rows(plan, date_from, date_to),
        (5, 70, 40, 12, 18, 30, 60),
    )
    agencies, totals = agency_rows(plan, date_from, date_to, today=timezone.localdate())
    rows = [[*row, (row[3] / row[2]) if row[2] else None] for row in agencies]
    total = ["", "Tổng số", *totals, (totals[1] / totals[0]) if totals[0] else None]
    _sheet(workbook, "Theo cơ quan chủ trì", caption, AGENCY_COLUMNS, rows, (5, 45, 14, 14, 14, 14, 14), total=total)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
