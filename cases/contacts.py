"""The no-contact rule: the child of every open case file is to be contacted at least every N days (a
province's setting, DeadlineRule "no_contact"; 30 calendar days without one).

What counts as a contact (each means meeting the child or the family): a visit recorded as done where
the child was seen, on the day it was done; the initial risk assessment (Form 02); the collection of
information with its needs meeting (Form 03); the review of the plan (Form 06). Notes, attached files and
a visit where the child was not seen do not count. The count starts when the case file is opened.

The rule is a deadline of kind "no_contact" on the case file's ContactRule row (a target of its own, kept
apart from the procedure's legal time limits), falling due N days after the last contact. The escalation
engine climbs its ladder (the officer, then the chairman: notifications.defaults), each step once; a new
contact meets that deadline and opens the next one (its ladder starts again); closing the case file
cancels it; reopening starts it again. Every timeline event passes through `follow`, so no step of the
procedure can forget the rule.
"""

import datetime

from django.contrib.contenttypes.models import ContentType

from agencies.access import province_pk_of
from agencies.models import AdministrativeUnit
from notifications.calendar import LOCAL
from notifications.models import Deadline, DeadlineState
from notifications.services import deadline_cancel, deadline_meet, deadline_set, deadlines_open

from .choices import OPEN_STATES, CaseEventKind, ContactKind, DeadlineKind
from .deadlines import due_at, rules_for
from .models import CaseFile, ContactRule

K = CaseEventKind
# The timeline events that are a contact with the child, and the kind of contact each one is.
CONTACT_EVENTS = {
    K.ASSESSED: ContactKind.ASSESSMENT,
    K.INVESTIGATED: ContactKind.NEEDS_MEETING,
    K.REVIEWED: ContactKind.REVIEW,
    K.VISIT_RECORDED: ContactKind.VISIT,
}


def days_allowed(case: CaseFile) -> int:
    """N: the days a child of this case file's province may go without a contact."""
    amount, _unit = rules_for(case.commune)[DeadlineKind.NO_CONTACT]
    return amount


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LOCAL)


def _arm(case: CaseFile, rule: ContactRule, start: datetime.datetime) -> None:
    """The deadline falls due N days after the day of START (the last contact, or the opening)."""
    amount, unit = rules_for(case.commune)[DeadlineKind.NO_CONTACT]
    starts_at = _start_of(start.astimezone(LOCAL).date())
    deadline_set(
        target=rule,
        kind=DeadlineKind.NO_CONTACT,
        starts_at=starts_at,
        due_at=due_at(starts_at, amount, unit),
        province=AdministrativeUnit(pk=province_pk_of(case.commune)),
    )


def rule_open(case: CaseFile, *, at: datetime.datetime) -> ContactRule:
    """Start (or start again, on reopening) the rule of an open case file, counting from AT unless a
    later contact is already known."""
    rule, created = ContactRule.objects.get_or_create(
        case=case, defaults={"last_contact_at": at, "last_contact_kind": ContactKind.OPENED}
    )
    _arm(case, rule, at if created else max(at, rule.last_contact_at))
    return rule


def rule_start(case: CaseFile, *, at: datetime.datetime) -> ContactRule:
    """The rule of a case file just received (it has none yet): one INSERT for the rule and one for its
    deadline, no lookup first (the intake's cost, issue 23)."""
    rule = ContactRule.objects.create(case=case, last_contact_at=at, last_contact_kind=ContactKind.OPENED)
    amount, unit = rules_for(case.commune)[DeadlineKind.NO_CONTACT]
    starts_at = _start_of(at.astimezone(LOCAL).date())
    deadlines_open(
        target=rule,
        deadlines=[(DeadlineKind.NO_CONTACT, starts_at, due_at(starts_at, amount, unit))],
        province=AdministrativeUnit(pk=province_pk_of(case.commune)),
    )
    return rule


def contact_record(case: CaseFile, *, at: datetime.datetime, kind: str) -> None:
    """A contact with the child on AT: the rule counts again from it (a contact of an earlier day changes
    nothing). Contacts count by day: a visit recorded for a day (counted from its start) on which a form was
    recorded becomes the day's last contact, as it was made or recorded after it."""
    rule = ContactRule.objects.select_for_update().filter(case=case).first()
    if rule is None:
        rule = ContactRule(case=case, last_contact_at=at, last_contact_kind=kind)
    elif rule.last_contact_kind != ContactKind.OPENED:
        day, last_day = at.astimezone(LOCAL).date(), rule.last_contact_at.astimezone(LOCAL).date()
        if day < last_day:
            return
        if day == last_day:
            at = max(at, rule.last_contact_at)
    rule.last_contact_at, rule.last_contact_kind = at, kind
    rule.save()
    if case.state in OPEN_STATES:
        # A contact meets the running count and starts a new one: its ladder climbs again from the first step.
        deadline_meet(target=rule, kind=DeadlineKind.NO_CONTACT)
        _arm(case, rule, at)


def rule_stop(case: CaseFile) -> None:
    """A closed case file has no rule running."""
    rule = ContactRule.objects.filter(case=case).first()
    if rule is not None:
        deadline_cancel(target=rule)


def follow(event, case: CaseFile) -> None:
    """Keep the rule in step with what just happened on the case file (called for every timeline event)."""
    if event.kind == K.RECEIVED:
        rule_start(case, at=case.opened_at)
    elif event.kind in CONTACT_EVENTS and not (event.kind == K.VISIT_RECORDED and not event.data.get("child_seen")):
        # A visit where the child was not seen (the door stayed shut) is no contact: the count runs on.
        contact_record(case, at=_contact_moment(event), kind=CONTACT_EVENTS[event.kind])
    if event.from_state != event.to_state:
        was_open, is_open = event.from_state in OPEN_STATES, event.to_state in OPEN_STATES
        if was_open and not is_open:
            rule_stop(case)
        elif is_open and not was_open and event.kind != K.RECEIVED:
            rule_open(case, at=event.at)


def _contact_moment(event) -> datetime.datetime:
    """A visit counts from the day it was done (recorded later, perhaps); other contacts when recorded."""
    done_on = event.data.get("done_on")
    if done_on:
        return _start_of(datetime.date.fromisoformat(done_on))
    return event.at


def rules_ensure() -> tuple[int, int]:
    """Every open case file has its rule running, due N days after its last contact with today's N (a
    province may have changed it); no closed one has. Idempotent: run every night. Returns (set, stopped)."""
    rule_type = ContentType.objects.get_for_model(ContactRule)
    running = {
        row.target_id: row
        for row in Deadline.objects.filter(
            target_type=rule_type, kind=DeadlineKind.NO_CONTACT, state=DeadlineState.OPEN
        ).only("target_id", "starts_at", "due_at")
    }
    changed = stopped = 0
    cases = CaseFile.objects.select_related("commune", "contact_rule").order_by("pk")
    for case in cases.filter(state__in=OPEN_STATES).iterator(chunk_size=500):
        rule = getattr(case, "contact_rule", None)
        if rule is None:
            rule_open(case, at=case.opened_at)
            changed += 1
            continue
        amount, unit = rules_for(case.commune)[DeadlineKind.NO_CONTACT]
        deadline = running.get(rule.pk)
        # The count keeps its start (the last contact, or a reopening after it); only N may have changed.
        start = deadline.starts_at if deadline else _start_of(rule.last_contact_at.astimezone(LOCAL).date())
        if deadline is None or deadline.due_at != due_at(start, amount, unit):
            _arm(case, rule, start)
            changed += 1
    closed = ContactRule.objects.exclude(case__state__in=OPEN_STATES).filter(pk__in=list(running))
    for rule in closed.select_related("case"):
        deadline_cancel(target=rule)
        stopped += 1
    return changed, stopped
