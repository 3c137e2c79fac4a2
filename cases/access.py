"""The one door to case files and children: every page, API, search, list, export, PDF and download
fetches through here, and every read through it is recorded in the audit trail.

Who sees a case file:
- full access: a commune officer, chairman, coordinator or system administrator whose unit covers
  the case's commune (jurisdiction and role); a commune asked to take over a transfer, while it waits;
- assignment access: the focal points of an agency while it holds an active assignment on the case,
  through django-guardian object permissions granted to the agency's staff group; they see the
  minimum their service needs, never the full file;
- a restricted case (e.g. the alleged perpetrator is staff) only to the users named on it
  (guardian user permissions), within the rules above.
An outsider gets 404 (they cannot learn the case exists); an insider without the right gets 403.
Leaders see aggregates only.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.access import jurisdiction_of, roles_covering
from agencies.models import AdministrativeUnit, Role

from . import audit
from .models import (
    CaseFile,
    CaseFileGroupObjectPermission,
    CaseFileUserObjectPermission,
    Child,
)
from .workflow import ACTIONS, Action

VIEW_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.COORDINATOR, Role.SYSTEM_ADMIN})
RECEIVE_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.FOCAL_POINT})
EDIT_ROLES = frozenset({Role.COMMUNE_OFFICER})
VIEW_PERMISSION = "view_casefile"

FULL = "full"
ASSIGNMENT = "assignment"


def _named_case_ids(user) -> list[int]:
    """The restricted case files naming USER: a handful, read first so that the queries using them stay
    simple (no correlated subquery in every list, count and child search)."""
    return list(
        CaseFileUserObjectPermission.objects.filter(
            user=user, permission__codename=VIEW_PERMISSION, content_object__is_restricted=True
        ).values_list("content_object_id", flat=True)
    )


def _unrestricted_or_named(user) -> Q:
    named = _named_case_ids(user)
    return Q(is_restricted=False) | Q(pk__in=named) if named else Q(is_restricted=False)


def _granted_to_groups_of(user) -> Exists:
    return Exists(
        CaseFileGroupObjectPermission.objects.filter(
            content_object=OuterRef("pk"), group__user=user, permission__codename=VIEW_PERMISSION
        )
    )


def _authenticated(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def cases_visible_to(user) -> QuerySet[CaseFile]:
    """Case files the user may open in full."""
    if not _authenticated(user):
        return CaseFile.objects.none()
    jurisdiction = jurisdiction_of(user, VIEW_ROLES)
    incoming = jurisdiction_of(user, EDIT_ROLES)
    scope = jurisdiction.communes_q("commune")
    if not incoming.is_empty:
        transfers = Q(state="transfer_pending") & incoming.communes_q("transfer_to")
        # Only when such a transfer waits: without the OR the list is read in index order.
        if CaseFile.objects.filter(transfers).exists():
            scope |= transfers
    return CaseFile.objects.filter(scope).filter(_unrestricted_or_named(user))


def cases_assigned_to(user) -> QuerySet[CaseFile]:
    """Case files the user sees only through an active assignment of their agency."""
    if not _authenticated(user):
        return CaseFile.objects.none()
    return CaseFile.objects.filter(_granted_to_groups_of(user)).filter(_unrestricted_or_named(user))


def children_visible_to(user) -> QuerySet[Child]:
    if not _authenticated(user):
        return Child.objects.none()
    restricted_elsewhere = CaseFile.objects.filter(child=OuterRef("pk"), is_restricted=True).exclude(
        pk__in=_named_case_ids(user)
    )
    return Child.objects.filter(jurisdiction_of(user, VIEW_ROLES).communes_q("residence_commune")).exclude(
        Exists(restricted_elsewhere)
    )


def _as_pk(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def case_access(user, pk, *, queryset: QuerySet[CaseFile] | None = None) -> tuple[CaseFile, str]:
    """The case file and the user's level (FULL or ASSIGNMENT); 404, recorded, for anyone else."""
    pk = _as_pk(pk)
    base = queryset if queryset is not None else CaseFile.objects.all()
    case = (base.filter(pk=pk) & cases_visible_to(user)).first()
    if case is not None:
        return case, FULL
    case = (base.filter(pk=pk) & cases_assigned_to(user)).first()
    if case is not None:
        return case, ASSIGNMENT
    _refuse(user, "case", pk)
    raise Http404


def case_for_user(user, pk, *, queryset: QuerySet[CaseFile] | None = None, purpose: str | None = None) -> CaseFile:
    """The case file if the user has full access; 403 for an agency that only holds an assignment.

    PURPOSE ("view", "print", "export", "download"…) records the read in the audit trail.
    """
    case, level = case_access(user, pk, queryset=queryset)
    if level != FULL:
        _refuse(user, "case", case.pk, case=case)
        raise PermissionDenied(_("Your agency sees only what its assignment needs of this case file."))
    if purpose:
        audit.record(purpose, "case", case.pk, case=case)
    return case


def child_for_user(user, pk, *, purpose: str | None = "view") -> Child:
    pk = _as_pk(pk)
    child = children_visible_to(user).filter(pk=pk).first()
    if child is None:
        _refuse(user, "child", pk)
        raise Http404
    if purpose:
        audit.record(purpose, "child", child.pk)
    return child


def _refuse(user, object_type: str, object_id, *, case=None) -> None:
    if _authenticated(user):
        audit.record("denied", object_type, object_id, case=case, actor=user)


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


def assignment_for_user(user, pk, *, purpose: str | None = "view"):
    """An assignment, for its agency's staff while it is active ("agency"), or for those with full
    access to its case ("case"); 404, recorded, for anyone else. Closing it ends the agency's sight."""
    from .models import ACTIVE_ASSIGNMENT_STATUSES, Assignment
    from .services.assignments import is_agency_staff

    pk = _as_pk(pk)
    assignment = (
        Assignment.objects.select_related("case__commune", "case__child", "case__report", "agency", "measure")
        .filter(pk=pk)
        .first()
    )
    level = None
    if assignment is not None:
        case = assignment.case
        if cases_visible_to(user).filter(pk=case.pk).exists():
            level = "case"
        elif (
            assignment.status in ACTIVE_ASSIGNMENT_STATUSES
            and is_agency_staff(user, assignment.agency)
            and cases_assigned_to(user).filter(pk=case.pk).exists()
        ):
            level = "agency"
    if level is None:
        _refuse(user, "assignment", pk)
        raise Http404
    if purpose:
        audit.record(purpose, "assignment", assignment.pk, case=assignment.case)
    return assignment, level


REASSIGN_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.COORDINATOR})


def can_reassign(user, case: CaseFile) -> bool:
    return bool(roles_covering(user, case.commune) & REASSIGN_ROLES)
