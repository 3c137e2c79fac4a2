"""Who answers for a case file: handing it from one officer of the commune to another."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access, events, handoffs
from ..models import CaseFile
from .common import case_lock, case_touch, tracked


@transaction.atomic
def case_assign_officer(
    *, actor, case: CaseFile, officer, reason: str, expected_version: int | None = None
) -> CaseFile:
    """Make OFFICER (an officer of the case's commune) the one who answers for the file; both are told."""
    locked = case_lock(case, expected_version)
    if not access.can_assign_officer(actor, locked):
        raise PermissionDenied(
            _("Only the commune's officer or chairman, or a coordinator, changes who answers for a case file.")
        )
    errors = {}
    if officer is None or officer.pk not in {user.pk for user in handoffs.officers_of_commune(locked.commune)}:
        errors["officer"] = [_("Choose a child-protection officer of the case file's commune.")]
    elif locked.is_restricted and officer.pk not in access.named_on(locked):
        errors["officer"] = [_("This case file is restricted: name this officer on it first, then hand it over.")]
    elif officer.pk == locked.officer_id:
        errors["officer"] = [_("This officer already answers for the case file.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason (leave, departure, workload…).")]
    if errors:
        raise ValidationError(errors)
    before = tracked(locked)
    locked.officer = officer
    change = case_touch(locked, fields=("officer",), before=before)
    events.responsibility_reassigned_event(case=locked, actor=actor, change=change, reason=reason.strip())
    return locked
