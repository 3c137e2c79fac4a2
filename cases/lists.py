"""Reads of the lists administrators keep (cases.models.lists), with a short per-process cache.

The labels change rarely and are read on every page that shows a form of abuse, so each process keeps them
for CACHE_SECONDS (and forgets them at once when it writes one). Until the table exists (a fresh database
being migrated) and for any code it does not know, the law's own list (cases.choices) answers, so old
records keep working whatever happens to the table."""

import datetime
import decimal
import time
from dataclasses import dataclass

from django.apps import apps
from django.db import DatabaseError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .choices import AbuseForm, ClosureReason, ServiceType

CACHE_SECONDS = 30
# An extra number has at most this many digits before the decimal point: a count or an amount never comes near
# it, and "1e5000" would be stored as an integer too long to write (a 500) or take the process's memory.
NUMBER_DIGITS = 15

LEGAL = {"abuse_form": AbuseForm, "service_type": ServiceType, "closure_reason": ClosureReason}


@dataclass(frozen=True)
class Entry:
    code: str
    legal_code: str
    province_id: int | None
    label_vi: str
    label_en: str
    is_active: bool

    @property
    def label(self) -> str:
        return self.label_en if self.label_en and (get_language() or "vi").startswith("en") else self.label_vi


_cache: dict = {"at": 0.0, "entries": None}


def forget() -> None:
    """Called by the services that change a list: this process reads the change at once."""
    _cache["at"], _cache["entries"] = 0.0, None
    _definitions.clear()


def _load() -> dict[str, list[Entry]] | None:
    ListEntry = apps.get_model("cases", "ListEntry")
    try:
        rows = list(
            ListEntry.objects.order_by("sort_order", "pk").values_list(
                "kind", "code", "legal_code", "province_id", "label_vi", "label_en", "is_active"
            )
        )
    except DatabaseError:
        return None  # the table is not there yet (migrations running)
    entries: dict[str, list[Entry]] = {kind: [] for kind in LEGAL}
    for kind, *values in rows:
        entries.setdefault(kind, []).append(Entry(*values))
    return entries


def entries(kind: str) -> list[Entry]:
    """Every entry of the list KIND, offered or not, in the administrators' order."""
    now = time.monotonic()
    if _cache["entries"] is None or now - _cache["at"] > CACHE_SECONDS:
        loaded = _load()
        if loaded is None:
            return _legal_entries(kind)
        _cache["entries"], _cache["at"] = loaded, now
    kept = _cache["entries"].get(kind) or []
    # The law's categories are never removed, only relabelled or deactivated: one the table lacks (a database
    # emptied and refilled with a province's entries only) is offered as the law gives it.
    known = {entry.code for entry in kept}
    return kept + [entry for entry in _legal_entries(kind) if entry.code not in known]


def _legal_entries(kind: str) -> list[Entry]:
    return [Entry(value, value, None, str(label), "", True) for value, label in LEGAL[kind].choices]


def label(kind: str, code: str) -> str:
    """The label of CODE in KIND; the law's label, or the code itself, for a code the list no longer has."""
    if not code:
        return ""
    for entry in entries(kind):
        if entry.code == code:
            return entry.label
    return str(dict(LEGAL[kind].choices).get(code, code))


def legal_code(kind: str, code: str) -> str:
    """The law's category CODE counts as (the indicators count by it)."""
    for entry in entries(kind):
        if entry.code == code:
            return entry.legal_code
    return code


def offered(kind: str, province_ids=None) -> list[tuple[str, str]]:
    """(code, label) of the entries a form offers: the national ones and those of PROVINCE_IDS."""
    provinces = set(province_ids or ())
    return [
        (entry.code, entry.label)
        for entry in entries(kind)
        if entry.is_active and (entry.province_id is None or entry.province_id in provinces)
    ]


def filter_choices(kind: str, province_ids=None) -> list[tuple[str, str]]:
    """(code, label) a list's filter offers: the national entries and those of PROVINCE_IDS (None: of every
    province), retired ones too (older records carry them)."""
    provinces = None if province_ids is None else set(province_ids)
    return [
        (entry.code, entry.label)
        for entry in entries(kind)
        if entry.province_id is None or provinces is None or entry.province_id in provinces
    ]


def offered_codes(kind: str, province_ids=None) -> set[str]:
    return {code for code, _label in offered(kind, province_ids)}


# The models' choices: every entry (offered or not), so that a record keeps its label and validates.
def abuse_form_choices() -> list[tuple[str, str]]:
    return [(entry.code, entry.label) for entry in entries("abuse_form")]


def service_type_choices() -> list[tuple[str, str]]:
    return [(entry.code, entry.label) for entry in entries("service_type")]


def closure_reason_choices() -> list[tuple[str, str]]:
    return [(entry.code, entry.label) for entry in entries("closure_reason")]


# ------------------------------------------------------------------------------------------ extra fields


def extra_definitions(province_id: int | None, target: str, *, active_only: bool = True) -> list:
    """The extra fields a province asks on TARGET ("report" or "case"), in order."""
    ExtraField = apps.get_model("cases", "ExtraField")
    if province_id is None:
        return []
    fields = ExtraField.objects.filter(province_id=province_id, target=target)
    if active_only:
        fields = fields.filter(is_active=True)
    return list(fields.order_by("sort_order", "pk"))


def _parse(definition, raw):
    """(value as stored, error or None). Stored: text and choices as text, numbers as numbers, dates ISO."""
    kind = definition.field_type
    if isinstance(raw, str):
        raw = raw.strip()
    if raw in (None, ""):
        return None, None
    if kind == "number":
        try:
            number = decimal.Decimal(str(raw).replace(" ", "").replace(",", "."))
        except decimal.InvalidOperation:
            return None, _("“%(label)s”: enter a number.") % {"label": definition.label}
        if not number.is_finite():
            return None, _("“%(label)s”: enter a number.") % {"label": definition.label}
        if number.adjusted() >= NUMBER_DIGITS:  # adjusted(): no arithmetic, so no overflow either
            return None, _("“%(label)s”: the number is too large.") % {"label": definition.label}
        return (int(number) if number == number.to_integral_value() else float(number)), None
    if kind == "date":
        if isinstance(raw, datetime.date):
            return raw.isoformat(), None
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.datetime.strptime(str(raw), pattern).date().isoformat(), None
            except ValueError:
                continue
        return None, _("“%(label)s”: enter a date as dd/mm/yyyy.") % {"label": definition.label}
    text = str(raw)
    if kind == "choice" and text not in definition.option_list:
        return None, _("“%(label)s”: choose one of the options.") % {"label": definition.label}
    if len(text) > 1000:
        return None, _("“%(label)s”: at most 1000 characters.") % {"label": definition.label}
    return text, None


def extra_clean(definitions, raw: dict, *, kept: dict | None = None) -> tuple[dict, dict[str, list[str]]]:
    """Check RAW (key → typed or text value) against DEFINITIONS (the active fields). Returns the values to
    store, over KEPT (the record's present values: those of deactivated or other fields are never lost),
    and the errors keyed "extra_<key>"."""
    values = dict(kept or {})
    errors: dict[str, list[str]] = {}
    raw = raw or {}
    known = {definition.key for definition in definitions}
    for key in sorted(set(raw) - known):
        errors[f"extra_{key}"] = [_("There is no extra field “%(key)s” here.") % {"key": key}]
    for definition in definitions:
        value, error = _parse(definition, raw.get(definition.key))
        if error and definition.field_type == "choice" and raw.get(definition.key) == values.get(definition.key):
            # The option the record holds was taken off the list since: kept as it is, not refused or lost.
            continue
        if error:
            errors[f"extra_{definition.key}"] = [error]
        elif value is None:
            if definition.is_required:
                errors[f"extra_{definition.key}"] = [_("“%(label)s” is required.") % {"label": definition.label}]
            values.pop(definition.key, None)
        else:
            values[definition.key] = value
    return values, errors


def _shown(definition, value) -> str:
    if definition is not None and definition.field_type == "date":
        try:
            return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, float):
        return f"{value:,}".replace(",", "\u202f").replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def extra_pairs(obj, *, target: str | None = None, province_id: int | None = None) -> list[tuple[str, str]]:
    """(label, value) of every extra value OBJ (a Report or a CaseFile) holds, in the province's order; values
    of deactivated fields too. For pages, PDFs and exports (one column per pair)."""
    from agencies.access import ancestor_pks

    values = getattr(obj, "extra", None) or {}
    if not values:
        return []
    if target is None:
        target = "report" if type(obj).__name__ == "Report" else "case"
    if province_id is None:
        province_id = ancestor_pks(obj.commune.path)[0]
    definitions = {item.key: item for item in extra_definitions(province_id, target, active_only=False)}
    return _pairs(values, definitions)


def _pairs(values: dict, definitions: dict) -> list[tuple[str, str]]:
    ordered = [key for key in definitions if key in values] + sorted(key for key in values if key not in definitions)
    return [
        (definitions[key].label if key in definitions else key, _shown(definitions.get(key), values[key]))
        for key in ordered
    ]


# Every field a province ever defined, kept per process like the lists (exports read them for each row).
_definitions: dict[tuple[int, str], tuple[float, dict]] = {}


def extra_text(values: dict | None, commune_path: str, target: str = "case") -> str:
    """The extra values of a row read as values (an export's), in one cell: "label: value; label: value"."""
    if not values:
        return ""
    province_id = int(commune_path.strip("/").split("/")[0])
    now = time.monotonic()
    kept = _definitions.get((province_id, target))
    if kept is None or now - kept[0] > CACHE_SECONDS:
        found = {item.key: item for item in extra_definitions(province_id, target, active_only=False)}
        kept = _definitions[(province_id, target)] = (now, found)
    return "; ".join(f"{label}: {value}" for label, value in _pairs(values, kept[1]))
