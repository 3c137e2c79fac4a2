"""Each officer's caseload in the user's area (open files by step, overdue, since when the child waiting longest
for a contact has waited, files without a contact for longer than the province allows), and each
commune's: a fixed handful of aggregate queries whatever the number of officers (one GROUP BY over the
area's open files, not a query per officer)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.utils import timezone

from agencies.models import AdministrativeUnit, Role, StaffMembership
from notifications.models import Deadline, DeadlineState

from .. import access
from ..choices import OPEN_STATES, CaseState, DeadlineKind
from ..models import CaseFile, ContactRule


@dataclass
class Load:
    """Open files by state, how many of them have an overdue deadline, and the restricted ones the viewer
    may not open (counted, never listed)."""

    by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    hidden: int = 0
    # Files past the province's "no contact in N days" limit, and since when the child waiting longest for a
    # contact has waited (the oldest last contact, or opening, among the files).
    unseen: int = 0
    waiting_since: datetime.datetime | None = None

    @property
    def open(self) -> int:
        return sum(self.by_state.values())

    @property
    def steps(self) -> list[tuple[str, str, int]]:
        """(state, its label, count) in the order of the procedure, only the states with files."""
        return [
            (state, CaseState(state).label, self.by_state[state]) for state in OPEN_STATES if state in self.by_state
        ]

    def add(self, state: str, shown: int, overdue: int, hidden: int, unseen: int = 0, contact=None) -> None:
        if shown:
            self.by_state[state] = self.by_state.get(state, 0) + shown
        self.overdue += overdue
        self.hidden += hidden
        self.unseen += unseen
        if contact is not None and (self.waiting_since is None or contact < self.waiting_since):
            self.waiting_since = contact


@dataclass
class OfficerLoad(Load):
    pk: int = 0
    name: str = ""
    # An active child-protection officer of the commune (else: they left, or the file went to the chairman or a
    # coordinator while the commune had no officer; either way its files wait for a handover).
    is_officer: bool = True


@dataclass
class CommuneLoad(Load):
    pk: int = 0
    name: str = ""
    officers: list[OfficerLoad] = field(default_factory=list)

    @property
    def has_officer(self) -> bool:
        return any(officer.is_officer for officer in self.officers)


def caseload(user, *, commune_id: int | None = None) -> list[CommuneLoad]:
    """The communes of the user's caseload area (or the one COMMUNE_ID), each with its officers' loads;
    overdue first. Counts only what the user may open, besides the count of restricted files."""
    scope = access.caseload_scope(user)
    if scope.is_empty:
        return []
    in_area = scope.communes_q("commune")
    if commune_id is not None:
        in_area &= Q(commune_id=commune_id)
    late = Exists(
        Deadline.objects.filter(
            target_type=ContentType.objects.get_for_model(CaseFile),
            target_id=OuterRef("pk"),
            state=DeadlineState.OPEN,
            due_at__lt=timezone.now(),
        )
    )
    unseen = Exists(
        Deadline.objects.filter(
            target_type=ContentType.objects.get_for_model(ContactRule),
            target_id=OuterRef("contact_rule__pk"),
            kind=DeadlineKind.NO_CONTACT,
            state=DeadlineState.OPEN,
            due_at__lt=timezone.now(),
        )
    )
    shown = access.openable_condition(user)
    rows = (
        CaseFile.objects.filter(in_area, state__in=OPEN_STATES)
        .alias(is_late=late, is_unseen=unseen)
        .values_list("commune_id", "officer_id", "state")
        .annotate(
            shown=Count("pk", filter=shown),
            overdue=Count("pk", filter=shown & Q(is_late=True)),
            hidden=Count("pk", filter=~shown),
            unseen=Count("pk", filter=shown & Q(is_unseen=True)),
            contact=Min("contact_rule__last_contact_at", filter=shown),
        )
        .order_by()
    )
    communes: dict[int, CommuneLoad] = {}
    officers: dict[tuple[int, int], OfficerLoad] = {}
    for commune, officer, state, *counts in rows:
        communes.setdefault(commune, CommuneLoad(pk=commune)).add(state, *counts)
        if officer is not None:
            officers.setdefault((commune, officer), OfficerLoad(pk=officer, is_officer=False)).add(state, *counts)
    # The area's officers, with or without files (someone new, back from leave).
    memberships = StaffMembership.objects.filter(
        scope.communes_q("unit"), role=Role.COMMUNE_OFFICER, is_active=True, user__is_active=True,
        agency__is_active=True,
    )  # fmt: skip
    if commune_id is not None:
        memberships = memberships.filter(unit_id=commune_id)
    for commune, officer in memberships.values_list("unit_id", "user_id").order_by():
        communes.setdefault(commune, CommuneLoad(pk=commune))
        officers.setdefault((commune, officer), OfficerLoad(pk=officer)).is_officer = True
    if not communes:
        return []
    for pk, name in AdministrativeUnit.objects.filter(pk__in=communes).values_list("pk", "name"):
        communes[pk].name = name
    people = _people({officer for _commune, officer in officers})
    for (commune, officer), load in officers.items():
        load.name = people.get(officer, "")
        communes[commune].officers.append(load)
    for load in communes.values():
        load.officers.sort(
            key=lambda officer: (not officer.is_officer and officer.open == 0, -officer.overdue, officer.name)
        )
    return sorted(communes.values(), key=lambda load: (-load.overdue, load.name))


def _people(pks: set[int]) -> dict[int, str]:
    """The officers' names (one query)."""
    if not pks:
        return {}
    users = get_user_model().objects.filter(pk__in=pks).values_list("pk", "first_name", "last_name", "username")
    return {pk: " ".join(part for part in (first, last) if part) or username for pk, first, last, username in users}
