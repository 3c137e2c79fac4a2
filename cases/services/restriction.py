"""Restricting a sensitive case file (e.g. the alleged perpetrator is staff or a relative of staff) to
named users, and lifting the restriction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from agencies.access import access_changed
from config.errors import Conflict

from .. import access, events
from ..models import CaseFile, CaseFileUserObjectPermission
from .common import case_lock, case_touch


def _lock(actor, case: CaseFile, expected_version: int | None) -> CaseFile:
    locked = case_lock(case)
    if not access.can_restrict(actor, locked):
        raise PermissionDenied(_("Only the commune officer or a coordinator can restrict a case file."))
    if expected_version is not None and locked.version != expected_version:
        raise Conflict
    return locked


@transaction.atomic
def case_restrict(
    *, actor, case: CaseFile, named_users: list, reason: str, expected_version: int | None = None
) -> CaseFile:
    """The person restricting the file stays named; everyone else, whatever their role, loses sight."""
    locked = _lock(actor, case, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for restricting the case file.")]})
    names = {user.pk: user for user in [actor, *named_users]}
    for user in names.values():
        assign_perm("cases.view_casefile", user, locked)
    locked.is_restricted = True
    change = case_touch(locked, fields=("is_restricted",))
    access_changed()  # the names are kept with each user's memberships (cases.access._named_case_ids)
    named = sorted(user.get_username() for user in names.values())
    events.case_restricted_event(case=locked, actor=actor, change=change, named=named, reason=reason.strip())
    return locked


@transaction.atomic
def case_unrestrict(*, actor, case: CaseFile, reason: str, expected_version: int | None = None) -> CaseFile:
    """Lift a restriction (the reason for it is gone): the case file is seen by role and area again."""
    locked = _lock(actor, case, expected_version)
    if not locked.is_restricted:
        raise ValidationError(_("This case file is not restricted."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for lifting the restriction.")]})
    permissions = CaseFileUserObjectPermission.objects.filter(content_object=locked)
    named = sorted(permissions.values_list("user__username", flat=True))
    permissions.delete()
    locked.is_restricted = False
    change = case_touch(locked, fields=("is_restricted",))
    access_changed()
    events.case_unrestricted_event(
        case=locked, actor=actor, change=change, previously_named=named, reason=reason.strip()
    )
    return locked
