"""Jurisdiction: the one place that says which administrative units a user's work covers.

A user's jurisdiction is the union of the subtrees of the units of their active memberships,
at any depth (province → optional intermediate levels → commune → hamlet). A membership
without a unit (a national agency) and a system administrator cover the whole country.
Every later app filters through these helpers; none re-derives jurisdiction itself.
"""

import contextlib
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from .models import AdministrativeUnit, Role, StaffMembership, UnitLevel

_CACHE_ATTRIBUTE = "_baove_jurisdiction"
_MEMBERSHIPS_ATTRIBUTE = "_baove_memberships"
_KEPT_ATTRIBUTE = "_baove_kept"

# A user's memberships are kept in the shared cache between requests, stamped with the generation of the
# access data they were read under; any change to a membership, an agency or a unit makes a new generation
# (at once, and again when its transaction commits, so that a request that read the old rows meanwhile
# cannot keep them). One cache round trip replaces the memberships query of every request. Other access
# data of the user (the restricted case files naming them) is kept in the same entry (`kept_for`).
_GENERATION_KEY = "access-generation"
MEMBERSHIPS_SECONDS = 120
_CACHE_ERRORS = (OSError, RedisError)


def _under(paths, path_field: str) -> Q:
    """Rows whose PATH_FIELD lies under one of PATHS."""
    condition = Q()
    for prefix in paths:
        condition |= Q(**{f"{path_field}__startswith": prefix})
    return condition


@dataclass(frozen=True)
class Jurisdiction:
    is_nationwide: bool
    # Materialised paths of the topmost units covered; none is a prefix of another.
    paths: tuple[str, ...]
    # Those of PATHS that are communes themselves (their id ends the path).
    commune_paths: tuple[str, ...] = field(default=(), compare=False)
    _ids: list[int] | None = field(default=None, compare=False, repr=False)

    @property
    def is_empty(self) -> bool:
        return not self.is_nationwide and not self.paths

    def covers_path(self, path: str) -> bool:
        return self.is_nationwide or any(path.startswith(prefix) for prefix in self.paths)

    def q(self, path_field: str) -> Q:
        """A filter on PATH_FIELD (e.g. "commune__path") keeping rows inside the jurisdiction."""
        if self.is_nationwide:
            # Not Q(): an empty Q disappears when OR-ed with another condition.
            return Q(pk__isnull=False)
        if not self.paths:
            return Q(pk__in=[])
        return _under(self.paths, path_field)

    def communes_q(self, commune_field: str) -> Q:
        """The same filter on a foreign key to a commune (e.g. "commune"), as `commune_field IN (ids)`.

        Faster than `q()` on large tables: the rows are found through the foreign key's index (in
        order, newest first, where the index allows) instead of joining every row to its unit."""
        if self.is_nationwide:
            return Q(pk__isnull=False)
        if not self.paths:
            return Q(pk__in=[])
        return Q(**{f"{commune_field}__in": self.commune_ids()})

    def commune_ids(self) -> list[int]:
        """The communes inside; a commune-level area needs no query. Once per object (per request)."""
        if self._ids is None:
            wider = tuple(path for path in self.paths if path not in self.commune_paths)
            ids = [int(path.strip("/").split("/")[-1]) for path in self.commune_paths]
            if wider:
                communes = AdministrativeUnit.objects.filter(_under(wider, "path"), level=UnitLevel.COMMUNE)
                ids += communes.values_list("pk", flat=True)
            object.__setattr__(self, "_ids", ids)
        return self._ids


_NOWHERE = Jurisdiction(is_nationwide=False, paths=())
_EVERYWHERE = Jurisdiction(is_nationwide=True, paths=())


@dataclass
class _Kept:
    """A user's cache entry: their memberships and the other access data kept with them, stamped with the
    generation read BEFORE any of them was (None: the shared cache is down, nothing is stored)."""

    key: str
    generation: str | None
    memberships: list[StaffMembership]
    values: dict = field(default_factory=dict)

    def store(self) -> None:
        if self.generation is not None:
            with contextlib.suppress(*_CACHE_ERRORS):
                cache.set(self.key, (self.generation, self.memberships, self.values), MEMBERSHIPS_SECONDS)


def active_memberships(user) -> list[StaffMembership]:
    """The user's active memberships: once per user object (i.e. once per request), from the shared cache
    while no access data has changed since they were read."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _MEMBERSHIPS_ATTRIBUTE, None)
    if cached is None:
        kept = _shared_entry(user)
        cached = kept.memberships
        setattr(user, _MEMBERSHIPS_ATTRIBUTE, cached)
        setattr(user, _KEPT_ATTRIBUTE, kept)
    return cached


def kept_for(user, name: str, compute, *, fresh: bool = False):
    """Access data of USER other than the memberships (e.g. the restricted case files naming them), kept in
    their cache entry under the same generation: read in the same round trip from the second request on.
    FRESH: computed again (the caller knows it changed since this user object read it).

    Only for data whose every change renews the generation (`access_changed`), like the memberships."""
    active_memberships(user)
    kept = getattr(user, _KEPT_ATTRIBUTE, None)
    if kept is None:  # no user, or the memberships were set on the object by hand
        return compute()
    if fresh or name not in kept.values:
        kept.values[name] = compute()
        kept.store()
    return kept.values[name]


def access_generation(user) -> str | None:
    """The generation under which the user's memberships (and what is kept with them) were read: it changes
    whenever access data changes anywhere. None: nothing is kept (the shared cache is down, no user)."""
    active_memberships(user)
    kept = getattr(user, _KEPT_ATTRIBUTE, None)
    return kept.generation if kept is not None else None


def _query_memberships(user) -> list[StaffMembership]:
    # Always from the primary: a lagging replica's rows would be kept under the newest generation.
    return list(
        StaffMembership.objects.using(DEFAULT_DB_ALIAS)
        .filter(user=user, is_active=True, agency__is_active=True)
        .select_related("agency", "unit")
        .order_by("role", "unit__path")
    )


def _generation_key() -> str:
    # One generation per database: a test database, a benchmark's and the demo's may share a cache.
    return f"{_GENERATION_KEY}:{connection.settings_dict['NAME']}"


def _shared_entry(user) -> _Kept:
    generation_key = _generation_key()
    key = f"access-user:{connection.settings_dict['NAME']}:{user.pk}"
    try:
        found = cache.get_many([generation_key, key])
        generation = found.get(generation_key)
        if generation is None:
            cache.add(generation_key, uuid.uuid4().hex, timeout=None)
            generation = cache.get(generation_key)
    except _CACHE_ERRORS:  # the shared cache is down: read the database, as without it
        return _Kept(key, None, _query_memberships(user))
    hit = found.get(key)
    if hit is not None and generation is not None and hit[0] == generation:
        return _Kept(key, generation, hit[1], dict(hit[2]))
    # The generation was read BEFORE the rows: a change committed in between stamps a newer one.
    kept = _Kept(key, generation, _query_memberships(user))
    kept.store()
    return kept


def _new_generation() -> None:
    with contextlib.suppress(*_CACHE_ERRORS):
        cache.set(_generation_key(), uuid.uuid4().hex, timeout=None)


def access_changed(*args, **kwargs) -> None:
    """A membership, agency or unit changed (signal receiver, or called after a bulk update): every user's
    kept memberships are read afresh, now and once more when the transaction commits."""
    _new_generation()
    transaction.on_commit(_new_generation)


def jurisdiction_of(user, roles: frozenset[str] | None = None) -> Jurisdiction:
    """The area covered by the user's memberships (only those with one of ROLES, when given).

    Computed once per user object and set of roles, i.e. once per request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return _NOWHERE
    cache = getattr(user, _CACHE_ATTRIBUTE, None)
    if cache is None:
        cache = {}
        setattr(user, _CACHE_ATTRIBUTE, cache)
    if roles not in cache:
        computed = _compute_jurisdiction(user, roles)
        # The same area for another set of roles: share the object, and with it its unit ids.
        cache[roles] = next((known for known in cache.values() if known == computed), computed)
    return cache[roles]


def _compute_jurisdiction(user, roles: frozenset[str] | None) -> Jurisdiction:
    if user.is_superuser and (roles is None or Role.SYSTEM_ADMIN in roles):
        return _EVERYWHERE
    paths: list[str] = []
    communes: set[str] = set()
    for membership in active_memberships(user):
        if roles is not None and membership.role not in roles:
            continue
        if membership.role == Role.SYSTEM_ADMIN or membership.unit is None:
            return _EVERYWHERE
        if membership.unit.is_active:
            paths.append(membership.unit.path)
            if membership.unit.level == UnitLevel.COMMUNE:
                communes.add(membership.unit.path)
    topmost = _topmost(paths)
    return Jurisdiction(
        is_nationwide=False, paths=topmost, commune_paths=tuple(path for path in topmost if path in communes)
    )


def roles_covering(user, unit: AdministrativeUnit) -> set[str]:
    """The roles the user holds over UNIT: memberships at the unit itself or anywhere above it."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    roles = {Role.SYSTEM_ADMIN} if user.is_superuser else set()
    for membership in active_memberships(user):
        if membership.unit is None or (membership.unit.is_active and unit.path.startswith(membership.unit.path)):
            roles.add(membership.role)
    return roles


def ancestor_pks(path: str) -> list[int]:
    """Primary keys of the units on a materialised path, province first, the unit itself last (no query)."""
    return [int(pk) for pk in path.strip("/").split("/")]


def ancestor_paths(path: str) -> list[str]:
    """The paths of the unit and of every unit above it: "/1/5/9/" → ["/1/", "/1/5/", "/1/5/9/"]."""
    pks = ancestor_pks(path)
    return ["/" + "/".join(str(pk) for pk in pks[: depth + 1]) + "/" for depth in range(len(pks))]


def province_pk_of(unit: AdministrativeUnit) -> int:
    """The province a unit lies in, read from its materialised path (no query)."""
    return ancestor_pks(unit.path)[0]


def _topmost(paths: list[str]) -> tuple[str, ...]:
    """Drop every path that lies under another one, so filters stay short."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return tuple(sorted(kept))


def forget_jurisdiction(user) -> None:
    """Call after a user's memberships change within the same request."""
    for attribute in (_CACHE_ATTRIBUTE, _MEMBERSHIPS_ATTRIBUTE, _KEPT_ATTRIBUTE):
        if hasattr(user, attribute):
            delattr(user, attribute)


def units_visible_to(user) -> QuerySet[AdministrativeUnit]:
    """Every unit in the user's jurisdiction, at any depth."""
    return AdministrativeUnit.objects.filter(jurisdiction_of(user).q("path"))


def unit_in_jurisdiction(user, unit: AdministrativeUnit) -> bool:
    return jurisdiction_of(user).covers_path(unit.path)


def unit_for_user(user, pk) -> AdministrativeUnit:
    """The unit with PK if it lies in the user's jurisdiction; otherwise 404, so nothing is learnt."""
    unit = AdministrativeUnit.objects.filter(pk=pk).first()
    if unit is None or not unit_in_jurisdiction(user, unit):
        raise Http404
    return unit


def has_role(user, *roles: str) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser and Role.SYSTEM_ADMIN in roles:
        return True
    return any(membership.role in roles for membership in active_memberships(user))


# ---------------------------------------------------------------------------------------------------------
# The directory of services. Every member of staff reads it (it is what they refer families to); the
# administrators and coordinators keep it, each for the units of their own area.

DIRECTORY_KEEPER_ROLES = frozenset({Role.COORDINATOR, Role.SYSTEM_ADMIN})


def may_read_directory(user) -> bool:
    return bool(user is not None and user.is_authenticated and (user.is_superuser or active_memberships(user)))


def may_keep_directory(user) -> bool:
    return not jurisdiction_of(user, DIRECTORY_KEEPER_ROLES).is_empty


def directory_keeper_units(user) -> QuerySet[AdministrativeUnit]:
    """The provinces, intermediate units and communes a keeper may name as areas served."""
    return AdministrativeUnit.objects.filter(
        jurisdiction_of(user, DIRECTORY_KEEPER_ROLES).q("path"),
        is_active=True,
        level__in=[UnitLevel.PROVINCE, UnitLevel.INTERMEDIATE, UnitLevel.COMMUNE],
    )


def may_keep_provider_in(user, units) -> bool:
    """Every area of the entry lies in the keeper's own area."""
    scope = jurisdiction_of(user, DIRECTORY_KEEPER_ROLES)
    units = list(units)
    return not scope.is_empty and bool(units) and all(scope.covers_path(unit.path) for unit in units)


def provider_for_keeper(user, pk):
    """A directory entry its keeper may change: 404 for someone who may not read the directory or for an unknown
    entry, 403 for a reader who does not keep it or an entry serving places outside the keeper's area."""
    from .models import ServiceProvider

    if not may_read_directory(user):
        raise Http404
    try:
        provider = ServiceProvider.objects.prefetch_related("areas").get(pk=int(pk))
    except (ServiceProvider.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not may_keep_provider_in(user, provider.areas.all()):
        raise PermissionDenied(_("Only a coordinator or an administrator of the area served keeps this entry."))
    return provider


# ---------------------------------------------------------------------------------------------------------
# The lists administrators keep (forms of abuse, service types, reasons for closure, a province's extra
# fields, the names of agencies): a system administrator, each for the provinces of their own area; a
# nationwide one also keeps the entries offered everywhere.

LIST_KEEPER_ROLES = frozenset({Role.SYSTEM_ADMIN})


def _list_keeping(user) -> tuple[bool, set[int]]:
    """(keeps the national entries, the provinces whose lists the user keeps). Unlike the rest of the system
    administrator's work (nationwide), the lists are kept where the membership is held: one held at a province,
    or at a unit inside it, keeps that province's; one without unit (or a superuser) keeps every list."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False, set()
    if user.is_superuser:
        return True, set()
    provinces: set[int] = set()
    for membership in active_memberships(user):
        if membership.role not in LIST_KEEPER_ROLES:
            continue
        if membership.unit is None:
            return True, set()
        if membership.unit.is_active:
            provinces.add(province_pk_of(membership.unit))
    return False, provinces


def may_keep_national_lists(user) -> bool:
    return _list_keeping(user)[0]


def list_keeper_provinces(user) -> QuerySet[AdministrativeUnit]:
    """The provinces whose lists the user keeps (every province for a national keeper)."""
    national, provinces = _list_keeping(user)
    found = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, is_active=True)
    return found if national else found.filter(pk__in=provinces)


def may_keep_lists(user) -> bool:
    national, provinces = _list_keeping(user)
    return national or bool(provinces)


def may_keep_lists_of(user, province_id: int | None) -> bool:
    national, provinces = _list_keeping(user)
    return national or (province_id is not None and province_id in provinces)


def agencies_for_keeper(user) -> QuerySet:
    """The agencies a list keeper may rename: those serving a unit of their provinces (all, nationwide)."""
    from .models import Agency

    if may_keep_national_lists(user):
        return Agency.objects.all()
    paths = [province.path for province in list_keeper_provinces(user)]
    if not paths:
        return Agency.objects.none()
    return Agency.objects.filter(_under(paths, "unit__path"))
