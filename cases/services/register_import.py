"""Bringing a commune's existing register (sổ theo dõi) in: upload, column mapping (remembered per commune),
a check of every row (kept as rows, so the page lists their problems and the import needs no second read of
the file), then the import of the good rows in one transaction.

Each register row has a key (the commune, the register's own row number and the child's and report's
identifying fields): a row whose key was imported before is never imported again, so the same file imported
twice changes nothing. Imported case files enter the procedure at the step the register shows, opened on
the date it gives; they are history, so no time limit already past is registered (it would escalate at
once) and nobody is notified; the limits still running, the no-contact rule from the import and, for a file
under intervention, its first review from the import are registered as for any case file.
"""

import datetime
import hashlib
import itertools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit
from audit.recorder import record, together
from config import names
from notifications.calendar import LOCAL
from notifications.outbox import enqueue
from notifications.services import deadlines_open_many

from .. import access, events, name_search
from ..ages import CHILD_AGE_LIMIT, age_on
from ..choices import ENDED_STATES, CaseState, ClosureReason, ContactKind, DeadlineKind, ReceivingPoint, Setting
from ..deadlines import due_at, rules_for
from ..list_stamps import stamped_at_the_end
from ..models import (
    CaseFile,
    Child,
    ContactRule,
    ImportedRow,
    ImportStatus,
    RegisterImport,
    RegisterImportRow,
    RegisterMapping,
    Report,
    ReportAbuseForm,
    RowStatus,
)
from ..register import (
    ABUSE_WORDS,
    BY_CODE,
    CLOSURE_WORDS,
    EXTENSIONS,
    HEADING_SEARCH_ROWS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    REQUIRED,
    RISK_WORDS,
    SETTING_WORDS,
    SEX_WORDS,
    SEXUAL_UNSPECIFIED,
    SOURCE_WORDS,
    STATUS_WORDS,
    UnreadableFile,
    guess_mapping,
    heading_key,
    heading_row,
    parse_date,
    read_rows,
    rows_after_headings,
    split_words,
    unit_key,
    write_rejected,
)
from ..selectors.duplicates import Candidate, partners_of_candidates
from ..text import fold
from .common import reserve_ids
from .intake import PERSONAL_ID, responsible_officer_for

CHUNK = 1000
LEASE = datetime.timedelta(minutes=30)
FOLDER = "register-imports"


def _storage_dir() -> str:
    path = os.path.join(settings.MEDIA_ROOT, FOLDER)
    os.makedirs(path, exist_ok=True)
    return path


def stored_path(name: str) -> str:
    return os.path.join(_storage_dir(), os.path.basename(name))


# ---------------------------------------------------------------------------------------------- upload


def register_upload(*, actor, commune: AdministrativeUnit | None, upload) -> RegisterImport:
    """Keep an uploaded register of COMMUNE and guess its columns (the commune's remembered ones first)."""
    if commune is None or not access.can_import_into(actor, commune):
        raise ValidationError({"commune": [_("Choose a commune whose register you may import.")]})
    name = os.path.basename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS:
        raise ValidationError({"file": [_("Choose an Excel (.xlsx) or CSV (.csv) file.")]})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(size)s MB: split the register.") % {"size": MAX_UPLOAD_BYTES >> 20}]}
        )
    stored = f"{uuid.uuid4().hex}{extension}"
    with open(stored_path(stored), "wb") as out:
        for piece in upload.chunks():
            out.write(piece)
    remembered = RegisterMapping.objects.filter(commune=commune).values_list("headings", flat=True).first()
    try:
        first = [
            cells for _line, cells in itertools.islice(read_rows(stored_path(stored), stored), HEADING_SEARCH_ROWS)
        ]
    except UnreadableFile as error:
        os.remove(stored_path(stored))
        raise ValidationError({"file": [str(error.args[0])]}) from error
    if not first:
        os.remove(stored_path(stored))
        raise ValidationError({"file": [_("The file is empty: the first row must hold the column headings.")]})
    headings = first[heading_row(first, remembered)]
    with transaction.atomic():
        register_import = RegisterImport.objects.create(
            commune=commune,
            uploaded_by=actor,
            file_name=name[:255],
            stored_name=stored,
            headings=headings,
            mapping=guess_mapping(headings, remembered),
        )
        record("create", "case_list", register_import.pk, actor=actor, fields={"register_import": name[:100]})
    return register_import


@transaction.atomic
def register_mapping_save(*, actor, register_import: RegisterImport, mapping: dict[str, int | None]) -> RegisterImport:
    """Match the file's columns to BaoVe's fields, remember them for the commune, and start the check."""
    locked = RegisterImport.objects.select_for_update().get(pk=register_import.pk)
    if locked.status not in (ImportStatus.MAPPING, ImportStatus.CHECKED, ImportStatus.FAILED):
        raise ValidationError(_("This register is being checked or was already imported."))
    chosen = {code: index for code, index in mapping.items() if index is not None and code in BY_CODE}
    errors = {}
    for code in REQUIRED:
        if code not in chosen:
            errors[code] = [_("Choose the column that holds this field: it is required.")]
    seen: dict[int, str] = {}
    for code, index in chosen.items():
        if not 0 <= index < len(locked.headings):
            errors[code] = [_("Choose a column of the file.")]
        elif index in seen:
            errors[code] = [_("This column is already matched to another field.")]
        seen.setdefault(index, code)
    if errors:
        raise ValidationError(errors)
    remembered, _created = RegisterMapping.objects.get_or_create(
        commune=locked.commune, defaults={"updated_by": actor, "headings": {}}
    )
    remembered.headings = {
        **remembered.headings,
        # A column without a heading says nothing about the next file's columns.
        **{key: code for code, index in chosen.items() if (key := heading_key(locked.headings[index]))},
    }
    remembered.updated_by = actor
    remembered.save()
    locked.mapping = chosen
    locked.status = ImportStatus.CHECKING
    locked.progress = 0
    locked.lease_until = None
    locked.failure = ""
    locked.save(update_fields=["mapping", "status", "progress", "lease_until", "failure"])
    record("change", "case_list", locked.pk, actor=actor, fields={"register_import": locked.pk, "columns": chosen})
    enqueue("cases.tasks.register_import_check", locked.pk)
    return locked


@transaction.atomic
def register_import_start(*, actor, register_import: RegisterImport) -> RegisterImport:
    """Import the checked register's good rows (in the background: the page follows its progress)."""
    if not access.can_import_into(actor, register_import.commune):
        raise ValidationError(_("You cannot import case files of this commune."))
    if not RegisterImportRow.objects.filter(register_import=register_import, status=RowStatus.GOOD).exists():
        raise ValidationError(_("No row of this register is ready to import."))
    _refuse_rows_outside(actor, register_import)
    started = RegisterImport.objects.filter(pk=register_import.pk, status=ImportStatus.CHECKED).update(
        status=ImportStatus.IMPORTING, imported_by=actor, progress=0, lease_until=None
    )
    if started != 1:
        raise ValidationError(_("This register is not ready to import (being checked, or already imported)."))
    record("change", "case_list", register_import.pk, actor=actor, fields={"register_import": register_import.pk})
    enqueue("cases.tasks.register_import_run", register_import.pk)
    register_import.refresh_from_db()
    return register_import


def _refuse_rows_outside(actor, register_import: RegisterImport) -> None:
    """The check allowed the communes of the user who uploaded (a coordinator: the whole area); the one who
    imports may answer for fewer of them, and imports only rows of communes they may import into."""
    communes = set(
        RegisterImportRow.objects.filter(register_import=register_import, status=RowStatus.GOOD).values_list(
            "values__commune_id", flat=True
        )
    )
    allowed = set(access.communes_for_register_import(actor).filter(pk__in=communes).values_list("pk", flat=True))
    outside = AdministrativeUnit.objects.filter(pk__in=communes - allowed).order_by("name")
    if outside:
        raise ValidationError(
            _(
                "Rows of %(communes)s are ready to import, and you cannot import case files there: "
                "ask who uploaded the register."
            )
            % {"communes": ", ".join(unit.name for unit in outside)}
        )


def progress_key(pk: int) -> str:
    """The cache key of an import's progress: its rows are written in one transaction, unseen until the end."""
    return f"register-import-progress:{pk}"


@transaction.atomic
def register_work_resume(*, actor, register_import: RegisterImport) -> bool:
    """Queue the check or the import again when its worker is gone (its claim ran out) or its message was
    lost (never claimed). Harmless if it was only slow: a second message finds the work claimed or done."""
    if not access.can_import_into(actor, register_import.commune):
        raise ValidationError(_("You cannot import case files of this commune."))
    locked = RegisterImport.objects.select_for_update().get(pk=register_import.pk)
    if not may_resume(locked):
        return False
    locked.lease_until = None
    locked.save(update_fields=["lease_until"])
    task = "register_import_check" if locked.status == ImportStatus.CHECKING else "register_import_run"
    enqueue(f"cases.tasks.{task}", locked.pk)
    return True


def may_resume(register_import: RegisterImport) -> bool:
    working = register_import.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
    return working and (register_import.lease_until is None or register_import.lease_until < timezone.now())


def _claim(pk: int, status: str) -> bool:
    now = timezone.now()
    with transaction.atomic():
        row = RegisterImport.objects.select_for_update().filter(pk=pk, status=status).first()
        if row is None or (row.lease_until is not None and row.lease_until > now):
            return False
        row.lease_until = now + LEASE
        row.save(update_fields=["lease_until"])
    return True


# ---------------------------------------------------------------------------------------------- the check


@dataclass
class _Places:
    """The units a register may name: the province's active communes (folded name → unit), the hamlets of
    each, and the communes the user may import into."""

    commune: AdministrativeUnit
    communes: dict[str, AdministrativeUnit]
    hamlets: dict[int, dict[str, AdministrativeUnit]]
    allowed: set[int]

    @classmethod
    def around(cls, commune: AdministrativeUnit, user) -> "_Places":
        province_path = commune.path.split("/")[1]
        units = AdministrativeUnit.objects.filter(path__startswith=f"/{province_path}/", is_active=True)
        communes = {unit_key(unit.name): unit for unit in units.filter(level="commune")}
        hamlets: dict[int, dict[str, AdministrativeUnit]] = {}
        for hamlet in units.filter(level="hamlet"):
            hamlets.setdefault(hamlet.parent_id, {})[unit_key(hamlet.name)] = hamlet
        allowed = set(access.communes_for_register_import(user).values_list("pk", flat=True))
        return cls(commune, communes, hamlets, allowed)


def _text(cells: list[str], mapping: dict[str, int], code: str) -> str:
    index = mapping.get(code)
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _heading(headings: list[str], mapping: dict[str, int], code: str) -> str:
    index = mapping.get(code)
    return headings[index] if index is not None else BY_CODE[code].heading


def _read_row(cells, mapping, headings, places: _Places, today) -> tuple[dict, list]:
    """The values of one register row and its problems ([code, params])."""
    problems: list = []
    values: dict = {}

    def text(code):
        return _text(cells, mapping, code)

    def column(code):
        return _heading(headings, mapping, code)

    for code in REQUIRED:
        if not text(code):
            problems.append(["missing", {"column": column(code)}])
    values["row_number"] = text("row_number")
    full_name = names.normalise_name(text("full_name"))
    values["full_name"], values["name_key"] = full_name, fold(full_name)
    if len(full_name) > 200:
        problems.append(["too_long", {"column": column("full_name"), "limit": 200}])
    birth, year_only = (None, False)
    if text("birth_date"):
        birth, year_only = parse_date(text("birth_date"), year_allowed=True)
        if birth is None:
            problems.append(["bad_date", {"column": column("birth_date"), "value": text("birth_date")}])
        elif birth > today:
            problems.append(["future_date", {"column": column("birth_date")}])
    received = None
    if text("received_on"):
        received, _year = parse_date(text("received_on"))
        if received is None:
            problems.append(["bad_date", {"column": column("received_on"), "value": text("received_on")}])
        elif received > today:
            problems.append(["future_date", {"column": column("received_on")}])
    if birth and received:
        if birth > received:
            problems.append(["birth_after_report", {}])
        elif age_on(birth, received) >= CHILD_AGE_LIMIT:
            problems.append(["aged_16", {"age": age_on(birth, received)}])
    values["birth_date"] = birth.isoformat() if birth else ""
    values["birth_year_only"] = year_only
    values["received_on"] = received.isoformat() if received else ""

    sex = text("sex")
    values["sex"] = SEX_WORDS.get(fold(sex), "") if sex else "unknown"
    if not values["sex"]:
        problems.append(["bad_sex", {"value": sex}])
    personal_id = "".join(text("personal_id").split())
    if personal_id and not PERSONAL_ID.match(personal_id):
        problems.append(["bad_personal_id", {}])
    values["personal_id"] = personal_id

    commune_text = text("commune")
    commune = places.communes.get(unit_key(commune_text)) if commune_text else places.commune
    if commune is None:
        problems.append(["unknown_commune", {"value": commune_text}])
    elif commune.pk not in places.allowed:
        problems.append(["commune_not_yours", {"value": commune.name}])
    values["commune_id"] = commune.pk if commune else None
    hamlet_text = text("hamlet")
    values["hamlet_id"] = None
    if hamlet_text and commune is not None:
        hamlet = places.hamlets.get(commune.pk, {}).get(unit_key(hamlet_text))
        if hamlet is None:
            problems.append(["unknown_hamlet", {"value": hamlet_text, "commune": commune.name}])
        else:
            values["hamlet_id"] = hamlet.pk
    values["address"] = text("address")[:255]

    forms, unknown = [], []
    for typed in split_words(text("abuse_forms")):
        word = fold(typed)
        if word in SEXUAL_UNSPECIFIED:
            problems.append(["sexual_abuse_unspecified", {}])
        elif word in ABUSE_WORDS:
            forms.append(ABUSE_WORDS[word])
        else:
            unknown.append(typed)
    if unknown:
        problems.append(
            ["unknown_abuse_form", {"value": ", ".join(unknown), "known": BY_CODE["abuse_forms"].note.rstrip(".")}]
        )
    values["abuse_forms"] = list(dict.fromkeys(forms))
    values["setting"] = SETTING_WORDS.get(fold(text("setting")), Setting.OTHER)
    values["source"] = SOURCE_WORDS.get(fold(text("source")), "other")
    values["reporter_name"] = names.normalise_name(text("reporter_name"))[:200]
    values["narrative"] = text("narrative")
    risk = text("risk_level")
    values["risk_level"] = RISK_WORDS.get(fold(risk), "") if risk else ""
    if risk and not values["risk_level"]:
        problems.append(["bad_risk", {"value": risk}])
    status = text("status")
    values["state"] = STATUS_WORDS.get(fold(status), "") if status else CaseState.RECEIVED
    if not values["state"]:
        problems.append(["unknown_status", {"value": status, "known": BY_CODE["status"].note.rstrip(".")}])
    closed, _year = parse_date(text("closed_on")) if text("closed_on") else (None, False)
    if text("closed_on") and closed is None:
        problems.append(["bad_date", {"column": column("closed_on"), "value": text("closed_on")}])
    elif values["state"] == CaseState.CLOSED and closed is None:
        problems.append(["closed_without_date", {"column": column("closed_on")}])
    elif closed and received and closed < received:
        problems.append(["closed_before_received", {}])
    elif closed and closed > today:
        problems.append(["future_date", {"column": column("closed_on")}])
    values["closed_on"] = closed.isoformat() if closed and values["state"] in ENDED_STATES else ""
    reason = text("closure_reason")
    values["closure_reason"] = CLOSURE_WORDS.get(fold(reason), ClosureReason.OTHER) if reason else ""
    values["closure_note"] = reason if values["closure_reason"] == ClosureReason.OTHER else ""
    values["not_duplicate"] = fold(text("not_duplicate")) in {"x", "co", "khong trung", "1"}
    return values, problems


def _key(commune_pk: int, values: dict) -> str:
    identity = "|".join(
        [str(commune_pk), values["row_number"], values["name_key"], values["birth_date"], values["received_on"]]
    )
    return hashlib.sha256(identity.encode()).hexdigest()


def _checked_rows(register_import: RegisterImport) -> Iterator[list[RegisterImportRow]]:
    """The file's rows read and checked, a chunk at a time (each row on its own: the registry is asked per chunk)."""
    path = stored_path(register_import.stored_name)
    headings = register_import.headings
    rows = rows_after_headings(read_rows(path, register_import.stored_name), headings)
    places = _Places.around(register_import.commune, register_import.uploaded_by)
    today = timezone.localdate()
    numbers: dict[str, int] = {}
    personal_ids: dict[str, int] = {}
    chunk: list[RegisterImportRow] = []
    for count, (position, cells) in enumerate(rows, start=1):  # position: the row's line in the file
        if count > MAX_ROWS:
            raise UnreadableFile(_("The register has more than %(rows)s rows: split it.") % {"rows": MAX_ROWS})
        values, problems = _read_row(cells, register_import.mapping, headings, places, today)
        number = values["row_number"]
        if number and number in numbers:
            problems.append(["row_number_repeated", {"value": number, "line": numbers[number]}])
        numbers.setdefault(number, position)
        personal_id = values["personal_id"]
        if personal_id and personal_ids.setdefault(personal_id, position) != position:
            problems.append(["personal_id_repeated", {"line": personal_ids[personal_id]}])
        chunk.append(
            RegisterImportRow(
                register_import=register_import,
                position=position,
                status=RowStatus.BAD if problems else RowStatus.GOOD,
                key=_key(register_import.commune_id, values) if not problems else "",
                cells=cells,
                values=values,
                problems=problems,
            )
        )
        if len(chunk) == CHUNK:
            yield _against_registry(chunk, register_import)
            chunk = []
    if chunk:
        yield _against_registry(chunk, register_import)


def _against_registry(chunk: list[RegisterImportRow], register_import: RegisterImport) -> list[RegisterImportRow]:
    """Rows already imported, personal identification numbers taken, and children possibly registered
    already (the duplicate search's rule: similar name, same given name, agreeing date of birth, same commune)."""
    good = [row for row in chunk if row.status == RowStatus.GOOD]
    imported = set(ImportedRow.objects.filter(key__in=[row.key for row in good]).values_list("key", flat=True))
    taken = set(
        Child.objects.filter(
            personal_id__in=[row.values["personal_id"] for row in good if row.values["personal_id"]]
        ).values_list("personal_id", flat=True)
    )
    candidates = []
    for row in good:
        if row.key in imported:
            row.status = RowStatus.ALREADY_IMPORTED
        elif row.values["personal_id"] in taken:
            row.status = RowStatus.BAD
            row.problems.append(["personal_id_taken", {}])
        elif not row.values["not_duplicate"]:
            birth = datetime.date.fromisoformat(row.values["birth_date"])
            candidates.append(Candidate(-row.position, row.values["name_key"], birth, row.values["birth_year_only"]))
    partners = partners_of_candidates(candidates)
    if not partners:
        return chunk
    visible = {
        child.pk: child
        for child in access.children_visible_to(register_import.uploaded_by)
        .filter(pk__in={other for _row, other, _similarity in partners})
        .select_related("residence_commune")
        .prefetch_related("case_files")
    }
    by_position = {row.position: row for row in good}
    best: dict[int, tuple[float, Child]] = {}
    for seed, other, similarity in partners:
        row, child = by_position[-seed], visible.get(other)
        if child is None or child.residence_commune_id != row.values["commune_id"]:
            continue
        if seed not in best or similarity > best[seed][0]:
            best[seed] = (similarity, child)
    column = _heading(register_import.headings, register_import.mapping, "not_duplicate")
    for seed, (_similarity, child) in best.items():
        row = by_position[-seed]
        row.status, row.match = RowStatus.DUPLICATE, child
        birth = str(child.birth_date.year) if child.birth_year_only else child.birth_date.strftime("%d/%m/%Y")
        references = ", ".join(case.reference or "" for case in child.case_files.all()) or "—"
        row.problems.append(
            [
                "duplicate",
                {
                    "name": child.full_name,
                    "birth": birth,
                    "commune": child.residence_commune.name,
                    "references": references,
                    "column": column,
                    "child": child.pk,
                },
            ]
        )
    return chunk


def register_check(register_import_id: int) -> str:
    """Check every row of the register (the task's body). Idempotent: a second run starts the check over."""
    if not _claim(register_import_id, ImportStatus.CHECKING):
        return "skipped"
    register_import = RegisterImport.objects.select_related("commune", "uploaded_by").get(pk=register_import_id)
    RegisterImportRow.objects.filter(register_import=register_import).delete()
    counts = dict.fromkeys(RowStatus.values, 0)
    try:
        done = 0
        for chunk in _checked_rows(register_import):
            RegisterImportRow.objects.bulk_create(chunk)
            for row in chunk:
                counts[row.status] += 1
            done += len(chunk)
            RegisterImport.objects.filter(pk=register_import_id).update(progress=done)
        error_file = _write_rejected(register_import)
    except UnreadableFile as error:
        RegisterImport.objects.filter(pk=register_import_id).update(
            status=ImportStatus.FAILED, failure=str(error.args[0])[:255], lease_until=None
        )
        return "failed"
    except OSError:  # the stored upload is gone (a disk cleaned up): upload it again
        RegisterImport.objects.filter(pk=register_import_id).update(
            status=ImportStatus.FAILED,
            failure=_("The uploaded file is no longer there: upload it again."),
            lease_until=None,
        )
        return "failed"
    RegisterImport.objects.filter(pk=register_import_id).update(
        status=ImportStatus.CHECKED,
        total_rows=sum(counts.values()),
        good_rows=counts[RowStatus.GOOD],
        bad_rows=counts[RowStatus.BAD],
        duplicate_rows=counts[RowStatus.DUPLICATE],
        already_imported_rows=counts[RowStatus.ALREADY_IMPORTED],
        error_file=error_file,
        lease_until=None,
    )
    return "checked"


def _write_rejected(register_import: RegisterImport) -> str:
    rows = RegisterImportRow.objects.filter(
        register_import=register_import, status__in=[RowStatus.BAD, RowStatus.DUPLICATE]
    ).order_by("position")
    if not rows.exists():
        return ""
    name = f"{uuid.uuid4().hex}-rejected.xlsx"
    write_rejected(
        stored_path(name),
        register_import.headings,
        ((row.cells, row.problems) for row in rows.only("cells", "problems").iterator(chunk_size=CHUNK)),
    )
    return name


# ---------------------------------------------------------------------------------------------- the import


def _at(day: str) -> datetime.datetime:
    """A register's date as a moment: the start of that day, Vietnam time (registers keep no hour)."""
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(0, 0), tzinfo=LOCAL)


# The legal limits still to be met at each step a register can show (counted from the report's receipt).
LIMITS_AHEAD = {
    CaseState.RECEIVED: (DeadlineKind.EMERGENCY_DECISION, DeadlineKind.PLAN_SUBMISSION, DeadlineKind.PLAN_APPROVAL),
    CaseState.ASSESSED: (DeadlineKind.PLAN_SUBMISSION, DeadlineKind.PLAN_APPROVAL),
    CaseState.EMERGENCY_HANDLED: (DeadlineKind.PLAN_SUBMISSION, DeadlineKind.PLAN_APPROVAL),
    CaseState.INVESTIGATED: (DeadlineKind.PLAN_SUBMISSION, DeadlineKind.PLAN_APPROVAL),
}


def _closure_reason(state: str, values: dict) -> str:
    if state != CaseState.CLOSED:
        return ""
    return values["closure_reason"] or ClosureReason.OTHER


class _Importer:
    """The import's state across chunks: the children already made for this file (one child, several
    rows), the officer of each commune, the deadline rules of each province."""

    def __init__(self, register_import: RegisterImport, actor):
        self.register_import = register_import
        self.actor = actor
        self.children: dict[tuple, Child] = {}
        self.officers: dict[int, object] = {}
        self.rules: dict[int, dict] = {}
        self.communes: dict[int, AdministrativeUnit] = {}
        self.now = timezone.now()
        self.imported = 0

    def commune(self, pk: int) -> AdministrativeUnit:
        if pk not in self.communes:
            self.communes[pk] = AdministrativeUnit.objects.get(pk=pk)
        return self.communes[pk]

    def officer(self, commune: AdministrativeUnit):
        if commune.pk not in self.officers:
            officer = responsible_officer_for(commune, self.actor)
            if officer is None:
                raise ValidationError(
                    _("Nobody in BaoVe answers for %(commune)s yet: ask the province to add its officer.")
                    % {"commune": commune.name}
                )
            self.officers[commune.pk] = officer
        return self.officers[commune.pk]

    def chunk(self, rows: list[RegisterImportRow]) -> None:
        already = set(ImportedRow.objects.filter(key__in=[row.key for row in rows]).values_list("key", flat=True))
        rows = [row for row in rows if row.key not in already]
        if not rows:
            return
        with together():
            children = self._children(rows)
            reports = self._reports(rows)
            cases = self._case_files(rows, children, reports)
            positions = {case.pk: row.position for case, row in zip(cases, rows, strict=True)}
            events.cases_imported_events(
                cases=cases, actor=self.actor, register_import_id=self.register_import.pk, positions=positions
            )
            self._deadlines(cases, rows)
            ImportedRow.objects.bulk_create(
                [
                    ImportedRow(key=row.key, register_import=self.register_import, case=case, position=row.position)
                    for case, row in zip(cases, rows, strict=True)
                ]
            )
            RegisterImportRow.objects.filter(pk__in=[row.pk for row in rows]).update(status=RowStatus.IMPORTED)
        self.imported += len(rows)
        cache.set(progress_key(self.register_import.pk), self.imported, 3600)

    def _children(self, rows) -> list[Child]:
        new: list[Child] = []
        for row in rows:
            values = row.values
            identity = (values["name_key"], values["birth_date"], values["commune_id"])
            if identity in self.children:
                continue
            child = Child(
                full_name=values["full_name"],
                name_key=values["name_key"],
                birth_date=datetime.date.fromisoformat(values["birth_date"]),
                birth_year_only=values["birth_year_only"],
                sex=values["sex"],
                personal_id=values["personal_id"],
                residence_commune_id=values["commune_id"],
                residence_hamlet_id=values["hamlet_id"],
                address=values["address"],
                created_by=self.actor,
            )
            self.children[identity] = child
            new.append(child)
        Child.objects.bulk_create(new, batch_size=CHUNK)
        for child in new:
            name_search.remember(child.name_key)
            record("create", "child", child.pk, actor=self.actor, fields={"register_import": self.register_import.pk})
        return [self.children[(r.values["name_key"], r.values["birth_date"], r.values["commune_id"])] for r in rows]

    def _reports(self, rows) -> list[Report]:
        reports = []
        for row in rows:
            values = row.values
            narrative = values["narrative"] or _("(No description in the register.)")
            reports.append(
                Report(
                    received_at=_at(values["received_on"]),
                    receiving_point=ReceivingPoint.COMMUNE,
                    commune_id=values["commune_id"],
                    source=values["source"],
                    setting=values["setting"],
                    reporter_is_anonymous=not values["reporter_name"],
                    reporter_name=values["reporter_name"],
                    narrative=narrative,
                    external_reference=(_("Register row %(number)s") % {"number": values["row_number"]})[:100],
                    received_by=self.actor,
                )
            )
        Report.objects.bulk_create(reports, batch_size=CHUNK)
        ReportAbuseForm.objects.bulk_create(
            [
                ReportAbuseForm(report=report, form=form)
                for report, row in zip(reports, rows, strict=True)
                for form in row.values["abuse_forms"]
            ],
            batch_size=4 * CHUNK,
        )
        return reports

    def _case_files(self, rows, children, reports) -> list[CaseFile]:
        cases = []
        for row, child, report in zip(rows, children, reports, strict=True):
            values = row.values
            commune = self.commune(values["commune_id"])
            state = values["state"]
            closed_at = _at(values["closed_on"]) if values["closed_on"] else None
            if state in ENDED_STATES and closed_at is None:
                closed_at = report.received_at
            cases.append(
                CaseFile(
                    report=report,
                    child=child,
                    commune=commune,
                    officer=self.officer(commune),
                    opened_at=report.received_at,
                    state=state,
                    risk_level=values["risk_level"],
                    closed_at=closed_at,
                    closure_reason=_closure_reason(state, values),
                    closure_note=values["closure_note"],
                )
            )
        numbers = reserve_ids(CaseFile, len(cases))
        if numbers is None:  # SQLite (the embedded demo): the number is known once the row is written
            for case in cases:
                case.save()
                case.reference = f"HS-{case.opened_at:%Y}-{case.pk:06d}"
                case.save(update_fields=["reference"])
            return cases
        for case, pk in zip(cases, numbers, strict=True):
            case.pk, case.reference = pk, f"HS-{case.opened_at:%Y}-{pk:06d}"
        return CaseFile.objects.bulk_create(cases, batch_size=CHUNK)

    def _rules(self, commune: AdministrativeUnit) -> dict:
        province = province_pk_of(commune)
        if province not in self.rules:
            self.rules[province] = rules_for(commune)
        return self.rules[province]

    def _deadlines(self, cases: list[CaseFile], rows) -> None:
        """The limits still running (never one already past: it would escalate at once), the first review of
        a file under intervention and the no-contact rule, both counted from the import."""
        now = self.now
        open_cases = [case for case in cases if case.state not in ENDED_STATES]
        contact_rules = ContactRule.objects.bulk_create(
            [ContactRule(case=case, last_contact_at=now, last_contact_kind=ContactKind.OPENED) for case in open_cases],
            batch_size=CHUNK,
        )
        deadlines = []
        start_of_today = datetime.datetime.combine(now.astimezone(LOCAL).date(), datetime.time(0, 0), tzinfo=LOCAL)
        for case, rule in zip(open_cases, contact_rules, strict=True):
            rules = self._rules(case.commune)
            province = AdministrativeUnit(pk=province_pk_of(case.commune))
            for kind in LIMITS_AHEAD.get(case.state, ()):
                due = due_at(case.opened_at, *rules[kind])
                if due > now:
                    deadlines.append((case, kind, case.opened_at, due, province))
            if case.state == CaseState.IN_INTERVENTION:
                deadlines.append((case, DeadlineKind.REVIEW, now, due_at(now, *rules[DeadlineKind.REVIEW]), province))
            amount, unit = rules[DeadlineKind.NO_CONTACT]
            deadlines.append(
                (rule, DeadlineKind.NO_CONTACT, start_of_today, due_at(start_of_today, amount, unit), province)
            )
        ContentType.objects.get_for_models(CaseFile, ContactRule)  # cached before the loop of rows
        deadlines_open_many(deadlines=deadlines)


def register_import_run(register_import_id: int) -> str:
    """Import the good rows (the task's body) in one transaction: all of them, or nothing on a failure.
    Idempotent: rows whose key was imported are skipped, and a finished import is not run again."""
    if not _claim(register_import_id, ImportStatus.IMPORTING):
        return "skipped"
    register_import = RegisterImport.objects.select_related("commune", "imported_by").get(pk=register_import_id)
    actor = register_import.imported_by
    if actor is None or not access.can_import_into(actor, register_import.commune):
        RegisterImport.objects.filter(pk=register_import_id).update(
            status=ImportStatus.FAILED, failure=_("You cannot import case files of this commune."), lease_until=None
        )
        return "refused"
    try:
        _refuse_rows_outside(actor, register_import)
        # The commune's list stamped at the end: a report received meanwhile in the commune does not wait.
        with transaction.atomic(), stamped_at_the_end():
            # One import of a commune at a time (two uploads of the same register cannot both bring a row in).
            RegisterMapping.objects.select_for_update().filter(commune=register_import.commune).first()
            if not RegisterImport.objects.filter(pk=register_import_id, status=ImportStatus.IMPORTING).exists():
                return "skipped"  # another run (its claim had run out) finished it while this one waited
            importer = _Importer(register_import, actor)
            good = RegisterImportRow.objects.filter(register_import=register_import, status=RowStatus.GOOD)
            last = 0
            while True:
                rows = list(good.filter(position__gt=last).order_by("position")[:CHUNK])
                if not rows:
                    break
                importer.chunk(rows)
                last = rows[-1].position
            record(
                "create",
                "case_list",
                register_import.pk,
                actor=actor,
                fields={"register_import": register_import.pk, "imported": importer.imported},
            )
            RegisterImport.objects.filter(pk=register_import_id).update(
                status=ImportStatus.DONE,
                imported_rows=importer.imported,
                imported_at=timezone.now(),
                lease_until=None,
            )
    except ValidationError as error:
        failure = " ".join(error.messages)
    except IntegrityError:
        # A row met a record written since the check (a personal identification number registered meanwhile).
        failure = _("The registry changed since the check: check the rows again, then import.")
    else:
        return "done"
    RegisterImport.objects.filter(pk=register_import_id).update(
        status=ImportStatus.FAILED, failure=failure[:255], lease_until=None
    )
    return "failed"


# ---------------------------------------------------------------------------------------------- retention

KEEP_DAYS = 30


def register_uploads_forget(*, now: datetime.datetime | None = None) -> int:
    """The children's data an upload holds (its file, its rows as typed, the file of rows given back) is
    kept KEEP_DAYS after the upload, long enough to correct and import again; then it goes. What was
    imported stays in the case files, and the upload's record (who, when, how many) in its row and the audit
    trail; its row keys keep a second import of the same register from doing anything. Returns uploads emptied."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    old = RegisterImport.objects.filter(uploaded_at__lt=cutoff).exclude(
        status__in=[ImportStatus.CHECKING, ImportStatus.IMPORTING]
    )
    emptied = 0
    for upload in old.filter(stored_name__gt="").only("pk", "stored_name", "error_file").iterator():
        with transaction.atomic():
            RegisterImportRow.objects.filter(register_import=upload).delete()
            RegisterImport.objects.filter(pk=upload.pk).update(stored_name="", error_file="", headings=[])
            RegisterImport.objects.filter(pk=upload.pk).exclude(status=ImportStatus.DONE).update(
                status=ImportStatus.FAILED,
                failure=_("Uploads are kept %(days)s days: upload the register again.") % {"days": KEEP_DAYS},
            )
            names = [upload.stored_name, upload.error_file]
            transaction.on_commit(lambda names=names: _remove(names))
        emptied += 1
    return emptied


def _remove(names: list[str]) -> None:
    for name in filter(None, names):
        Path(stored_path(name)).unlink(missing_ok=True)
