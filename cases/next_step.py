"""The case page's "next step": where the case stands in plain words, who acts next and by when, and the
one primary action for the person looking (the rare ones apart). What the person may do comes from the
access door (rights_on); this module only arranges it."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from notifications.urgency import Clock, Urgency

from .access import CaseRights
from .choices import DeadlineKind
from .workflow import RARE_ACTIONS, WHO, Action, stage_of


@dataclass(frozen=True)
class NextStep:
    waiting_for: str
    who: str
    deadline_label: str
    urgency: Urgency | None
    primary: Action | None
    others: tuple[Action, ...]
    rare: tuple[Action, ...]

    @property
    def viewer_acts(self) -> bool:
        return self.primary is not None


def next_step(case, rights: CaseRights, deadlines, clock: Clock) -> NextStep:
    """DEADLINES: the case's deadline views (notifications.selectors.deadlines_of)."""
    stage = stage_of(case.state, case.is_emergency)
    who = str(WHO[stage.who])
    if stage.who == "officer" and case.officer is not None:
        who = f"{case.officer.get_full_name() or case.officer.username} ({who})"
    elif stage.who == "officer":
        who = _("%(who)s — nobody has taken the case file yet: the first officer to act takes it") % {"who": who}
    running = next(
        (view.deadline for view in deadlines if view.deadline.kind == stage.deadline and view.status != "met"), None
    )
    mine = {action.name: action for action in rights.actions}
    regular = [mine[name] for name in stage.actions if name in mine]
    rest = [action for name, action in mine.items() if name not in stage.actions and name not in RARE_ACTIONS]
    return NextStep(
        waiting_for=str(stage.waiting_for),
        who=who,
        deadline_label=str(DeadlineKind(running.kind).label) if running else "",
        urgency=clock.of(running.due_at, state=running.state) if running else None,
        primary=regular[0] if regular else None,
        others=tuple(regular[1:] + rest),
        rare=tuple(mine[name] for name in RARE_ACTIONS if name in mine),
    )
