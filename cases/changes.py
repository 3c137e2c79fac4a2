"""A tracked change of a case file in words: the field's label and its values before and after, as the
timeline and the audit trail show them (one way of saying it, for both)."""

import datetime

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext

from .models import CaseFile

# Tracked fields that point at a unit or a person: shown by name (the caller reads the names in bulk).
LINKED = {"commune_id": "unit", "transfer_to_id": "unit", "officer_id": "user"}


def field_label(name: str) -> str:
    return capfirst(str(CaseFile._meta.get_field(name.removesuffix("_id")).verbose_name))


def value_in_words(name: str, value, names: dict | None = None) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if name in LINKED:
        return (names or {}).get(LINKED[name], {}).get(value, "—")
    field = CaseFile._meta.get_field(name.removesuffix("_id"))
    if field.choices:
        return str(dict(field.choices).get(value, value))
    if name.endswith("_at") and isinstance(value, str):
        return timezone.localtime(datetime.datetime.fromisoformat(value)).strftime("%H:%M %d/%m/%Y")
    return str(value)


def change_in_words(name: str, before, after, names: dict | None = None) -> tuple[str, str, str]:
    return field_label(name), value_in_words(name, before, names), value_in_words(name, after, names)
