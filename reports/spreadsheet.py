"""The periodic report as XLSX, laid out like its PDF: a cover sheet with the letterhead, one sheet per table
(merged header cells, frozen panes, printed on A4 with the header repeated), the annex of communes.

Cells hold numbers, not text: counts with the "#,##0" format and shares as fractions with "0.0 %", which a
spreadsheet set to Vietnamese shows as 1.234 and 16,7 %; labels are words, never codes."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from config.vietnamese import date_line

from .periods import period_in_words

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = "Times New Roman"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0 %"


def _font(**options) -> Font:
    return Font(name=FONT, size=options.pop("size", 12), **options)


def _print_setup(sheet, *, landscape: bool, title_rows: str | None) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins = PageMargins(left=1.18, right=0.59, top=0.79, bottom=0.79)  # 30/15/20/20 mm
    sheet.print_options.horizontalCentered = True
    if title_rows:
        sheet.print_title_rows = title_rows
    sheet.oddFooter.center.text = "&P/&N"


def _value(value, kind: str):
    if value is None:
        return None
    if kind == "percent":
        return value / 100
    return value


def write_table(sheet, item: dict, *, caption: str, subtitle: str) -> None:
    """ITEM (reports/indicators/base.table) on SHEET: caption, subtitle, merged header, body, total, notes."""
    kinds = ["ordinal", *item["kinds"]] if item.get("numbered") else item["kinds"]
    width = len(kinds)
    sheet.append([caption])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = _font(bold=True, size=13)
    sheet["A1"].alignment = Alignment(horizontal="center", wrap_text=True)
    sheet.row_dimensions[1].height = 34
    sheet.append([subtitle])
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet["A2"].font = _font(italic=True, size=11)
    sheet["A2"].alignment = Alignment(horizontal="center")
    top = 4
    occupied: set[tuple[int, int]] = set()
    for offset, header_row in enumerate(item["head"]):
        row = top + offset
        column = 1
        cells = (
            [{"label": "TT", "rowspan": len(item["head"])}] if item.get("numbered") and offset == 0 else []
        ) + list(header_row)
        for cell in cells:
            while (row, column) in occupied:
                column += 1
            rowspan, colspan = cell.get("rowspan", 1), cell.get("colspan", 1)
            target = sheet.cell(row=row, column=column, value=cell["label"])
            target.font = _font(bold=True, size=11)
            target.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            for r in range(row, row + rowspan):
                for c in range(column, column + colspan):
                    occupied.add((r, c))
                    sheet.cell(row=r, column=c).border = BOX
            if rowspan > 1 or colspan > 1:
                sheet.merge_cells(
                    start_row=row, start_column=column, end_row=row + rowspan - 1, end_column=column + colspan - 1
                )
            column += colspan
    body = top + len(item["head"])
    styles = item.get("row_styles") or []
    rows = [(index, row) for index, row in enumerate(item["rows"])]
    for position, (index, values) in enumerate(rows):
        values = [index + 1, *values] if item.get("numbered") else list(values)
        style = styles[index] if index < len(styles) else ""
        _write_row(sheet, body + position, values, kinds, bold=style == "section", italic=style == "sub")
    end = body + len(rows)
    if item.get("total"):
        values = ["", *item["total"]] if item.get("numbered") else list(item["total"])
        _write_row(sheet, end, values, kinds, bold=True)
        end += 1
    for note in item.get("notes") or []:
        end += 1
        sheet.cell(row=end, column=1, value=f"Ghi chú: {note}").font = _font(italic=True, size=10)
        sheet.merge_cells(start_row=end, start_column=1, end_row=end, end_column=width)
        sheet.cell(row=end, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[end].height = 30
    label_column = 2 if item.get("numbered") else 1
    if item.get("numbered"):
        sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions[get_column_letter(label_column)].width = 46
    for column in range(label_column + 1, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.freeze_panes = sheet.cell(row=body, column=label_column + 1)
    _print_setup(sheet, landscape=width > 8, title_rows=f"{top}:{body - 1}")


def _write_row(sheet, row: int, values: list, kinds: list[str], *, bold=False, italic=False) -> None:
    for column, (value, kind) in enumerate(zip(values, kinds, strict=False), start=1):
        cell = sheet.cell(row=row, column=column, value=_value(value, kind))
        cell.border = BOX
        cell.font = _font(bold=bold, italic=italic, size=11)
        if kind in ("count", "number"):
            cell.number_format = COUNT_FORMAT
        elif kind == "percent":
            cell.number_format = PERCENT_FORMAT
        elif kind == "ordinal":
            cell.alignment = Alignment(horizontal="center")
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="center")


def _sheet_title(number: int) -> str:
    return f"Biểu {number:02d}"


def report_workbook(
    data: dict, *, title: str, letterhead: dict, number_symbol: str, issued_on, tables: list, units: dict | None, annex
) -> bytes:
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Báo cáo"
    period = period_in_words(data)
    lines = [
        *([letterhead["issuer"]["superior"]] if letterhead["issuer"]["superior"] else []),
        *letterhead["issuer"]["lines"],
        f"Số: {number_symbol or '      /BC-' + letterhead['symbol']}",
        f"{letterhead['place']}, {date_line(issued_on)}" if issued_on else "",
        "",
        "BÁO CÁO",
        f"{title} {data['period']['label']}",
        f"Đơn vị báo cáo: {data['unit']['name']}; kỳ báo cáo: {period}",
        "",
        "Các biểu số liệu:",
    ]
    bold = {*letterhead["issuer"]["lines"], "BÁO CÁO", lines[lines.index("BÁO CÁO") + 1]}
    for line in lines:
        cover.append([line])
        cover.cell(row=cover.max_row, column=1).font = _font(bold=line in bold)
    caption_of = {}
    all_tables = [*tables, *([units] if units else [])]
    for number, item in enumerate(all_tables, start=1):
        code = f" (mã số {item['code']})" if item.get("code") else ""
        caption_of[number] = f"Biểu {number}. {item['title']}{code}"
        cover.append([f"{caption_of[number]} (trang tính “{_sheet_title(number)}”)"])
    if annex:
        cover.append(["Phụ lục: Số liệu theo xã, phường, đặc khu"])
    cover.column_dimensions["A"].width = 110
    _print_setup(cover, landscape=False, title_rows=None)
    subtitle = f"{data['unit']['name']} – {period}"
    for number, item in enumerate(all_tables, start=1):
        write_table(workbook.create_sheet(_sheet_title(number)), item, caption=caption_of[number], subtitle=subtitle)
    if annex:
        headings, rows = annex
        sheet = workbook.create_sheet("Phụ lục")
        item = {
            "head": [[{"label": "Xã, phường, đặc khu"}, *({"label": heading} for heading in headings)]],
            "kinds": ["label", *(["count"] * len(headings))],
            "rows": [],
            "numbered": True,
        }
        write_table(sheet, item, caption="Phụ lục. Số liệu chủ yếu theo xã, phường, đặc khu", subtitle=subtitle)
        row_number, ordinal = 5, 0  # under the header row (4)
        kinds = ["ordinal", "label", *(["count"] * len(headings))]
        for kind, label, figures in rows:
            if kind in ("group", "total"):
                label = label.upper() if kind == "group" else label
                _write_row(sheet, row_number, ["", label, *figures], kinds, bold=True)
            else:
                ordinal += 1
                _write_row(sheet, row_number, [ordinal, label, *figures], kinds)
            row_number += 1
        sheet.auto_filter.ref = f"A4:{get_column_letter(len(kinds))}{row_number - 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
