"""Writes of the lists administrators keep (cases.models.lists) and of a case file's extra fields."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.access import ancestor_pks, may_keep_lists_of
from audit.models import AuditObject
from audit.recorder import record

from .. import lists
from ..models import CaseFile, ExtraField, ExtraFieldTarget, ListEntry

_ENTRY_FIELDS = ("code", "legal_code", "province_id", "label_vi", "label_en", "sort_order", "is_active")
_FIELD_FIELDS = (
    "target",
    "key",
    "label",
    "help_text",
    "field_type",
    "options",
    "is_required",
    "sort_order",
    "is_active",
)


def _changes(before: dict, instance, names) -> dict:
    after = {name: getattr(instance, name) for name in names}
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


@transaction.atomic
def list_entry_save(*, actor, entry: ListEntry) -> ListEntry:
    """Add or change an entry of a kept list. Its code never changes once saved (records store it); its legal
    category is one of the law's (cases.choices), so the indicators keep counting it."""
    before = {}
    if entry.pk:
        stored = ListEntry.objects.select_for_update().get(pk=entry.pk)
        before = {name: getattr(stored, name) for name in _ENTRY_FIELDS}
        if not may_keep_lists_of(actor, stored.province_id):
            raise PermissionDenied(_("You do not keep this list entry."))
        if entry.code != stored.code or entry.kind != stored.kind:
            raise ValidationError({"code": [_("The code of an entry never changes: records use it.")]})
    if not may_keep_lists_of(actor, entry.province_id):
        raise PermissionDenied(_("You keep the lists of your own province only."))
    errors = {}
    legal = lists.LEGAL.get(entry.kind)
    if legal is None or entry.legal_code not in legal.values:
        errors["legal_code"] = [_("Choose one of the law's categories.")]
    if ListEntry.objects.filter(kind=entry.kind, code=entry.code).exclude(pk=entry.pk).exists():
        errors["code"] = [_("This list already has an entry with this code.")]
    if errors:
        raise ValidationError(errors)
    entry.full_clean()
    entry.save()
    lists.forget()
    record(
        "change" if before else "create",
        AuditObject.LIST_ENTRY,
        entry.pk,
        fields={"kind": entry.kind, **_changes(before, entry, _ENTRY_FIELDS)},
        actor=actor,
    )
    return entry


@transaction.atomic
def extra_field_save(*, actor, field: ExtraField) -> ExtraField:
    """Add or change a province's extra field. Its key and type never change once saved (values are stored
    under the key, typed); deactivating it stops asking it and keeps every value."""
    before = {}
    if field.pk:
        stored = ExtraField.objects.select_for_update().get(pk=field.pk)
        before = {name: getattr(stored, name) for name in _FIELD_FIELDS}
        if not may_keep_lists_of(actor, stored.province_id) or stored.province_id != field.province_id:
            raise PermissionDenied(_("You do not keep this field."))
        errors = {}
        if field.key != stored.key:
            errors["key"] = [_("The key of a field never changes: values are stored under it.")]
        if field.field_type != stored.field_type:
            errors["field_type"] = [_("The type of a field never changes: add a new field instead.")]
        if field.target != stored.target:
            errors["target"] = [_("A field stays where it is asked: add a new field instead.")]
        if errors:
            raise ValidationError(errors)
    if not may_keep_lists_of(actor, field.province_id):
        raise PermissionDenied(_("You keep the lists of your own province only."))
    taken = ExtraField.objects.filter(province_id=field.province_id, target=field.target, key=field.key)
    if taken.exclude(pk=field.pk).exists():
        raise ValidationError({"key": [_("This province already has a field with this key here.")]})
    if not field.pk:
        field.created_by = actor
    field.full_clean(exclude=["created_by"])
    field.save()
    record(
        "change" if before else "create",
        AuditObject.EXTRA_FIELD,
        field.pk,
        fields={"province": field.province_id, **_changes(before, field, _FIELD_FIELDS)},
        actor=actor,
    )
    return field


@transaction.atomic
def case_extra_save(*, actor, case: CaseFile, raw: dict) -> CaseFile:
    """Record the province's extra fields of a case file (fetched through the access door with the right to
    change it). Values of fields no longer asked are kept."""
    case = CaseFile.objects.select_for_update().select_related("commune").get(pk=case.pk)
    definitions = lists.extra_definitions(ancestor_pks(case.commune.path)[0], ExtraFieldTarget.CASE)
    values, errors = lists.extra_clean(definitions, raw, kept=case.extra)
    if errors:
        raise ValidationError(errors)
    changed = sorted(key for key in set(values) | set(case.extra) if values.get(key) != case.extra.get(key))
    if changed:
        case.extra = values
        case.save(update_fields=["extra"])
        # The audit row names the fields changed, never their values (they may be personal data).
        record("change", "case", case.pk, case=case, fields={"extra": changed}, actor=actor)
    return case
