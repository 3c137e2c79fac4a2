"""Who may see and do what on multi-agency plans: the one place it is decided for this app.

A plan is seen by the staff of its unit's area, of the units below it (it applies to them) and of the
agencies it names; an occurrence is reported on by its lead and cooperating agencies; coordinators,
leaders and administrators add plans. Outside: 404.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from agencies.access import active_memberships, ancestor_pks, has_role, jurisdiction_of, unit_in_jurisdiction
from agencies.models import Role

from .models import Plan, TaskOccurrence

IMPORT_ROLES = (Role.SYSTEM_ADMIN, Role.COORDINATOR, Role.LEADER)
AGENCY_ROLES = (Role.FOCAL_POINT, Role.LEADER)


def agency_ids_of(user) -> list[int]:
    """The agencies the user works for on plans (focal point or head), from the memberships already loaded."""
    return sorted({m.agency_id for m in active_memberships(user) if m.role in AGENCY_ROLES})


def plans_visible_to(user) -> QuerySet[Plan]:
    """Plans of the user's area, plans of the units above it (they apply to it), and plans naming the user's agency."""
    if user is None or not user.is_authenticated:
        return Plan.objects.none()
    jurisdiction = jurisdiction_of(user)
    condition = jurisdiction.q("unit__path")
    ancestors = {pk for path in jurisdiction.paths for pk in ancestor_pks(path)}
    if ancestors:
        condition |= Q(unit_id__in=ancestors)
    mine = agency_ids_of(user)
    if mine:
        condition |= Q(tasks__lead_agency__in=mine) | Q(tasks__cooperating_agencies__in=mine)
    return Plan.objects.filter(pk__in=Plan.objects.filter(condition).values("pk")).select_related("unit")


def plan_for_user(user, pk) -> Plan:
    plan = plans_visible_to(user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def occurrence_for_user(user, pk) -> TaskOccurrence:
    occurrence = TaskOccurrence.objects.select_related("task__plan").filter(pk=pk).first()
    if occurrence is None or not plans_visible_to(user).filter(pk=occurrence.task.plan_id).exists():
        raise Http404
    return occurrence


def may_import_plans(user) -> bool:
    return has_role(user, *IMPORT_ROLES)


def may_import_for(user, unit) -> bool:
    return may_import_plans(user) and unit_in_jurisdiction(user, unit)
