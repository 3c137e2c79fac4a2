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


def actions_from(state: str, is_emergency: bool | None = None) -> list[Action]:
    """The actions the procedure allows from STATE. With IS_EMERGENCY known, only those that make sense
    for the case (emergency measures only after an emergency was found; the needs meeting only once they
    are taken) — what the services would refuse is not offered."""
    return [
        action for action in ACTIONS.values() if state in action.sources and _fits(action.name, state, is_emergency)
    ]


def _fits(name: str, state: str, is_emergency: bool | None) -> bool:
    if name == "record_emergency":
        return is_emergency is not False
    if name == "investigate" and state == S.ASSESSED:
        return not is_emergency
    return True


# ---------------------------------------------------------------------------------------------- stages

# Who acts next, in words (the people, not the code's roles).
WHO = {
    "officer": _("the commune child-protection officer"),
    "chairman": _("the chairman of the commune People's Committee"),
    "receiving_commune": _("the child-protection officer of the commune asked to take the case file over"),
    "agencies": _("the agencies given the plan's measures, and the officer who reviews the plan"),
    "nobody": _("nobody: the case file is closed"),
}
# Rare or consequential actions: offered apart from the next step, in a secondary menu.
RARE_ACTIONS = ("transfer", "mark_not_child_protection", "reopen")


@dataclass(frozen=True)
class Stage:
    """Where a case file stands: what it waits for, who acts next, the actions that move it on (the
    first is the usual one) and the legal deadline that runs for it."""

    waiting_for: object
    who: str
    actions: tuple[str, ...]
    deadline: str | None


STAGES = {
    S.RECEIVED: Stage(
        _("Waiting for the initial risk assessment (Form 02)"), "officer", ("assess",), "emergency_decision"
    ),
    S.EMERGENCY_HANDLED: Stage(
        _("Emergency measures taken; waiting for the information and the needs meeting (Form 03)"),
        "officer",
        ("investigate", "record_emergency"),
        "plan_submission",
    ),
    S.INVESTIGATED: Stage(
        _("Waiting for the intervention plan to be drafted and submitted (Form 04)"),
        "officer",
        ("submit_plan",),
        "plan_submission",
    ),
    S.PLAN_SUBMITTED: Stage(
        _("Waiting for the chairman's approval of the plan (Form 05)"),
        "chairman",
        ("approve_plan", "return_plan"),
        "plan_approval",
    ),
    S.PLAN_RETURNED: Stage(
        _("The plan was returned: waiting for the revised plan (Form 04)"),
        "officer",
        ("submit_plan",),
        "plan_submission",
    ),
    S.IN_INTERVENTION: Stage(
        _("Under intervention: the agencies carry out the plan; the officer reviews it (Form 06)"),
        "agencies",
        ("review",),
        "review",
    ),
    S.REVIEWED: Stage(
        _("Reviewed: waiting for the new plan (Form 04)"), "officer", ("submit_plan",), "plan_submission"
    ),
    S.CLOSURE_PROPOSED: Stage(
        _("Waiting for the chairman's decision on ending the plan"),
        "chairman",
        ("approve_closure", "reject_closure"),
        None,
    ),
    S.TRANSFER_PENDING: Stage(
        _("Waiting for the other commune to accept the transfer"),
        "receiving_commune",
        ("accept_transfer", "decline_transfer"),
        None,
    ),
    S.CLOSED: Stage(_("The plan has ended and the case file is closed"), "nobody", ("reopen",), None),
    S.NOT_CHILD_PROTECTION: Stage(
        _("Found not to be a child-protection matter; the case file is closed"), "nobody", ("reopen",), None
    ),
}
ASSESSED_EMERGENCY = Stage(
    _("Emergency found: the emergency measures must be taken and recorded (within 12 hours of the report)"),
    "officer",
    ("record_emergency",),
    "emergency_decision",
)
ASSESSED = Stage(
    _("Waiting for the information and the needs meeting (Form 03)"), "officer", ("investigate",), "plan_submission"
)


def stage_of(state: str, is_emergency: bool | None) -> Stage:
    if state == S.ASSESSED:
        return ASSESSED_EMERGENCY if is_emergency else ASSESSED
    return STAGES[state]
