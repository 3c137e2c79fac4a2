"""The Decree 56/2017 procedure as an explicit state machine: which action, from which states, by whom."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from agencies.models import Role

from .choices import OPEN_STATES, CaseState

S = CaseState
OFFICER = (Role.COMMUNE_OFFICER,)
CHAIRMAN = (Role.CHAIRMAN,)


@dataclass(frozen=True)
class Action:
    name: str
    label: object
    sources: tuple[str, ...]
    roles: tuple[str, ...]
    # Where the action leads; None when it depends on what was recorded (review, transfer answers).
    target: str | None
    # For the receiving commune of a transfer, the roles count at the transfer's target.
    at_transfer_target: bool = False


ACTIONS = {
    action.name: action
    for action in (
        Action("assess", _("Initial risk assessment (Form 02)"), (S.RECEIVED,), OFFICER, S.ASSESSED),
        Action(
            "record_emergency",
            _("Record emergency measures"),
            (S.ASSESSED, S.EMERGENCY_HANDLED),
            OFFICER,
            S.EMERGENCY_HANDLED,
        ),
        Action(
            "investigate",
            _("Information and needs meeting (Form 03)"),
            (S.ASSESSED, S.EMERGENCY_HANDLED),
            OFFICER,
            S.INVESTIGATED,
        ),
        Action(
            "submit_plan",
            _("Draft the intervention plan (Form 04)"),
            (S.INVESTIGATED, S.PLAN_RETURNED, S.REVIEWED),
            OFFICER,
            S.PLAN_SUBMITTED,
        ),
        Action("approve_plan", _("Approve the plan (Form 05)"), (S.PLAN_SUBMITTED,), CHAIRMAN, S.IN_INTERVENTION),
        Action("return_plan", _("Return the plan for revision"), (S.PLAN_SUBMITTED,), CHAIRMAN, S.PLAN_RETURNED),
        Action("review", _("Review (Form 06)"), (S.IN_INTERVENTION,), OFFICER, None),
        Action("approve_closure", _("Approve ending the plan"), (S.CLOSURE_PROPOSED,), CHAIRMAN, S.CLOSED),
        Action("reject_closure", _("Refuse ending the plan"), (S.CLOSURE_PROPOSED,), CHAIRMAN, S.IN_INTERVENTION),
        Action(
            "transfer",
            _("Transfer to another commune"),
            tuple(s for s in OPEN_STATES if s not in (S.TRANSFER_PENDING, S.CLOSURE_PROPOSED)),
            OFFICER,
            S.TRANSFER_PENDING,
        ),
        Action(
            "accept_transfer", _("Accept the transfer"), (S.TRANSFER_PENDING,), OFFICER, None, at_transfer_target=True
        ),
        Action(
            "decline_transfer",
            _("Decline the transfer"),
            (S.TRANSFER_PENDING,),
            OFFICER,
            None,
            at_transfer_target=True,
        ),
        Action(
            "mark_not_child_protection",
            _("Not a child-protection matter"),
            (S.RECEIVED, S.ASSESSED),
            OFFICER,
            S.NOT_CHILD_PROTECTION,
        ),
        Action("reopen", _("Reopen the case file"), (S.CLOSED, S.NOT_CHILD_PROTECTION), OFFICER, S.RECEIVED),
    )
}


def actions_from(state: str) -> list[Action]:
    return [action for action in ACTIONS.values() if state in action.sources]
