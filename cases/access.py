"""The one door to case files and children: every page, API, search, list, PDF and download
fetches through here. An outsider gets 404 (they cannot learn the case exists); an insider who
may look but not act gets 403."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.access import jurisdiction_of, roles_covering
from agencies.models import AdministrativeUnit, Role

from .models import CaseFile, Child
from .workflow import ACTIONS, Action

# Roles that may open case files of the units they cover. Agencies' focal points get access
# case by case through their assignments (multi-agency issue); leaders see aggregates only.
VIEW_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.COORDINATOR, Role.SYSTEM_ADMIN})
# Roles that may record a report for a commune they cover (hotline 111 staff cover the country).
RECEIVE_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.FOCAL_POINT})
EDIT_ROLES = frozenset({Role.COMMUNE_OFFICER})


def cases_visible_to(user) -> QuerySet[CaseFile]:
    jurisdiction = jurisdiction_of(user, VIEW_ROLES)
    incoming = jurisdiction_of(user, EDIT_ROLES)
    # A commune asked to take over a case sees it while the transfer waits for its answer.
    return CaseFile.objects.filter(
        jurisdiction.q("commune__path") | (Q(state="transfer_pending") & incoming.q("transfer_to__path"))
    )


def children_visible_to(user) -> QuerySet[Child]:
    return Child.objects.filter(jurisdiction_of(user, VIEW_ROLES).q("residence_commune__path"))


def case_for_user(user, pk, *, queryset: QuerySet[CaseFile] | None = None) -> CaseFile:
    """The case file PK if the user may see it; 404 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    case = (queryset if queryset is not None else CaseFile.objects.all()).filter(pk=pk) & cases_visible_to(user)
    case = case.first()
    if case is None:
        raise Http404
    return case


def child_for_user(user, pk) -> Child:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    child = children_visible_to(user).filter(pk=pk).first()
    if child is None:
        raise Http404
    return child


def can_act(user, case: CaseFile, action: Action) -> bool:
    unit = case.transfer_to if action.at_transfer_target else case.commune
    if unit is None:
        return False
    return bool(roles_covering(user, unit) & set(action.roles))


def require_action(user, case: CaseFile, name: str) -> Action:
    """Raise 403 unless the user holds a role that may take action NAME on this case."""
    action = ACTIONS[name]
    if not can_act(user, case, action):
        raise PermissionDenied(_("Your role does not allow this action on this case file."))
    return action


def can_edit(user, case: CaseFile) -> bool:
    return bool(roles_covering(user, case.commune) & EDIT_ROLES)


def can_receive_reports_for(user, commune: AdministrativeUnit) -> bool:
    return bool(roles_covering(user, commune) & RECEIVE_ROLES)


def communes_for_intake(user) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(
        jurisdiction_of(user, RECEIVE_ROLES).q("path"), level="commune", is_active=True
    ).order_by("name")
