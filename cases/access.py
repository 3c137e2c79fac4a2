"""The one door to case files, children and assignments: every page, API, search, list, export, PDF,
download and template asks here who may see or do what, and every read through it is recorded in the
audit trail. Nothing else in the code base holds a role set or decides a right on a case.

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

import enum
import hashlib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import (
    access_changed,
    access_generation,
    active_memberships,
    ancestor_paths,
    ancestor_pks,
    has_role,
    jurisdiction_of,
    kept_for,
    roles_covering,
)
from agencies.models import AdministrativeUnit, Agency, Role, StaffMembership
from audit.recorder import record

from .models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentStatus,
    Attachment,
    CaseFile,
    CaseFileGroupObjectPermission,
    CaseFileUserObjectPermission,
    Child,
    ChildMerge,
    CommunityReport,
    CommunitySource,
    Export,
    ExportKind,
    RegisterImport,
    Report,
)
from .workflow import ACTIONS, Action, actions_from

# Who may do what, by role over the case's commune (memberships at the commune or above it).
VIEW_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.COORDINATOR, Role.SYSTEM_ADMIN})
RECEIVE_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.FOCAL_POINT})
EDIT_ROLES = frozenset({Role.COMMUNE_OFFICER})
REASSIGN_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.COORDINATOR})
RESTRICT_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.COORDINATOR})
PRIVACY_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.COORDINATOR})
AUDIT_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.LEADER})
# Who hands a case file from one officer of the commune to another (leave, departure, workload).
RESPONSIBILITY_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.COORDINATOR})
# Who sees the officers' caseloads of their area and hands an officer's files over in bulk.
CASELOAD_ROLES = frozenset({Role.CHAIRMAN, Role.COORDINATOR})
# Who passes on reports from a hamlet (the short form), and who follows the hotline's reports.
COLLABORATOR_ROLES = frozenset({Role.COLLABORATOR})
HOTLINE_SUPERVISOR_ROLES = frozenset({Role.HOTLINE_SUPERVISOR})
# Who finds, compares and merges duplicate records of a child (and undoes a merge).
DUPLICATE_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.COORDINATOR})
# Who flags a case file for attention and lifts the flag: the officer's supervisors (a leader only where a
# membership gives them full access to the file: leaders otherwise see figures, never a case file).
FLAG_ROLES = frozenset({Role.CHAIRMAN, Role.COORDINATOR, Role.LEADER})
# Bringing a commune's existing register in: its officer or chairman, a coordinator over it.
IMPORT_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.CHAIRMAN, Role.COORDINATOR})
HOTLINE_AGENCY_TYPE = "hotline_111"
VIEW_PERMISSION = "view_casefile"

FULL = "full"
ASSIGNMENT = "assignment"


class Need(enum.Enum):
    """What the caller of case_for_user is about to do with the case file."""

    VIEW = "view"
    EDIT = "edit"  # notes, attachments
    RESTRICT = "restrict"
    PRIVACY = "privacy"  # lawful basis, consents, disclosures, data-subject requests
    RESPONSIBILITY = "responsibility"  # who answers for the case file
    FLAG = "flag"  # flag the case file for attention, lift the flag


# ---------------------------------------------------------------------------------------------- scopes


# What the door reads about a user beside their memberships (the restricted files naming them, whether a
# transfer waits for their commune) is kept with the memberships in the shared cache, and on the user object
# for the request: a page asks the door several times. A case file or a naming saved or deleted in this
# process since makes it read afresh (a service, or a test, that goes on with the same user object).
_KEPT_ATTRIBUTE = "_baove_case_access"
_generation = [0]


def case_access_data_changed(*args, **kwargs) -> None:
    """A case file or a user's naming on one was saved or deleted (signal receiver)."""
    _generation[0] += 1


def _kept(user, name: str, compute):
    """What the door read about USER beside their memberships, kept with them in the shared cache (`kept_for`:
    no query on most requests), and read afresh on the same user object once a case file or a naming changed
    in this process since it was read (a service, or a test, that goes on with the same user object)."""
    attribute = f"{_KEPT_ATTRIBUTE}_{name}"
    seen = getattr(user, attribute, None)
    if seen is not None and seen[0] == _generation[0]:
        return seen[1]
    value = kept_for(user, name, compute, fresh=seen is not None)
    setattr(user, attribute, (_generation[0], value))
    return value


def kept_about(user, name: str, compute):
    """For selectors: a value about the user's area kept as the door keeps its own (`_kept`). Only for data
    whose every change renews the generation (`access_changed`) and is signalled in-process
    (`case_access_data_changed`), like the flags on case files."""
    return _kept(user, name, compute)


def _named_case_ids(user) -> list[int]:
    """The restricted case files naming USER: a handful, read first so that the queries using them stay
    simple (no correlated subquery in every list, count and child search). Kept with the user's memberships
    (restricting a file and lifting the restriction renew their generation)."""
    return _kept(
        user,
        "named_case_ids",
        lambda: list(
            CaseFileUserObjectPermission.objects.using(DEFAULT_DB_ALIAS)
            .filter(user=user, permission__codename=VIEW_PERMISSION, content_object__is_restricted=True)
            .values_list("content_object_id", flat=True)
        ),
    )


def transfer_saved(sender, instance, **kwargs) -> None:
    """A case file saved or deleted while a transfer to another commune waits (signal receiver). Whether a
    transfer waits for a user's commune is kept with their memberships (`cases_visible_to`): their generation
    is renewed, so the commune asked to take the file over sees it at once. A transfer that ended is left to
    the next renewal: a kept "one waits" only widens the list's query, never what it shows."""
    if instance.state == "transfer_pending":
        access_changed()


def named_on(case: CaseFile) -> set[int]:
    """The users named on a restricted case file (the only ones who may open it, within their roles)."""
    return set(
        CaseFileUserObjectPermission.objects.filter(
            content_object=case, permission__codename=VIEW_PERMISSION
        ).values_list("user_id", flat=True)
    )


def _unrestricted_or_named(user) -> Q:
    named = _named_case_ids(user)
    return Q(is_restricted=False) | Q(pk__in=named) if named else Q(is_restricted=False)


def openable_condition(user) -> Q:
    """The condition on case files (within the user's area) that the user may open: a restricted file
    only when it names them. For counts that show, beside it, how many restricted files were left out."""
    return _unrestricted_or_named(user)


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
    # Only when such a transfer waits: without the OR the list is read in index order.
    if _transfers_waiting(user, incoming):
        scope |= _transfers_to(incoming)
    return CaseFile.objects.filter(scope).filter(_unrestricted_or_named(user))


def _transfers_to(incoming) -> Q:
    return Q(state="transfer_pending") & incoming.communes_q("transfer_to")


def _transfers_waiting(user, incoming) -> bool:
    """Whether a transfer waits for the user's communes (INCOMING: their area as an officer), kept with their
    memberships. From the primary, as every value kept with them (a lagging replica's answer would be kept
    under the newest generation)."""
    if incoming.is_empty:
        return False
    waiting = CaseFile.objects.using(DEFAULT_DB_ALIAS).filter(_transfers_to(incoming)).exists
    return _kept(user, "transfers_waiting", waiting)


def transfers_waiting_for(user) -> QuerySet[CaseFile]:
    """Case files another commune asks the user's commune (as its officer) to take over."""
    incoming = jurisdiction_of(user, EDIT_ROLES)
    if incoming.is_empty:
        return CaseFile.objects.none()
    return CaseFile.objects.filter(incoming.communes_q("transfer_to"), state="transfer_pending").filter(
        _unrestricted_or_named(user)
    )


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


def communes_visible_to(user) -> QuerySet[AdministrativeUnit]:
    """The communes whose case files the user sees in full (for filters and pickers)."""
    return AdministrativeUnit.objects.filter(jurisdiction_of(user, VIEW_ROLES).q("path"), level="commune")


def provinces_of_area(user) -> set[int] | None:
    """The provinces of the case files the user sees in full (None: the whole country), from their area."""
    scope = jurisdiction_of(user, VIEW_ROLES)
    if scope.is_nationwide:
        return None
    return {ancestor_pks(path)[0] for path in scope.paths}


def commune_names_at_hand(user) -> dict[int, str]:
    """The communes of `communes_visible_to` as pk → name when the user's area is made of communes they are
    members of (a commune's officer, its chairman): read from their memberships, no query. Empty otherwise."""
    scope = jurisdiction_of(user, VIEW_ROLES)
    if scope.is_nationwide or not scope.paths or set(scope.paths) != set(scope.commune_paths):
        return {}
    names = {
        membership.unit.pk: membership.unit.name
        for membership in active_memberships(user)
        if membership.unit is not None and membership.unit.path in scope.paths
    }
    return names if len(names) == len(set(scope.paths)) else {}


def list_kept_under(user) -> tuple[tuple[int, ...], str] | None:
    """What the user's unfiltered case list may be kept under (cases.selectors): the communes whose stamps
    (CaseListStamp) cover every file it can show — those of their area, made of communes they are members of,
    and those a transfer to them comes in to — and the generation of everything the door keeps about users (a
    membership, a restriction, a naming or a transfer waiting changes it). None: not kept (a province's or the
    country's list, or the shared cache is down)."""
    names = commune_names_at_hand(user)
    incoming = jurisdiction_of(user, EDIT_ROLES)
    if not names or incoming.is_nationwide or set(incoming.paths) != set(incoming.commune_paths):
        return None
    generation = access_generation(user)
    if generation is None:
        return None
    communes = tuple(sorted({*names, *(ancestor_pks(path)[-1] for path in incoming.paths)}))
    # What else decides which files the list holds, as the door has kept it: a naming or a transfer written
    # without a signal (hand-written SQL) changes the list as soon as the door knows of it.
    held = f"{sorted(_named_case_ids(user))}:{_transfers_waiting(user, incoming)}"
    return communes, f"{generation}:{hashlib.blake2b(held.encode(), digest_size=8).hexdigest()}"


def commune_choices(user) -> list[tuple[int, str]]:
    """The communes of `communes_visible_to` as (pk, name), by name, for a filter's list. A user whose area
    is a commune they are a member of (its officer, its chairman) has it at hand already: no query."""
    names = commune_names_at_hand(user)
    if len(names) == 1:  # several: ordered by the database's collation (Â, Đ, Ô… among the A, D, O)
        return list(names.items())
    return list(communes_visible_to(user).order_by("name").values_list("pk", "name"))


def communes_for_intake(user) -> QuerySet[AdministrativeUnit]:
    return AdministrativeUnit.objects.filter(
        jurisdiction_of(user, RECEIVE_ROLES).q("path"), level="commune", is_active=True
    ).order_by("name")


def may_receive_reports(user) -> bool:
    """Whether the user records reports somewhere (from the memberships already loaded: no query)."""
    return not jurisdiction_of(user, RECEIVE_ROLES).is_empty


def may_coordinate(user) -> bool:
    """Whether the user has an area whose case files and assignments they follow."""
    return not jurisdiction_of(user, VIEW_ROLES).is_empty


def may_open_case_files(user) -> bool:
    """Whether the user opens case files in full somewhere (the "Case files" menu)."""
    return may_coordinate(user)


def may_act_for_an_agency(user) -> bool:
    """Whether the user is an agency's focal point (the agency inbox)."""
    return any(membership.role == Role.FOCAL_POINT for membership in active_memberships(user))


def may_handle_privacy(user) -> bool:
    return not jurisdiction_of(user, PRIVACY_ROLES).is_empty


def may_search_audit(user) -> bool:
    return has_role(user, *AUDIT_ROLES)


def audit_scope(user) -> Q | None:
    """The audit rows a user may search: None for everything (a national administrator), else a filter
    on the rows' case files: all of them in a system administrator's area; in a leader's area only the
    unrestricted ones and the restricted ones naming the leader. 404 for anyone without such a role."""
    if not may_search_audit(user):
        raise Http404
    administered = jurisdiction_of(user, frozenset({Role.SYSTEM_ADMIN}))
    if administered.is_nationwide:
        return None
    scope = Q(pk__in=[])
    if not administered.is_empty:
        scope |= Q(case_id__in=CaseFile.objects.filter(administered.communes_q("commune")).values("pk"))
    led = jurisdiction_of(user, frozenset({Role.LEADER}))
    if not led.is_empty:
        visible = CaseFile.objects.filter(led.communes_q("commune")).filter(_unrestricted_or_named(user))
        scope |= Q(case_id__in=visible.values("pk"))
    return scope


def privacy_scope(user) -> QuerySet[CaseFile]:
    """The case files whose personal-data duties the user handles (commune officer, coordinator)."""
    return cases_visible_to(user).filter(jurisdiction_of(user, PRIVACY_ROLES).communes_q("commune"))


def staff_with_full_access_to(case: CaseFile) -> list[int]:
    """Users whose role and jurisdiction give them full access to CASE (candidates to be named on it)."""
    return list(
        StaffMembership.objects.filter(
            role__in=VIEW_ROLES, is_active=True, unit__path__in=ancestor_paths(case.commune.path)
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


# ---------------------------------------------------------------------------------------------- families


def household_cases_visible_to(user, household_id: int | None) -> QuerySet[CaseFile]:
    """The case files of a family group's children that the user may open in full (never the others: a
    restricted sibling's file is not even counted)."""
    if household_id is None:
        return CaseFile.objects.none()
    return cases_visible_to(user).filter(child__household_id=household_id)


def household_children_visible_to(user, household_id: int | None) -> QuerySet[Child]:
    if household_id is None:
        return Child.objects.none()
    return children_visible_to(user).filter(household_id=household_id)


def sibling_cases_for_action(user, case: CaseFile, name: str) -> list[CaseFile]:
    """The other case files of CASE's family group on which the user may take workflow action NAME now: seen
    in full, at a state where the procedure allows it, and the user's role over each file's commune allows it.
    The pages offer these (“also apply to”) and the services accept no other."""
    action = ACTIONS[name]
    candidates = (
        household_cases_visible_to(user, case.child.household_id)
        .filter(state__in=action.sources)
        .exclude(pk=case.pk)
        .select_related("child", "commune", "transfer_to")
        .order_by("opened_at", "pk")
    )
    return [
        sibling
        for sibling in candidates
        if can_act(user, sibling, action)
        and any(allowed.name == name for allowed in actions_from(sibling.state, sibling.is_emergency))
    ]


def case_by_reference_for_user(user, reference: str, *, need: Need = Need.VIEW) -> CaseFile | None:
    """The case file with REFERENCE among those the user opens in full and may do NEED on; None otherwise
    (whether it exists elsewhere is not said)."""
    found = cases_visible_to(user).filter(reference__iexact=reference.strip()).values_list("pk", flat=True).first()
    if found is None:
        return None
    return case_for_user(user, found, need=need)


# ---------------------------------------------------------------------------------------------- register import


def may_import_registers(user) -> bool:
    """Whether the user brings a commune's register in somewhere (from the memberships loaded: no query)."""
    return not jurisdiction_of(user, IMPORT_ROLES).is_empty


def communes_for_register_import(user) -> QuerySet[AdministrativeUnit]:
    """The active communes whose register the user may import (officer, chairman, coordinator over them)."""
    return AdministrativeUnit.objects.filter(
        jurisdiction_of(user, IMPORT_ROLES).q("path"), level="commune", is_active=True
    ).order_by("name")


def can_import_into(user, commune: AdministrativeUnit) -> bool:
    return commune.level == "commune" and bool(roles_covering(user, commune) & IMPORT_ROLES)


def register_import_for_user(user, pk) -> RegisterImport:
    """An upload of a commune the user imports into; 404 otherwise (nothing is learnt about others)."""
    found = RegisterImport.objects.select_related("commune").filter(pk=_as_pk(pk)).first()
    if found is None or not can_import_into(user, found.commune) or _shows_children_hidden_from(user, found):
        _refuse(user, "case_list", pk)
        raise Http404
    return found


def _shows_children_hidden_from(user, upload: RegisterImport) -> bool:
    """Whether the upload's check names a registered child (a possible duplicate) the user may not see: its
    page and its rows given back were made with the uploader's sight (a coordinator's wider area)."""
    if upload.uploaded_by_id == user.pk:
        return False
    matched = upload.rows.filter(match__isnull=False).values("match")
    return matched.exclude(match__in=children_visible_to(user).values("pk")).exists()


# ---------------------------------------------------------------------------------------------- duplicates


def may_resolve_duplicates(user) -> bool:
    """Whether the user looks for duplicate children somewhere (officer or coordinator; no query)."""
    return not jurisdiction_of(user, DUPLICATE_ROLES).is_empty


def can_resolve_duplicates(user, child: Child) -> bool:
    return bool(roles_covering(user, child.residence_commune) & DUPLICATE_ROLES)


def children_for_duplicates(user) -> QuerySet[Child]:
    """The children among which the user looks for duplicates: seen in full, living in the area where the
    user is an officer or coordinator, not already merged into another record."""
    scope = jurisdiction_of(user, DUPLICATE_ROLES)
    if scope.is_empty:
        return Child.objects.none()
    return children_visible_to(user).filter(scope.communes_q("residence_commune"), merged_into__isnull=True)


def _sees_every_case_file_of(user, child_ids: list[int]) -> bool:
    hidden = CaseFile.objects.filter(child_id__in=child_ids).exclude(pk__in=cases_visible_to(user).values("pk"))
    return not hidden.exists()


def _two_children(user, first_pk: int, second_pk: int, *, merged_ok: bool) -> tuple[Child, Child]:
    """Both children, each seen in full with every one of their case files; 404 (recorded) otherwise,
    saying nothing of which one is out of sight; 403 for an insider whose role does not merge."""
    children = children_visible_to(user).select_related("residence_commune", "household")
    if not merged_ok:
        children = children.filter(merged_into__isnull=True)
    found = {child.pk: child for child in children.filter(pk__in=[first_pk, second_pk])}
    if first_pk == second_pk or len(found) != 2 or not _sees_every_case_file_of(user, [first_pk, second_pk]):
        _refuse(user, "child", f"{first_pk},{second_pk}")
        raise Http404
    first, second = found[first_pk], found[second_pk]
    if not (can_resolve_duplicates(user, first) and can_resolve_duplicates(user, second)):
        _refuse(user, "child", f"{first_pk},{second_pk}")
        raise PermissionDenied(
            _("Only the commune officer or a coordinator of both children's areas merges their records.")
        )
    return first, second


def duplicate_pair_for_user(user, first_pk, second_pk, *, purpose: str | None = "view") -> tuple[Child, Child]:
    """Two records the user may compare side by side and merge (see _two_children); the read recorded."""
    first, second = _two_children(user, _as_pk(first_pk), _as_pk(second_pk), merged_ok=False)
    if purpose:
        record(purpose, "child", first.pk, fields={"compared_with": second.pk})
        record(purpose, "child", second.pk, fields={"compared_with": first.pk})
    return first, second


def child_merge_for_user(user, pk, *, purpose: str | None = "view") -> ChildMerge:
    """A merge of two records, for an officer or coordinator who sees both children and all their case
    files (404, recorded, for anyone who does not; 403 for an insider whose role does not merge)."""
    pk = _as_pk(pk)
    merge = ChildMerge.objects.select_related("merged_by", "undone_by").filter(pk=pk).first()
    if merge is None:
        _refuse(user, "child", f"merge {pk}")
        raise Http404
    merge.kept, merge.merged = _two_children(user, merge.kept_id, merge.merged_id, merged_ok=True)
    if purpose:
        record(purpose, "child", merge.kept_id, fields={"merge": merge.pk})
    return merge


# ---------------------------------------------------------------------------------------------- one case


def _as_pk(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise Http404 from None


def _refuse(user, object_type: str, object_id, *, case=None) -> None:
    if _authenticated(user):
        record("denied", object_type, object_id, case=case, actor=user)


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


_NEED_CHECKS = {
    Need.EDIT: (
        lambda user, case: can_edit(user, case),
        gettext_lazy("Your role does not allow changes to this case file."),
    ),
    Need.RESTRICT: (
        lambda user, case: can_restrict(user, case),
        gettext_lazy("Only the commune officer or a coordinator can restrict a case file."),
    ),
    Need.RESPONSIBILITY: (
        lambda user, case: can_assign_officer(user, case),
        gettext_lazy("Only the commune's officer or chairman, or a coordinator, changes who answers for a case file."),
    ),
    Need.FLAG: (
        lambda user, case: can_flag(user, case),
        gettext_lazy("Only the chairman, a coordinator or a leader flags a case file for attention."),
    ),
    Need.PRIVACY: (
        lambda user, case: can_manage_privacy(user, case),
        gettext_lazy("Only the commune officer or a coordinator handles personal-data duties."),
    ),
}


def case_for_user(
    user,
    pk,
    *,
    need: Need = Need.VIEW,
    action: str | None = None,
    queryset: QuerySet[CaseFile] | None = None,
    purpose: str | None = None,
    fields: dict | None = None,
) -> CaseFile:
    """The case file for a user with full access who may do what NEED (or the workflow ACTION) says.

    404 for an outsider; 403 for an agency that only holds an assignment and for an insider whose
    role does not allow NEED or ACTION. PURPOSE ("view", "print", "export"…) records the read.
    """
    case, level = case_access(user, pk, queryset=queryset)
    if level != FULL:
        _refuse(user, "case", case.pk, case=case)
        raise PermissionDenied(_("Your agency sees only what its assignment needs of this case file."))
    if need in _NEED_CHECKS:
        allowed, message = _NEED_CHECKS[need]
        if not allowed(user, case):
            raise PermissionDenied(str(message))
    if action is not None:
        require_action(user, case, action)
    if purpose:
        record(purpose, "case", case.pk, case=case, fields=fields)
    return case


def kept_record(user, child: Child | None) -> Child | None:
    """CHILD, or the record it was merged into (followed through later merges), if the user sees it."""
    for _hop in range(10):
        if child is None or child.merged_into_id is None:
            return child
        child = children_visible_to(user).filter(pk=child.merged_into_id).first()
    return None


def child_for_user(user, pk, *, purpose: str | None = "view") -> Child:
    """The child; a record merged into another leads to the kept one (callers redirect when the pk
    differs), which the user must see as well."""
    pk = _as_pk(pk)
    child = kept_record(user, children_visible_to(user).filter(pk=pk).first())
    if child is None:
        _refuse(user, "child", pk)
        raise Http404
    if purpose:
        record(purpose, "child", child.pk)
    return child


def attachment_for_user(user, case_pk, attachment_pk, *, need_full: bool = False) -> Attachment:
    """A case's attachment, recorded as downloaded. An agency gets only what was attached to its own
    active assignments (none at all with NEED_FULL, e.g. through the API); 404 for anything else."""
    case, level = case_access(user, case_pk)
    attachments = case.attachments.all()
    if level == ASSIGNMENT:
        if need_full:
            _refuse(user, "case", case.pk, case=case)
            raise PermissionDenied(_("Your agency sees only what its assignment needs of this case file."))
        attachments = attachments.filter(assignment__in=assignments_of_agency_staff(user))
    attachment = attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    record("download", "attachment", attachment.pk, case=case)
    return attachment


def record_read(action: str, object_type: str, *, fields: dict, case=None) -> None:
    """A read that is not of one object (a list, a search, an export), for selectors."""
    record(action, object_type, "", case=case, fields=fields)


def export_for_user(user, token) -> Export:
    """An export, only to the user who asked for it and only while they still hold the role it needs (404 for
    anyone else, who cannot learn it exists): a file built before a user lost the role is not handed out."""
    import uuid

    try:
        token = uuid.UUID(str(token))
    except ValueError as error:
        raise Http404 from error
    export = (
        Export.objects.filter(token=token, user_id=getattr(user, "pk", None)).first() if _authenticated(user) else None
    )
    if export is None or not _may_still_export(user, export.kind):
        raise Http404
    return export


def _may_still_export(user, kind: str) -> bool:
    return may_search_audit(user) if kind == ExportKind.AUDIT else may_open_case_files(user)


def record_export_of_child(case: CaseFile, *, request, extension: str) -> None:
    """Everything held about a child, exported for a data-subject request."""
    record("export", "child", case.child_id, case=case, fields={"request": request.pk, "format": extension})


# ---------------------------------------------------------------------------------------------- rights on a case


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


def _has(user, case: CaseFile, roles: frozenset[str]) -> bool:
    return bool(roles_covering(user, case.commune) & roles)


def can_edit(user, case: CaseFile) -> bool:
    return _has(user, case, EDIT_ROLES)


def can_reassign(user, case: CaseFile) -> bool:
    return _has(user, case, REASSIGN_ROLES)


def can_restrict(user, case: CaseFile) -> bool:
    return _has(user, case, RESTRICT_ROLES)


def can_manage_privacy(user, case: CaseFile) -> bool:
    return _has(user, case, PRIVACY_ROLES)


def can_assign_officer(user, case: CaseFile) -> bool:
    return _has(user, case, RESPONSIBILITY_ROLES)


def may_see_caseloads(user) -> bool:
    """Whether the user follows the caseloads of an area (the "Caseloads" page; no query)."""
    return not jurisdiction_of(user, CASELOAD_ROLES).is_empty


def caseload_scope(user):
    """The area whose officers' caseloads the user sees: a chairman's commune, a coordinator's area."""
    return jurisdiction_of(user, CASELOAD_ROLES)


def may_hand_over_caseload(user, commune: AdministrativeUnit) -> bool:
    return bool(roles_covering(user, commune) & CASELOAD_ROLES)


def caseload_commune_for_user(user, pk) -> AdministrativeUnit:
    """A commune of the user's caseload area; 404 otherwise (nothing is learnt about others)."""
    commune = AdministrativeUnit.objects.filter(pk=_as_pk(pk), level="commune").first()
    if commune is None or not caseload_scope(user).covers_path(commune.path):
        raise Http404
    return commune


def can_flag(user, case: CaseFile) -> bool:
    return _has(user, case, FLAG_ROLES)


def is_commune_officer_of(user, commune: AdministrativeUnit) -> bool:
    return bool(roles_covering(user, commune) & EDIT_ROLES)


def can_receive_reports_for(user, commune: AdministrativeUnit) -> bool:
    return bool(roles_covering(user, commune) & RECEIVE_ROLES)


@dataclass(frozen=True)
class CaseRights:
    """What a user may do on one case file: pages render this, they never decide themselves."""

    actions: tuple[Action, ...]
    can_edit: bool
    can_reassign: bool
    can_restrict: bool
    can_manage_privacy: bool
    can_assign_officer: bool
    can_flag: bool
    # The responsible officer and the commune's officers see who has opened the file.
    sees_viewers: bool


def rights_on(user, case: CaseFile) -> CaseRights:
    edit = can_edit(user, case)
    return CaseRights(
        actions=tuple(action for action in actions_from(case.state, case.is_emergency) if can_act(user, case, action)),
        can_edit=edit,
        can_reassign=can_reassign(user, case),
        can_restrict=can_restrict(user, case),
        can_manage_privacy=can_manage_privacy(user, case),
        can_assign_officer=can_assign_officer(user, case),
        can_flag=can_flag(user, case),
        sees_viewers=edit or case.officer_id == user.pk,
    )


# ---------------------------------------------------------------------------------------------- assignments

# Which agency action each status allows; the services refuse the others with the same rule.
AGENCY_ACTIONS = {
    "accept": (AssignmentStatus.PROPOSED,),
    "decline": (AssignmentStatus.PROPOSED,),
    "progress": (AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS),
    "close": (AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS),
}
REASSIGNABLE_STATUSES = (AssignmentStatus.DECLINED, *ACTIVE_ASSIGNMENT_STATUSES)


def is_agency_staff(user, agency: Agency) -> bool:
    """A focal point of AGENCY (from the memberships already loaded: no query)."""
    return any(
        membership.role == Role.FOCAL_POINT and membership.agency_id == agency.pk
        for membership in active_memberships(user)
    )


def assignments_of_agency_staff(user) -> QuerySet[Assignment]:
    """Active assignments of the agencies where the user is a focal point, on cases they may see."""
    agencies = [m.agency_id for m in active_memberships(user) if m.role == Role.FOCAL_POINT]
    return Assignment.objects.filter(agency_id__in=agencies, status__in=ACTIVE_ASSIGNMENT_STATUSES).filter(
        case__in=cases_assigned_to(user)
    )


def assignment_for_user(user, pk, *, purpose: str | None = "view", ended: bool = False) -> tuple[Assignment, str]:
    """An assignment, for its agency's staff while it is active ("agency"), or for those with full
    access to its case ("case"); 404, recorded, for anyone else. Closing it ends the agency's sight.

    ENDED: the agency's staff also get an assignment of their agency no longer active ("ended"), for the page
    that says so (declined, passed on, closed), with nothing of the case file but its reference."""
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
        elif ended and assignment.status not in ACTIVE_ASSIGNMENT_STATUSES and is_agency_staff(user, assignment.agency):
            level = "ended"
    if level is None:
        _refuse(user, "assignment", pk)
        raise Http404
    if purpose:
        record(purpose, "assignment", assignment.pk, case=assignment.case)
    return assignment, level


def assignment_actions(user, assignment: Assignment, level: str) -> list[str]:
    """The actions the user may take on the assignment now, for the LEVEL assignment_for_user gave: the
    agency's own (for its staff, seeing through the assignment) and "reassign" (for the case's side)."""
    if level == "agency":
        return [name for name, statuses in AGENCY_ACTIONS.items() if assignment.status in statuses]
    if level == "case" and assignment.status in REASSIGNABLE_STATUSES and can_reassign(user, assignment.case):
        return ["reassign"]
    return []


def require_assignment_actor(user, assignment: Assignment, level: str, name: str) -> None:
    """403 unless the user is the one who may take action NAME (the status is the service's to check)."""
    if name == "reassign":
        if level != "case" or not can_reassign(user, assignment.case):
            raise PermissionDenied(_("Only the commune officer or a coordinator can reassign."))
    elif level != "agency":
        raise PermissionDenied(_("Only the staff of the assigned agency can do this."))


@dataclass(frozen=True)
class Shown:
    """What of a case an assignment's page shows: all of it to the case's side, the minimum to an agency."""

    birth_date: bool
    address: bool
    abuse_forms: bool
    perpetrator: bool
    narrative: bool


def shown_on_assignment(level: str, visibility) -> Shown:
    if level == "case":
        return Shown(True, True, True, True, True)
    return Shown(
        birth_date=visibility.sees_birth_date,
        address=visibility.sees_address,
        abuse_forms=visibility.sees_abuse_forms,
        perpetrator=visibility.sees_perpetrator,
        narrative=visibility.sees_narrative,
    )


def require_assignment_action(user, assignment: Assignment, name: str) -> None:
    """403 for the wrong person, then a clear refusal when the assignment's status does not allow NAME."""
    if name == "reassign":
        if not can_reassign(user, assignment.case):
            raise PermissionDenied(_("Only the commune officer or a coordinator can reassign."))
        statuses = REASSIGNABLE_STATUSES
    else:
        if not is_agency_staff(user, assignment.agency):
            raise PermissionDenied(_("Only the staff of the assigned agency can do this."))
        statuses = AGENCY_ACTIONS[name]
    if assignment.status not in statuses:
        raise ValidationError(
            _("Not possible now: the assignment is “%(status)s”.") % {"status": assignment.get_status_display()}
        )


# ---------------------------------------------------------------------------------------------- the community


class IntakeForm(enum.Enum):
    """Which report form a user fills: the full Mẫu 01 where they receive reports, the collaborator's
    short form from their hamlet, or none."""

    FULL = "full"
    SHORT = "short"
    NONE = "none"


def collaborator_places(user) -> list[tuple[AdministrativeUnit, AdministrativeUnit | None]]:
    """The (commune, hamlet) pairs a collaborator reports from (no query: the memberships are loaded)."""
    places = []
    for membership in active_memberships(user):
        unit = membership.unit
        if membership.role not in COLLABORATOR_ROLES or unit is None or not unit.is_active:
            continue
        places.append((unit.parent, unit) if unit.level == "hamlet" else (unit, None))
    return places


def collaborator_communes(user) -> list[AdministrativeUnit]:
    """The communes a collaborator reports from (those of their hamlets), by name."""
    communes = {commune.pk: commune for commune, _place in collaborator_places(user)}
    return sorted(communes.values(), key=lambda commune: commune.name)


def collaborator_place(
    user, hamlet_id: int | None, commune_id: int | None = None
) -> tuple[AdministrativeUnit, AdministrativeUnit | None]:
    """(commune, hamlet) a collaborator's report comes from: their hamlet HAMLET_ID's (one of theirs); without
    one (a child outside their hamlets), the commune they chose among theirs (COMMUNE_ID), or the only one they
    have. A collaborator of several communes who chose neither is asked to: nothing goes to a commune chosen
    for them."""
    places = collaborator_places(user)
    if hamlet_id is not None:
        hamlet = next((place for _commune, place in places if place is not None and place.pk == hamlet_id), None)
        if hamlet is None:
            raise ValidationError({"hamlet": [_("This hamlet is not one of yours.")]})
        return hamlet.parent, hamlet
    communes = {commune.pk: commune for commune, _place in places}
    if commune_id is not None:
        if commune_id not in communes:
            raise ValidationError({"commune": [_("You report for your own commune only.")]})
        return communes[commune_id], None
    if len(communes) != 1:
        raise ValidationError(
            {"commune": [_("You collaborate in several communes: choose the hamlet or the commune of this report.")]}
        )
    return next(iter(communes.values())), None


def may_report_as_collaborator(user) -> bool:
    return bool(collaborator_places(user))


def intake_form_for(user) -> IntakeForm:
    if may_receive_reports(user):
        return IntakeForm.FULL
    if may_report_as_collaborator(user):
        return IntakeForm.SHORT
    return IntakeForm.NONE


def may_keep_case_files(user) -> bool:
    """Whether the user carries case files somewhere (a commune's officer): records visits, notes and
    assessments on them (from the memberships already loaded: no query)."""
    return not jurisdiction_of(user, EDIT_ROLES).is_empty


def may_verify_community_reports(user) -> bool:
    """Whether the user verifies reports from collaborators and the public (a commune's officer)."""
    return not jurisdiction_of(user, EDIT_ROLES).is_empty


def community_reports_to_verify(user) -> QuerySet[CommunityReport]:
    """Reports from the community for the communes where the user is the officer."""
    scope = jurisdiction_of(user, EDIT_ROLES)
    if scope.is_empty:
        return CommunityReport.objects.none()
    return CommunityReport.objects.filter(scope.communes_q("commune"))


def community_report_for_officer(user, pk, *, purpose: str | None = "view") -> CommunityReport:
    """A report from the community, for an officer of its commune; 404, recorded, for anyone else."""
    pk = _as_pk(pk)
    found = community_reports_to_verify(user).select_related("commune", "hamlet", "report").filter(pk=pk).first()
    if found is None:
        _refuse(user, "community_report", pk)
        raise Http404
    if purpose:
        record(purpose, "community_report", found.pk)
    return found


def own_community_reports(user) -> QuerySet[CommunityReport]:
    """What a collaborator passed on themself: nothing of anyone else's."""
    if not _authenticated(user):
        return CommunityReport.objects.none()
    return CommunityReport.objects.filter(submitted_by=user, source=CommunitySource.COLLABORATOR)


def own_community_report(user, pk) -> CommunityReport:
    """One of the collaborator's own reports; 404 for any other (they cannot learn another exists)."""
    pk = _as_pk(pk)
    found = own_community_reports(user).filter(pk=pk).first()
    if found is None:
        _refuse(user, "community_report", pk)
        raise Http404
    return found


# ---------------------------------------------------------------------------------------------- the hotline 111


def hotline_agency_ids(user) -> list[int]:
    """The hotline agencies where the user (the hotline's integration account) is a focal point."""
    agencies = [m.agency_id for m in active_memberships(user) if m.role == Role.FOCAL_POINT]
    if not agencies:
        return []
    return list(
        Agency.objects.filter(pk__in=agencies, agency_type__code=HOTLINE_AGENCY_TYPE).values_list("pk", flat=True)
    )


def may_follow_passed_on_reports(user) -> bool:
    return bool(hotline_agency_ids(user))


def reports_passed_on_by(user) -> QuerySet[Report]:
    """The reports the user's hotline passed on (recorded by any account of that hotline agency)."""
    agencies = hotline_agency_ids(user)
    if not agencies:
        return Report.objects.none()
    staff = StaffMembership.objects.filter(agency_id__in=agencies).values("user_id")
    return Report.objects.filter(received_by__in=staff)


def may_supervise_hotline(user) -> bool:
    return not jurisdiction_of(user, HOTLINE_SUPERVISOR_ROLES).is_empty


def hotline_reports_for_supervisor(user) -> QuerySet[Report]:
    """Every report the hotline 111 passed on (received there, or recorded by a hotline account)."""
    if not may_supervise_hotline(user):
        raise Http404
    hotline_staff = StaffMembership.objects.filter(agency__agency_type__code=HOTLINE_AGENCY_TYPE).values("user_id")
    return Report.objects.filter(Q(receiving_point="hotline_111") | Q(received_by__in=hotline_staff))
