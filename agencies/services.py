"""Every write to units, agencies and memberships."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import recorder
from audit.models import AuditObject

from .access import access_changed, ancestor_paths, forget_jurisdiction, may_keep_provider_in
from .models import (
    OFFICIAL_LEVELS,
    AdministrativeUnit,
    Agency,
    AgencyNameChange,
    AgencyType,
    Role,
    StaffMembership,
    UnitLevel,
)
from .official_units import OfficialUnits


@transaction.atomic
def unit_save(*, actor, unit: AdministrativeUnit) -> AdministrativeUnit:
    """Create or change a unit, keeping the materialised path of it and its whole subtree right."""
    unit.full_clean()
    old_path = None
    if unit.pk:
        old_path = AdministrativeUnit.objects.select_for_update().values_list("path", flat=True).get(pk=unit.pk)
    unit.save()
    new_path = f"{unit.parent.path if unit.parent_id else '/'}{unit.pk}/"
    if new_path != old_path:
        unit.path = new_path
        unit.save(update_fields=["path"])
        if old_path:
            _move_subtree(old_path, new_path, exclude_pk=unit.pk)
    return unit


def _move_subtree(old_path: str, new_path: str, *, exclude_pk: int) -> int:
    moved = (
        AdministrativeUnit.objects.filter(path__startswith=old_path)
        .exclude(pk=exclude_pk)
        .update(path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)))
    )
    access_changed()  # a bulk update sends no signal
    return moved


@transaction.atomic
def agency_save(*, actor, agency: Agency) -> Agency:
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def agency_type_save(*, actor, agency_type: AgencyType) -> AgencyType:
    """Add or relabel a type of agency (a national list: its code never changes once saved)."""
    before = {}
    if agency_type.pk:
        stored = AgencyType.objects.select_for_update().get(pk=agency_type.pk)
        if stored.code != agency_type.code:
            raise ValidationError({"code": [_("The code of an entry never changes: records use it.")]})
        before = {"name_vi": stored.name_vi, "name_en": stored.name_en, "sort_order": stored.sort_order}
    agency_type.full_clean()
    agency_type.save()
    after = {"name_vi": agency_type.name_vi, "name_en": agency_type.name_en, "sort_order": agency_type.sort_order}
    recorder.record(
        "change" if before else "create",
        AuditObject.AGENCY_TYPE,
        agency_type.pk,
        fields={name: [before.get(name), value] for name, value in after.items() if before.get(name) != value},
        actor=actor,
    )
    return agency_type


@transaction.atomic
def agency_rename(*, actor, agency: Agency, new_name: str, effective_on) -> AgencyNameChange:
    """Rename AGENCY from EFFECTIVE_ON (today or a past date after its last renaming): documents dated before
    keep printing the former name. A renaming is recorded once it is in force, never ahead of it."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    new_name = " ".join((new_name or "").split())
    errors = {}
    if not new_name:
        errors["new_name"] = [_("Enter the new name.")]
    elif new_name == agency.name:
        errors["new_name"] = [_("This is already the agency's name.")]
    if effective_on is None:
        errors["effective_on"] = [_("Enter the date the new name took effect.")]
    elif effective_on > timezone.localdate():
        errors["effective_on"] = [_("Record a renaming on or after the day it takes effect.")]
    else:
        last = agency.renamings.order_by("-effective_on").first()
        if last is not None and effective_on <= last.effective_on:
            errors["effective_on"] = [
                _("The last renaming took effect on %(date)s: a new one must take effect after it.")
                % {"date": last.effective_on.strftime("%d/%m/%Y")}
            ]
    if errors:
        raise ValidationError(errors)
    change = AgencyNameChange(
        agency=agency, old_name=agency.name, new_name=new_name, effective_on=effective_on, created_by=actor
    )
    agency.name = new_name
    agency.full_clean()
    agency.save(update_fields=["name"])
    change.save()
    recorder.record(
        "change",
        AuditObject.AGENCY,
        agency.pk,
        fields={"old_name": change.old_name, "new_name": new_name, "effective_on": effective_on.isoformat()},
        actor=actor,
    )
    return change


@transaction.atomic
def membership_save(*, actor, membership: StaffMembership) -> StaffMembership:
    """Grant (or change) a user's role; the model's rules refuse a unit outside the agency's area."""
    membership.full_clean()
    membership.save()
    forget_jurisdiction(membership.user)
    _sync_staff_group(membership.user, membership.agency)
    return membership


def agency_staff_group(agency: Agency) -> Group:
    """The auth group of an agency's focal points: object permissions on case files go to it."""
    group, _created = Group.objects.get_or_create(name=f"agency:{agency.pk}")
    return group


def _sync_staff_group(user, agency: Agency) -> None:
    group = agency_staff_group(agency)
    is_staff = StaffMembership.objects.filter(user=user, agency=agency, role=Role.FOCAL_POINT, is_active=True).exists()
    if is_staff:
        user.groups.add(group)
    else:
        user.groups.remove(group)


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=lambda: {"province": 0, "commune": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"province": 0, "commune": 0})
    unchanged: dict[str, int] = field(default_factory=lambda: {"province": 0, "commune": 0})
    deactivated: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()) + self.deactivated)


@transaction.atomic
def units_load_official(*, units: OfficialUnits) -> LoadReport:
    """Create or update the official provinces and communes in one transaction.

    Idempotent: a second run with the same list changes nothing. A commune an administrator
    placed under an intermediate unit of its own province stays there. Official units that
    left the list are deactivated, never deleted: case files keep pointing at them.
    """
    report = LoadReport()
    existing = {
        (unit.level, unit.code): unit
        for unit in AdministrativeUnit.objects.select_for_update().filter(level__in=OFFICIAL_LEVELS)
    }

    provinces: dict[str, AdministrativeUnit] = {}
    new_provinces = []
    for record in units.provinces:
        unit = existing.get((UnitLevel.PROVINCE, record.code))
        if unit is None:
            unit = AdministrativeUnit(
                code=record.code, name=record.name, division_type=record.division_type, level=UnitLevel.PROVINCE
            )
            new_provinces.append(unit)
        else:
            _apply_official_fields(unit, record, report, UnitLevel.PROVINCE)
        provinces[record.code] = unit
    _create_with_paths(new_provinces)
    report.created["province"] = len(new_provinces)

    province_paths = {unit.path: unit for unit in provinces.values()}
    new_communes = []
    moved = []
    for record in units.communes:
        province = provinces[record.province_code]
        unit = existing.get((UnitLevel.COMMUNE, record.code))
        if unit is None:
            unit = AdministrativeUnit(
                code=record.code,
                name=record.name,
                division_type=record.division_type,
                level=UnitLevel.COMMUNE,
                parent=province,
            )
            new_communes.append(unit)
            continue
        current_province = province_paths.get(_root_path(unit.path))
        if current_province is not province:
            moved.append((unit, unit.path))
            unit.parent = province
        _apply_official_fields(unit, record, report, UnitLevel.COMMUNE, force_update=current_province is not province)
    _create_with_paths(new_communes)
    report.created["commune"] = len(new_communes)
    for unit, old_path in moved:
        new_path = f"{unit.parent.path}{unit.pk}/"
        AdministrativeUnit.objects.filter(pk=unit.pk).update(parent=unit.parent, path=new_path)
        _move_subtree(old_path, new_path, exclude_pk=unit.pk)

    listed = {(UnitLevel.PROVINCE, r.code) for r in units.provinces} | {
        (UnitLevel.COMMUNE, r.code) for r in units.communes
    }
    gone = [unit.pk for key, unit in existing.items() if key not in listed and unit.is_active]
    report.deactivated = AdministrativeUnit.objects.filter(pk__in=gone).update(is_active=False)
    access_changed()  # bulk updates send no signal
    return report


def _root_path(path: str) -> str:
    return ancestor_paths(path)[0]


def _apply_official_fields(unit, record, report: LoadReport, level: str, *, force_update: bool = False) -> None:
    wanted = {"name": record.name, "division_type": record.division_type, "is_active": True}
    changed = [name for name, value in wanted.items() if getattr(unit, name) != value]
    if not changed and not force_update:
        report.unchanged[level] += 1
        return
    for name in changed:
        setattr(unit, name, wanted[name])
    if changed:
        unit.save(update_fields=[*changed, "updated_at"])
    report.updated[level] += 1


def _create_with_paths(units: list[AdministrativeUnit]) -> None:
    if not units:
        return
    AdministrativeUnit.objects.bulk_create(units, batch_size=1000)
    for unit in units:
        unit.path = f"{unit.parent.path if unit.parent_id else '/'}{unit.pk}/"
    AdministrativeUnit.objects.bulk_update(units, ["path"], batch_size=1000)


@transaction.atomic
def provider_save(*, actor, provider, areas: list[AdministrativeUnit]):
    """Create or change an entry of the directory of services. The keeper may name only areas of their own
    area; an entry they change must already lie there (agencies.access.provider_for_keeper)."""
    if not areas:
        raise ValidationError({"areas": [_("Choose at least one area served.")]})
    if not may_keep_provider_in(actor, areas):
        raise ValidationError({"areas": [_("You can name only areas inside your own area.")]})
    is_new = provider.pk is None
    if is_new:
        provider.created_by = actor
    provider.full_clean(exclude=["created_by"])
    provider.save()
    provider.areas.set(areas)
    recorder.record(
        "create" if is_new else "change",
        "service_provider",
        provider.pk,
        fields={"name": provider.name, "areas": sorted(unit.pk for unit in areas), "is_active": provider.is_active},
        actor=actor,
    )
    return provider
