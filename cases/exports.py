"""Exports of what a user may see (a filtered case list, the caseload, the audit trail) to XLSX and CSV.

The columns of each kind are a registry: a later feature adds its column with one call,
`register("case_list", Column(...))`, and every export of that kind carries it. Rows are written as they
are read (a generator in, a file on disk out), so memory stays bounded whatever the number of rows."""

import csv
import datetime
import io
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OPEN_STATES, CaseState, RiskLevel
from .lists import extra_text


@dataclass(frozen=True)
class Column:
    """One column of an export: its key, its heading (translated when the file is written), the values it
    reads from the queryset (FIELDS, for kinds read as values) and how a row gives its cell."""

    key: str
    label: object
    value: Callable[[object], object]
    fields: tuple[str, ...] = field(default=())


_COLUMNS: dict[str, list[Column]] = {}


def register(kind: str, column: Column, *, after: str | None = None) -> Column:
    """Add COLUMN to the exports of KIND (at the end, or after the column keyed AFTER)."""
    columns = _COLUMNS.setdefault(kind, [])
    if any(existing.key == column.key for existing in columns):
        raise ValueError(f"Column {column.key!r} is already registered for {kind!r} exports.")
    position = next((i + 1 for i, existing in enumerate(columns) if existing.key == after), len(columns))
    columns.insert(position, column)
    return column


def unregister(kind: str, key: str) -> None:
    _COLUMNS[kind] = [column for column in _COLUMNS.get(kind, []) if column.key != key]


def columns(kind: str) -> list[Column]:
    return list(_COLUMNS.get(kind, []))


def fields(kind: str) -> tuple[str, ...]:
    """The queryset values the columns of KIND read (in order, once each)."""
    return tuple(dict.fromkeys(name for column in columns(kind) for name in column.fields))


def local_time(value) -> datetime.datetime | str:
    """The local time of VALUE, without its zone (a spreadsheet's dates have none); "" for none. The writers
    type it: an Excel date-time cell shown dd/mm/yyyy hh:mm, or that text in a CSV."""
    return timezone.localtime(value).replace(tzinfo=None, second=0, microsecond=0) if value else ""


def local_date(value) -> datetime.date | str:
    """The local day of VALUE; "" for none (an Excel date cell shown dd/mm/yyyy, or that text in a CSV)."""
    return timezone.localtime(value).date() if value else ""


# ---------------------------------------------------------------------------------------------- the columns

CASE_LIST = "case_list"
CASELOAD = "caseload"
AUDIT = "audit"

_STATES = dict(CaseState.choices)
_RISKS = dict(RiskLevel.choices)

for _column in (
    Column("reference", _("Reference"), lambda row: row["reference"], ("reference",)),
    Column("child", _("Child"), lambda row: row["child__full_name"], ("child__full_name",)),
    Column("commune", _("Commune"), lambda row: row["commune__name"], ("commune__name",)),
    Column("state", _("State"), lambda row: str(_STATES.get(row["state"], row["state"])), ("state",)),
    Column("risk", _("Risk"), lambda row: str(_RISKS.get(row["risk_level"], "")), ("risk_level",)),
    Column("received", _("Received"), lambda row: local_time(row["opened_at"]), ("opened_at",)),
    # The province's own fields (cases.models.lists.ExtraField), in one cell: each province asks others.
    Column(
        "extra",
        _("Extra information of the province"),
        lambda row: extra_text(row["extra"], row["commune__path"]),
        ("extra", "commune__path"),
    ),
):
    register(CASE_LIST, _column)

# Caseload rows are (commune load, officer load) pairs: counts and officers' names, nothing about a child.
for _column in (
    Column("commune", _("Commune"), lambda row: row[0].name),
    Column("officer", _("Officer"), lambda row: row[1].name),
    Column("is_officer", _("Officer of the commune"), lambda row: str(_("Yes") if row[1].is_officer else _("No"))),
    Column("open", _("Open"), lambda row: row[1].open),
    Column("overdue", _("Overdue"), lambda row: row[1].overdue),
    Column("unseen", _("Not seen for too long"), lambda row: row[1].unseen),
    Column("last_contact", _("Oldest last contact"), lambda row: local_date(row[1].waiting_since)),
    Column("restricted", _("Restricted files you may not open"), lambda row: row[1].hidden),
):
    register(CASELOAD, _column)
for _state in OPEN_STATES:
    register(
        CASELOAD,
        Column(f"state_{_state}", CaseState(_state).label, lambda row, state=_state: row[1].by_state.get(state, 0)),
    )

# Audit rows are AuditEvent objects with their case reference and details attached (selectors.with_references).
for _column in (
    Column("at", _("When"), lambda event: local_time(event.at)),
    Column("user", _("User"), lambda event: event.user.username if event.user_id else ""),
    Column("action", _("Action"), lambda event: event.get_action_display()),
    Column("object_type", _("Object"), lambda event: str(event.get_object_type_display())),
    Column("object_id", _("Identifier"), lambda event: event.object_id),
    Column("case", _("Case reference"), lambda event: event.case_reference),
    Column("details", _("Details"), lambda event: "; ".join(event.details)),
    Column("ip", _("IP address"), lambda event: event.ip or ""),
    Column("channel", _("Channel"), lambda event: str(event.get_channel_display())),
):
    register(AUDIT, _column)


# ---------------------------------------------------------------------------------------------- the writers

# A cell starting with one of these is read as a formula by Excel and LibreOffice (CSV injection): a name
# typed on the public form must never run as one.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


# A sheet's name says what it holds (Excel's own default was "Sheet"); at most 31 characters.
SHEET_NAMES = {CASE_LIST: _("Case files"), CASELOAD: _("Caseloads"), AUDIT: _("Audit trail")}


def write(kind: str, file_format: str, rows: Iterable) -> tuple[tempfile.SpooledTemporaryFile, int]:
    """The rows of KIND written as FILE_FORMAT ("xlsx" or "csv") into a temporary file (in memory up to a few
    megabytes, on disk beyond), rewound; and the number of rows."""
    shown = columns(kind)
    heading = [str(column.label) for column in shown]
    output = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the caller closes it
    if file_format == "xlsx":
        # An XLSX cell is typed: text is kept as text (written so below), with no quote shown before it.
        title = str(SHEET_NAMES.get(kind, "")) or None
        count = _write_xlsx(output, heading, ([column.value(row) for column in shown] for row in rows), title=title)
    else:
        count = _write_csv(output, heading, ([_cell(column.value(row)) for column in shown] for row in rows))
    output.seek(0)
    return output, count


def _write_csv(output, heading: list[str], cells) -> int:
    # UTF-8 with a BOM, so that Excel reads the Vietnamese.
    text = io.TextIOWrapper(output, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(heading)
    count = 0
    for count, line in enumerate(cells, start=1):  # noqa: B007 - the last index is the count
        writer.writerow(line)
    text.flush()
    text.detach()
    return count


def _write_xlsx(output, heading: list[str], cells, *, title: str | None = None) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] if title else None)
    bold = Font(bold=True)
    header = []
    for label in heading:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for count, line in enumerate(cells, start=1):  # noqa: B007 - the last index is the count
        sheet.append([_xlsx_cell(sheet, value) for value in line])
    book.save(output)
    return count


def _xlsx_cell(sheet, value):
    """A typed cell: dates as dates (dd/mm/yyyy, with the time when there is one), a text starting with "="
    as text; anything else as it is."""
    if isinstance(value, str) and value.startswith("="):
        return _text_cell(sheet, value)
    if isinstance(value, datetime.date):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD/MM/YYYY HH:MM" if isinstance(value, datetime.datetime) else "DD/MM/YYYY"
        return cell
    return value


def _text_cell(sheet, value: str):
    """VALUE as a text cell: openpyxl would write a string starting with "=" as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def encrypted_zip(name: str, content: bytes, password: str) -> bytes:
    """CONTENT as the one file NAME in a ZIP encrypted with AES-256 (WinZip AES, which 7-Zip, WinRAR,
    macOS and Android file managers open) under PASSWORD."""
    import pyzipper

    buffer = io.BytesIO()
    with pyzipper.AESZipFile(buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as archive:
        archive.setpassword(password.encode("utf-8"))
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
