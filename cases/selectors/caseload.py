"""Each officer's caseload in the user's area (open files by step, overdue, last activity), and each
commune's: a fixed handful of aggregate queries whatever the number of officers (one GROUP BY over the
area's open files, not a query per officer)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from agencies.models import AdministrativeUnit, Role, StaffMembership
from notifications.models import Deadline, DeadlineState

from .. import access
from ..choices import OPEN_STATES, CaseState
from ..models import CaseEvent, CaseFile


@dataclass
class Load:
    """Open files by state, how many of them have an overdue deadline, and the restricted ones the viewer
    may not open (counted, never listed)."""

    by_state: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    hidden: int = 0

    @property
    def open(self) -> int:
        return sum(self.by_state.values())

    @property
    def steps(self) -> list[tuple[str, str, int]]:
        """(state, its label, count) in the order of the procedure, only the states with files."""
        return [
            (state, CaseState(state).label, self.by_state[state]) for state in OPEN_STATES if state in self.by_state
        ]

    def add(self, state: str, shown: int, overdue: int, hidden: int) -> None:
        if shown:
            self.by_state[state] = self.by_state.get(state, 0) + shown
        self.overdue += overdue
        self.hidden += hidden


@dataclass
class OfficerLoad(Load):
    pk: int = 0
    name: str = ""
    # An active child-protection officer of the commune (else: they left, or the file went to the chairman or a
    # coordinator while the commune had no officer; either way its files wait for a handover).
    is_officer: bool = True
    last_activity: datetime.datetime | None = None


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
    shown = access.openable_condition(user)
    rows = (
        CaseFile.objects.filter(in_area, state__in=OPEN_STATES)
        .alias(is_late=late)
        .values_list("commune_id", "officer_id", "state")
        .annotate(
            shown=Count("pk", filter=shown),
            overdue=Count("pk", filter=shown & Q(is_late=True)),
            hidden=Count("pk", filter=~shown),
        )
        .order_by()
    )
    communes: dict[int, CommuneLoad] = {}
    officers: dict[tuple[int, int], OfficerLoad] = {}
    for commune, officer, state, count_shown, count_overdue, count_hidden in rows:
        load = communes.setdefault(commune, CommuneLoad(pk=commune))
        load.add(state, count_shown, count_overdue, count_hidden)
        if officer is not None:
            officers.setdefault((commune, officer), OfficerLoad(pk=officer, is_officer=False)).add(
                state, count_shown, count_overdue, count_hidden
            )
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
        load.name, load.last_activity = people.get(officer, ("", None))
        communes[commune].officers.append(load)
    for load in communes.values():
        load.officers.sort(
            key=lambda officer: (not officer.is_officer and officer.open == 0, -officer.overdue, officer.name)
        )
    return sorted(communes.values(), key=lambda load: (-load.overdue, load.name))


def _people(pks: set[int]) -> dict[int, tuple[str, datetime.datetime | None]]:
    """Names and the latest event each person wrote on a case file (one index probe each, one query)."""
    if not pks:
        return {}
    latest = CaseEvent.objects.filter(actor=OuterRef("pk")).order_by("-at").values("at")[:1]
    users = (
        get_user_model()
        .objects.filter(pk__in=pks)
        .annotate(latest=Subquery(latest))
        .values_list("pk", "first_name", "last_name", "username", "latest")
    )
    return {
        pk: (" ".join(part for part in (first, last) if part) or username, at)
        for pk, first, last, username, at in users
    }
