"""Siblings once: a step of the procedure recorded once for a family group and applied to each chosen
child's case file. Each file gets its own record (its own rows, event, deadlines and state change) through
the step's ordinary service, all in one transaction: if any file refuses, none is changed."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import access
from ..models import CaseFile
from .transitions import case_assess, case_investigate, case_submit_plan

# The steps that can be recorded once for siblings: Mẫu 02, the needs meeting (Mẫu 03) and the plan (Mẫu 04).
GROUP_STEPS = {"assess": case_assess, "investigate": case_investigate, "submit_plan": case_submit_plan}


@transaction.atomic
def step_for_siblings(
    *,
    actor,
    case: CaseFile,
    action: str,
    values: dict,
    siblings: list[int],
    expected_version: int | None = None,
) -> list[CaseFile]:
    """Take step ACTION on CASE with VALUES, then on each of the case files SIBLINGS (ids) with the same
    values. Each sibling must be one the access door offers for this action (same family group, seen in
    full, at the step, the actor's role allows it); anything else is refused and nothing is saved."""
    service = GROUP_STEPS[action]
    service(actor=actor, case=case, expected_version=expected_version, **values)
    done = [case]
    if not siblings:
        return done
    offered = {sibling.pk: sibling for sibling in access.sibling_cases_for_action(actor, case, action)}
    for pk in dict.fromkeys(siblings):
        sibling = offered.get(pk)
        if sibling is None:
            raise ValidationError(
                {"also_apply_to": [_("One of the chosen case files cannot take this step now: reload the page.")]}
            )
        try:
            service(actor=actor, case=sibling, **values)
        except ValidationError as error:
            raise ValidationError(
                {
                    "also_apply_to": [
                        _("%(reference)s: %(message)s") % {"reference": sibling.reference, "message": message}
                        for message in error.messages
                    ]
                }
            ) from error
        done.append(sibling)
    return done
