"""Reads of units, agencies and staff, always scoped by the user's jurisdiction."""

from collections import defaultdict

from django.db.models import Q, QuerySet

from config.names import fold

from .access import ancestor_paths, ancestor_pks, jurisdiction_of
from .models import Agency, AgencyNameChange, Role, StaffMembership


def agencies_for_user(user) -> QuerySet[Agency]:
    """Agencies serving a unit in the user's jurisdiction, and national agencies."""
    return (
        Agency.objects.filter(jurisdiction_of(user).q("unit__path") | Q(unit__isnull=True), is_active=True)
        .select_related("agency_type", "unit")
        .order_by("unit__path", "agency_type__sort_order", "name")
    )


def staff_for_user(user) -> QuerySet[StaffMembership]:
    return (
        StaffMembership.objects.filter(jurisdiction_of(user).q("unit__path"), is_active=True)
        .select_related("user", "agency", "unit")
        .order_by("unit__path", "role", "user__username")
    )


class AreaStaff:
    """Staff by role at every unit above a set of units (the units included), from one query."""

    def __init__(self, units, roles: set[str]):
        paths = {path for unit in units for path in ancestor_paths(unit.path)}
        self._staff: dict[tuple[str, str], list] = defaultdict(list)
        self._levels: dict[str, str] = {}
        for membership in StaffMembership.objects.filter(
            role__in=roles, is_active=True, agency__is_active=True, user__is_active=True, unit__path__in=paths
        ).select_related("user", "unit"):
            self._staff[(membership.role, membership.unit.path)].append(membership.user)
            self._levels[membership.unit.path] = membership.unit.level

    def at(self, unit, role: str, levels) -> list:
        """The users holding ROLE at a unit of one of LEVELS on UNIT's path (UNIT included)."""
        found = {}
        for path in ancestor_paths(unit.path):
            if self._levels.get(path) in levels:
                for user in self._staff.get((role, path), []):
                    found.setdefault(user.pk, user)
        return list(found.values())


class AgencyStaff:
    """The focal points and heads (leader role) of a set of agencies, from one query."""

    def __init__(self, agency_ids):
        self._staff: dict[tuple[int, str], list] = defaultdict(list)
        for membership in StaffMembership.objects.filter(
            agency_id__in=set(agency_ids),
            role__in=[Role.FOCAL_POINT, Role.LEADER],
            is_active=True,
            user__is_active=True,
        ).select_related("user"):
            self._staff[(membership.agency_id, membership.role)].append(membership.user)

    def focal_points(self, agency_id: int) -> list:
        return self._staff[(agency_id, Role.FOCAL_POINT)]

    def heads(self, agency_id: int) -> list:
        """The agency's head; its focal points where no head is registered."""
        return self._staff[(agency_id, Role.LEADER)] or self.focal_points(agency_id)


def agencies_serving(unit) -> QuerySet[Agency]:
    """Active agencies that serve UNIT: those at the unit, those above it, and national ones; nearest first."""
    return (
        Agency.objects.filter(Q(unit_id__in=ancestor_pks(unit.path)) | Q(unit__isnull=True), is_active=True)
        .select_related("unit", "agency_type")
        .order_by("-unit__path", "name")
    )


# A plan may name a group of bodies as one "agency" ("Các cơ quan, đơn vị huyện…", "Ủy ban nhân dân các xã…"):
# "các" before a kind of body marks the plural. Such a group carries plan tasks; a child's case is given to one
# body. ("Ban quản lý các dự án…" is one body: "các" there is before what it manages.)
GROUP_NAME = (
    r"(^các\s)|(\scác\s+(xã|phường|thị trấn|cơ quan|đơn vị|tổ chức|trường|ban|ngành|đoàn thể|hội|sở|phòng|huyện))"
)


def agencies_for_assignments(unit) -> QuerySet[Agency]:
    """The agencies a measure of a child's plan may be given to: those serving UNIT, not a plan's group of
    bodies named together."""
    return agencies_serving(unit).exclude(name__iregex=GROUP_NAME)


def providers_serving(unit, *, kind: str = "", include_inactive: bool = False) -> QuerySet:
    """Directory entries serving UNIT: those named for it, for a unit above it, or (for a province or an
    intermediate unit) for a commune inside it. Active ones only unless asked."""
    from .models import ServiceProvider

    rows = ServiceProvider.objects.all()
    if unit is not None:
        rows = rows.filter(Q(areas__path__in=ancestor_paths(unit.path)) | Q(areas__path__startswith=unit.path))
    if kind:
        rows = rows.filter(kind=kind)
    if not include_inactive:
        rows = rows.filter(is_active=True)
    return rows.distinct().prefetch_related("areas").order_by("kind", "name", "pk")


def providers_for_user(user, *, unit=None, kind: str = "", text: str = "") -> QuerySet:
    """The directory as USER reads it: everyone on staff reads every active entry; keepers also see the
    inactive ones of their area. Empty for anyone else."""
    from .access import DIRECTORY_KEEPER_ROLES, may_read_directory
    from .models import ServiceProvider

    if not may_read_directory(user):
        return ServiceProvider.objects.none()
    scope = jurisdiction_of(user, DIRECTORY_KEEPER_ROLES)
    rows = providers_serving(unit, kind=kind, include_inactive=True)
    # Keepers also see the inactive entries of their own area (to put them back).
    rows = rows.filter(Q(is_active=True) | (Q(pk__in=[]) if scope.is_empty else scope.q("areas__path")))
    if text:
        # Whatever the keyboard ("tam ly", "TÂM LÝ", "tâm lý"): the area's entries are a few hundred at most,
        # compared folded; a confidential address is not searched (it would tell where a shelter is).
        wanted = fold(text)
        matching = [
            pk
            for pk, name, services, address, secret in rows.values_list(
                "pk", "name", "services", "address", "address_is_confidential"
            )
            if wanted in fold(f"{name} {services} {'' if secret else address}")
        ]
        rows = rows.filter(pk__in=matching)
    return rows


def agency_names_on(agency_ids, day) -> dict[int, str]:
    """The names the agencies bore on DAY (a renaming since then gives back the former name), from one query;
    agencies never renamed since DAY are left out: their `name` is right."""
    names: dict[int, str] = {}
    if day is None:
        return names
    later = AgencyNameChange.objects.filter(agency_id__in=set(agency_ids), effective_on__gt=day)
    for agency_id, old_name in later.order_by("-effective_on", "-pk").values_list("agency_id", "old_name"):
        names[agency_id] = old_name  # the earliest renaming after DAY is read last and wins
    return names


def agency_name_on(agency: Agency, day) -> str:
    """The name AGENCY bore on DAY (a date): what a document dated DAY prints."""
    return agency_names_on([agency.pk], day).get(agency.pk, agency.name)
