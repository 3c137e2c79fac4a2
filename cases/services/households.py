"""Family groups (households): siblings reported together are grouped at once; an officer links other
children's case files to a family, or takes a child out of it. Each change is on the timeline of the case
files it concerns and in the audit trail."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.recorder import record

from .. import access, events
from ..models import CaseFile, Child, Household


def household_group_report(*, actor, cases: list[CaseFile]) -> Household | None:
    """The children of one report form a family group: the group one of them already belongs to (the
    oldest), else a new one. Children already in another family stay there. Called by the intake, in its
    transaction; nothing happens for a report about one child."""
    children = {case.child_id: case.child for case in cases}
    if len(children) < 2:
        return None
    existing = sorted({child.household_id for child in children.values() if child.household_id})
    if existing:
        household = Household.objects.get(pk=existing[0])
    else:
        first = cases[0]
        household = Household.objects.create(commune=first.commune, address=first.child.address, created_by=actor)
    for case in cases:
        child = case.child
        if child.household_id is None:
            Child.objects.filter(pk=child.pk, household__isnull=True).update(household=household)
            child.household = household
            record("change", "child", child.pk, fields={"household": [None, household.pk]}, actor=actor)
        if child.household_id == household.pk:
            others = [other.reference for other in cases if other.pk != case.pk]
            events.household_linked_event(
                case=case, actor=actor, household_id=household.pk, with_case=", ".join(others)
            )
    return household


def _require_edit(actor, case: CaseFile) -> None:
    if not access.can_edit(actor, case):
        raise PermissionDenied(_("Your role does not allow changes to this case file."))


@transaction.atomic
def household_link(*, actor, case: CaseFile, other: CaseFile) -> Household:
    """Put the child of OTHER in the family group of the child of CASE (made now if the child has none).

    The actor must be allowed to change both case files (the access door fetched them). The other child
    leaves any family it was in; the other members of that family stay where they are."""
    _require_edit(actor, case)
    _require_edit(actor, other)
    child = Child.objects.select_for_update().get(pk=case.child_id)
    other_child = Child.objects.select_for_update().get(pk=other.child_id)
    if child.pk == other_child.pk:
        raise ValidationError({"reference": [_("This case file is about the same child.")]})
    if child.household_id is not None and child.household_id == other_child.household_id:
        raise ValidationError({"reference": [_("This child is already in the family group.")]})
    household = child.household
    if household is None:
        household = Household.objects.create(commune=case.commune, address=child.address, created_by=actor)
        child.household = household
        child.save(update_fields=["household", "updated_at"])
        record("change", "child", child.pk, fields={"household": [None, household.pk]}, actor=actor)
    previous = other_child.household_id
    other_child.household = household
    other_child.save(update_fields=["household", "updated_at"])
    record("change", "child", other_child.pk, fields={"household": [previous, household.pk]}, actor=actor)
    events.household_linked_event(case=case, actor=actor, household_id=household.pk, with_case=other.reference)
    events.household_linked_event(case=other, actor=actor, household_id=household.pk, with_case=case.reference)
    case.child.household = household
    return household


@transaction.atomic
def household_leave(*, actor, case: CaseFile) -> None:
    """Take the child of CASE out of its family group (linked by mistake, or moved away)."""
    _require_edit(actor, case)
    child = Child.objects.select_for_update().get(pk=case.child_id)
    if child.household_id is None:
        raise ValidationError(_("This child is not in a family group."))
    previous = child.household_id
    child.household = None
    child.save(update_fields=["household", "updated_at"])
    record("change", "child", child.pk, fields={"household": [previous, None]}, actor=actor)
    events.household_left_event(case=case, actor=actor, household_id=previous)
    case.child.household = None
