"""A commune's register (sổ theo dõi) as BaoVe reads it: the columns (a registry: one entry per column,
with the headings registers give it), how each cell is read, the problems a row can have, the template
to download and the file of rows given back.

Files are read with openpyxl (XLSX, read-only: one row at a time) or the csv module (CSV), and written
with openpyxl's write-only workbook, so a register of any length costs the same memory.
"""

import codecs
import csv
import datetime
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from .choices import AbuseForm, CaseState, ClosureReason, ReportSource, RiskLevel, Setting, Sex
from .text import fold

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
EXTENSIONS = (".xlsx", ".csv")


@dataclass(frozen=True)
class Column:
    code: str
    heading: str  # the template's Vietnamese heading (the register's own words)
    label: object  # gettext_lazy: the field, for the mapping page
    aliases: tuple[str, ...] = ()  # other headings registers use, folded
    required: bool = False
    note: str = ""  # the template's note on the heading (Vietnamese: the register is Vietnamese)
    example: object = ""


COLUMNS = (
    Column(
        "row_number",
        "STT",
        gettext_lazy("Row number in the register"),
        ("so thu tu", "so tt", "tt"),
        True,
        "Số thứ tự của dòng trong sổ: không trùng nhau, giữ nguyên khi nhập lại.",
        1,
    ),
    Column(
        "full_name",
        "Họ và tên trẻ em",
        gettext_lazy("Child's full name"),
        ("ho va ten", "ho ten", "ho ten tre", "ten tre", "ho va ten tre"),
        True,
        "",
        "Nguyễn Thị Lan",
    ),
    Column(
        "birth_date",
        "Ngày sinh",
        gettext_lazy("Date of birth"),
        ("ngay thang nam sinh", "nam sinh", "ngay sinh cua tre"),
        True,
        "dd/mm/yyyy; nếu chỉ biết năm sinh, ghi năm (ví dụ 2014).",
        "15/03/2014",
    ),
    Column("sex", "Giới tính", gettext_lazy("Sex"), ("nam/nu", "gioi"), False, "Nam hoặc Nữ.", "Nữ"),
    Column(
        "personal_id",
        "Số định danh cá nhân",
        gettext_lazy("Personal identification number"),
        ("so dinh danh", "ma dinh danh", "cccd", "so cccd"),
        False,
        "12 chữ số, nếu có.",
        "",
    ),
    Column(
        "commune",
        "Xã, phường, đặc khu",
        gettext_lazy("Commune of residence"),
        ("xa", "phuong", "xa/phuong", "xa phuong", "noi cu tru", "xa, phuong"),
        False,
        "Tên xã, phường, đặc khu theo danh mục từ 01/7/2025; để trống: xã của sổ.",
        "Tân Biên",
    ),
    Column(
        "hamlet",
        "Thôn, ấp, tổ dân phố",
        gettext_lazy("Hamlet"),
        ("thon", "ap", "thon/ap", "thon, ap", "to dan pho", "khu pho"),
        False,
        "",
        "",
    ),
    Column("address", "Địa chỉ", gettext_lazy("Address"), ("dia chi cu tru", "noi o"), False, "", "Tổ 3"),
    Column(
        "received_on",
        "Ngày tiếp nhận",
        gettext_lazy("Date the report was received"),
        ("ngay tiep nhan thong tin", "ngay nhan tin", "ngay tiep nhan tin bao"),
        True,
        "dd/mm/yyyy",
        "02/02/2025",
    ),
    Column(
        "abuse_forms",
        "Hình thức xâm hại",
        gettext_lazy("Form of abuse"),
        ("loai xam hai", "hinh thuc", "hanh vi xam hai"),
        True,
        "Bạo lực; bóc lột; hiếp dâm; cưỡng dâm; giao cấu; dâm ô; mại dâm, khiêu dâm; mua bán; bỏ rơi; "
        "bỏ mặc; khác. Nhiều hình thức: cách nhau bằng dấu phẩy.",
        "Bạo lực",
    ),
    Column(
        "setting",
        "Môi trường xảy ra",
        gettext_lazy("Setting"),
        ("noi xay ra", "moi truong"),
        False,
        "Gia đình; trường học; cộng đồng; trên mạng; nơi làm việc; khác.",
        "Gia đình",
    ),
    Column(
        "source",
        "Nguồn thông tin",
        gettext_lazy("Source"),
        ("nguon tin", "nguon"),
        False,
        "Trực tiếp; điện thoại; tổng đài 111; trường học; y tế; công an; cộng tác viên; báo chí; trực tuyến; khác.",
        "Trực tiếp",
    ),
    Column(
        "reporter_name",
        "Người cung cấp thông tin",
        gettext_lazy("Reporter's name"),
        ("nguoi bao tin", "nguoi thong bao", "nguoi to giac"),
        False,
        "Để trống nếu ẩn danh.",
        "Trần Văn Hùng",
    ),
    Column(
        "narrative",
        "Tóm tắt sự việc",
        gettext_lazy("What happened"),
        ("noi dung", "tom tat", "su viec"),
        False,
        "",
        "Trẻ bị cha đánh nhiều lần, có vết bầm ở tay.",
    ),
    Column(
        "risk_level",
        "Mức độ nguy cơ",
        gettext_lazy("Risk level"),
        ("nguy co", "muc do"),
        False,
        "Cao; Trung bình; Thấp.",
        "Trung bình",
    ),
    Column(
        "status",
        "Tình trạng xử lý",
        gettext_lazy("Where the case stands"),
        ("tinh trang", "buoc xu ly", "ket qua xu ly", "trang thai"),
        False,
        "Mới tiếp nhận; đã đánh giá ban đầu; đã can thiệp khẩn cấp; đã thu thập thông tin; đang can thiệp; "
        "đã kết thúc; không phải vụ việc bảo vệ trẻ em. Để trống: mới tiếp nhận.",
        "Đang can thiệp",
    ),
    Column(
        "closed_on",
        "Ngày kết thúc",
        gettext_lazy("Date the case file was closed"),
        ("ngay dong ho so", "ngay ket thuc ho so"),
        False,
        "Bắt buộc khi đã kết thúc.",
        "",
    ),
    Column(
        "closure_reason",
        "Lý do kết thúc",
        gettext_lazy("Closure reason"),
        ("ly do",),
        False,
        "An toàn, ổn định; chuyển đi nơi khác; đủ 16 tuổi; tử vong; khác.",
        "",
    ),
    Column(
        "not_duplicate",
        "Không trùng (ghi x)",
        gettext_lazy("Not the child already registered (x)"),
        ("khong trung",),
        False,
        "Ghi x nếu BaoVe báo trùng với một trẻ đã có nhưng đây là trẻ khác.",
        "",
    ),
)
BY_CODE = {column.code: column for column in COLUMNS}
REQUIRED = tuple(column.code for column in COLUMNS if column.required)


def _words(*pairs) -> dict[str, str]:
    return {fold(word): code for words, code in pairs for word in words}


ABUSE_WORDS = _words(
    (("bạo lực", "bạo hành", "đánh đập"), AbuseForm.VIOLENCE),
    (("bóc lột", "bóc lột sức lao động", "lao động trái phép"), AbuseForm.EXPLOITATION),
    (("hiếp dâm",), AbuseForm.SEXUAL_RAPE),
    (("cưỡng dâm",), AbuseForm.SEXUAL_COERCION),
    (("giao cấu",), AbuseForm.SEXUAL_INTERCOURSE),
    (("dâm ô",), AbuseForm.SEXUAL_MOLESTATION),
    (("mại dâm", "khiêu dâm", "mại dâm, khiêu dâm", "bóc lột tình dục"), AbuseForm.SEXUAL_EXPLOITATION),
    (("mua bán", "mua bán người", "buôn bán"), AbuseForm.TRAFFICKING),
    (("bỏ rơi",), AbuseForm.ABANDONMENT),
    (("bỏ mặc", "sao nhãng", "bỏ bê"), AbuseForm.NEGLECT),
    (("khác",), AbuseForm.OTHER),
)
SEXUAL_UNSPECIFIED = {fold("xâm hại tình dục"), fold("xâm hại tình dục trẻ em")}
SETTING_WORDS = _words(
    (("gia đình", "nhà", "tại nhà"), Setting.FAMILY),
    (("trường học", "trường", "nhà trường"), Setting.SCHOOL),
    (("cộng đồng", "nơi công cộng"), Setting.COMMUNITY),
    (("trên mạng", "mạng", "trực tuyến", "mạng xã hội", "internet"), Setting.ONLINE),
    (("nơi làm việc",), Setting.WORKPLACE),
    (("khác",), Setting.OTHER),
)
SOURCE_WORDS = _words(
    (("trực tiếp", "đến trực tiếp"), ReportSource.WALK_IN),
    (("điện thoại",), ReportSource.PHONE),
    (("111", "tổng đài 111", "tổng đài"), ReportSource.HOTLINE_111),
    (("trường học", "nhà trường"), ReportSource.SCHOOL),
    (("y tế", "cơ sở y tế", "trạm y tế", "bệnh viện"), ReportSource.HEALTH),
    (("công an",), ReportSource.POLICE),
    (("cộng tác viên",), ReportSource.COLLABORATOR),
    (("báo chí", "truyền thông"), ReportSource.MEDIA),
    (("trực tuyến", "mạng", "zalo"), ReportSource.ONLINE),
    (("khác",), ReportSource.OTHER),
)
SEX_WORDS = _words((("nam", "trai"), Sex.MALE), (("nữ", "nu", "gái"), Sex.FEMALE))
RISK_WORDS = _words((("cao",), RiskLevel.HIGH), (("trung bình", "tb"), RiskLevel.MEDIUM), (("thấp",), RiskLevel.LOW))
# Only the steps a register can show without records BaoVe would need (a plan awaiting a decision, a
# proposal to close): the officer records the next step in BaoVe.
STATUS_WORDS = _words(
    (("mới tiếp nhận", "tiếp nhận", "đã tiếp nhận", "chưa xử lý"), CaseState.RECEIVED),
    (("đã đánh giá ban đầu", "đánh giá ban đầu", "đã đánh giá nguy cơ"), CaseState.ASSESSED),
    (("đã can thiệp khẩn cấp", "can thiệp khẩn cấp", "khẩn cấp"), CaseState.EMERGENCY_HANDLED),
    (("đã thu thập thông tin", "thu thập thông tin", "đánh giá chi tiết", "xây dựng kế hoạch"), CaseState.INVESTIGATED),
    (
        ("đang can thiệp", "đang hỗ trợ", "đang thực hiện kế hoạch", "đang hỗ trợ, can thiệp", "đã phê duyệt kế hoạch"),
        CaseState.IN_INTERVENTION,
    ),
    (("đã kết thúc", "kết thúc", "đóng hồ sơ", "đã đóng", "hoàn thành"), CaseState.CLOSED),
    (
        ("không phải vụ việc bảo vệ trẻ em", "không phải bảo vệ trẻ em", "không phải xâm hại"),
        CaseState.NOT_CHILD_PROTECTION,
    ),
)
CLOSURE_WORDS = _words(
    (("an toàn, ổn định", "an toàn", "ổn định", "an toàn ổn định"), ClosureReason.SAFE_AND_STABLE),
    (("chuyển đi nơi khác", "chuyển đi", "chuyển nơi ở"), ClosureReason.MOVED_AWAY),
    (("đủ 16 tuổi", "đủ 16", "16 tuổi"), ClosureReason.TURNED_16),
    (("tử vong",), ClosureReason.DECEASED),
    (("khác",), ClosureReason.OTHER),
)
UNIT_PREFIXES = ("xa ", "phuong ", "dac khu ", "thi tran ", "thon ", "ap ", "to dan pho ", "khu pho ", "to ")

# The problems a row can have: one message each, Vietnamese shown first on the page and in the file.
PROBLEMS = {
    "missing": gettext_lazy("“%(column)s” is empty: it is required."),
    "bad_date": gettext_lazy("“%(column)s”: “%(value)s” is not a date; write it as dd/mm/yyyy."),
    "future_date": gettext_lazy("“%(column)s” is in the future."),
    "birth_after_report": gettext_lazy("The date of birth is after the date the report was received."),
    "aged_16": gettext_lazy(
        "The child was %(age)s on the date the report was received: a child is a person under 16 "
        "(Law on Children, Art. 1)."
    ),
    "unknown_commune": gettext_lazy(
        "“%(value)s” is not a commune, ward or special zone of the province (list in force since 1 July 2025)."
    ),
    "commune_not_yours": gettext_lazy("You cannot import case files of “%(value)s”."),
    "unknown_hamlet": gettext_lazy("Hamlet “%(value)s” is not a hamlet of %(commune)s in BaoVe."),
    "bad_sex": gettext_lazy("Sex “%(value)s”: write Nam or Nữ."),
    "bad_personal_id": gettext_lazy("The personal identification number has exactly 12 digits."),
    "personal_id_taken": gettext_lazy("A child with this personal identification number is already registered."),
    "unknown_abuse_form": gettext_lazy("Form of abuse “%(value)s” is not known: %(known)s."),
    "sexual_abuse_unspecified": gettext_lazy(
        "Say which form of sexual abuse: hiếp dâm, cưỡng dâm, giao cấu, dâm ô, or mại dâm, khiêu dâm."
    ),
    "unknown_status": gettext_lazy("Status “%(value)s” is not known: %(known)s."),
    "bad_risk": gettext_lazy("Risk level “%(value)s”: write Cao, Trung bình or Thấp."),
    "closed_without_date": gettext_lazy("A closed case file needs the date it was closed (“%(column)s”)."),
    "closed_before_received": gettext_lazy("The date of closing is before the date the report was received."),
    "personal_id_repeated": gettext_lazy(
        "The personal identification number is also on another row of the file (line %(line)s)."
    ),
    "row_number_repeated": gettext_lazy("Row number %(value)s is used by another row of the file (line %(line)s)."),
    "duplicate": gettext_lazy(
        "Possibly already registered: %(name)s, born %(birth)s, %(commune)s, case files %(references)s. "
        "If this is another child, write x in “%(column)s” and import the file again."
    ),
    "too_long": gettext_lazy("“%(column)s” is longer than %(limit)s characters."),
}


def problem_text(code: str, params: dict, language: str) -> str:
    with translation.override(language):
        return str(PROBLEMS[code]) % params


def problems_text(problems: list, *, language: str | None = None) -> list[str]:
    """Each problem in Vietnamese then English ("…" / "…"), or in LANGUAGE alone."""
    if language:
        return [problem_text(code, params, language) for code, params in problems]
    return [f"{problem_text(code, params, 'vi')} / {problem_text(code, params, 'en')}" for code, params in problems]


# ---------------------------------------------------------------------------------------------- reading


class UnreadableFile(ValueError):
    """The upload is not a register BaoVe can read (the message says why, for the page)."""


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == datetime.time(0) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def read_rows(path: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """The file's rows as (line in the file, cells as text), blank rows skipped. Streams."""
    if name.lower().endswith(".csv"):
        yield from _csv_rows(path)
        return
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UnreadableFile(_("This file cannot be opened as an Excel workbook (.xlsx).")) from error
    try:
        sheet = workbook.worksheets[0]
        for line, row in enumerate(sheet.iter_rows(values_only=True), start=1):  # gaps come as empty rows
            cells = [cell_text(value) for value in row]
            if any(cells):
                yield line, cells
    finally:
        workbook.close()


def _csv_rows(path: str) -> Iterator[list[str]]:
    with open(path, "rb") as raw:
        head = raw.read(4096)
    encoding = "utf-8-sig"
    try:
        # Incremental: a character cut by the 4,096th byte is not taken for another encoding.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < 4096)
    except UnicodeDecodeError:
        encoding = "cp1258"  # Vietnamese Windows (an old Excel's "CSV")
    with open(path, encoding=encoding, errors="replace", newline="") as text:
        sample = text.read(4096)
        text.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            for line, row in enumerate(csv.reader(text, dialect), start=1):
                # NFC: Windows-1258 writes a tone as a separate mark.
                cells = [" ".join(unicodedata.normalize("NFC", cell).split()) for cell in row]
                if any(cells):
                    yield line, cells
        except csv.Error as error:  # a quotation mark never closed: the rest of the file is one cell
            raise UnreadableFile(
                _("This file cannot be read as CSV: save it again from Excel as .xlsx or as CSV UTF-8.")
            ) from error


def heading_key(heading: str) -> str:
    return fold(re.sub(r"[()*:]", " ", heading or ""))


def guess_mapping(headings: list[str], remembered: dict[str, str] | None = None) -> dict[str, int]:
    """Field code -> column index, from the commune's remembered headings first, then the known ones."""
    known = {}
    for column in COLUMNS:
        for word in (heading_key(column.heading), *column.aliases, heading_key(str(column.label))):
            known.setdefault(word, column.code)
    mapping: dict[str, int] = {}
    for index, heading in enumerate(headings):
        key = heading_key(heading)
        code = ((remembered or {}).get(key) or known.get(key)) if key else None
        if code and code in BY_CODE and code not in mapping:
            mapping[code] = index
    return mapping


HEADING_SEARCH_ROWS = 10


def heading_row(rows: list[list[str]], remembered: dict[str, str] | None = None) -> int:
    """The index, among a file's first ROWS, of its heading row: the one naming the most known columns (a
    register often has its title, merged across the columns, above the headings); else the first row."""
    best, best_count = 0, 0
    for index, cells in enumerate(rows):
        count = len(guess_mapping(cells, remembered))
        if count > best_count:
            best, best_count = index, count
    return best


def rows_after_headings(rows: Iterator[tuple[int, list[str]]], headings: list[str]) -> Iterator[tuple[int, list[str]]]:
    """The rows of READ_ROWS below the heading row found at the upload (the first row when it is not among
    the first ones: the file is the one uploaded, so it is)."""
    head = list(itertools.islice(rows, HEADING_SEARCH_ROWS))
    cells = [row for _line, row in head]
    start = cells.index(headings) + 1 if headings in cells else 1
    yield from head[start:]
    yield from rows


# ---------------------------------------------------------------------------------------------- values


DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%d/%m/%y", "%d/%m/%Y %H:%M")


def parse_date(text: str, *, year_allowed: bool = False) -> tuple[datetime.date | None, bool]:
    """(date, year only) or (None, False) when TEXT is no date."""
    text = text.strip()
    if year_allowed and re.fullmatch(r"(19|20)\d\d", text):
        return datetime.date(int(text), 1, 1), True
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date(), False
        except ValueError:
            continue
    return None, False


def split_words(text: str) -> list[str]:
    """The words of a cell listing several (separated by , ; + / or "và"), as typed."""
    return [part for part in (piece.strip() for piece in re.split(r"[;,+/\n]| và ", text)) if part]


def unit_key(text: str) -> str:
    key = fold(text)
    for prefix in UNIT_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


# ---------------------------------------------------------------------------------------------- files


def template_workbook() -> bytes:
    """The register template: the headings, a note on each, an example row and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "So theo doi"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.heading + (" (*)" if column.required else ""))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column.note:
            cell.comment = Comment(column.note, "BaoVe")
        sheet.cell(row=2, column=index, value=column.example)
        sheet.column_dimensions[cell.column_letter].width = max(12, min(40, len(column.heading) + 6))
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Huong dan")
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 100
    lines = [
        ("Sổ theo dõi trẻ em bị xâm hại", "Mẫu nhập sổ của xã vào BaoVe"),
        ("", "Mỗi dòng là một lần tiếp nhận thông tin về một trẻ. Dòng 2 là ví dụ: xoá đi trước khi nhập."),
        ("", "Cột có dấu (*) là bắt buộc. Ngày ghi dd/mm/yyyy. Nhập lại cùng một sổ không tạo hồ sơ trùng."),
        ("", "Các dòng có lỗi được trả lại trong một tệp Excel có cột Lý do: sửa và nhập lại tệp đó."),
    ]
    lines += [(column.heading, column.note) for column in COLUMNS if column.note]
    for row in lines:
        notes.append(row)
    for cell in notes["A"]:
        cell.font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


REASON_HEADING = "Lý do / Reason"


def write_rejected(path: str, headings: list[str], rows: Iterator[tuple[list[str], list]]) -> None:
    """The rows given back: the file's own columns as typed, then the reason (write-only: streams)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Dong chua nhap")
    sheet.append([*headings, REASON_HEADING])
    for cells, problems in rows:
        padded = list(cells) + [""] * (len(headings) - len(cells))
        sheet.append([*padded, "\n".join(problems_text(problems))])
    workbook.save(path)
