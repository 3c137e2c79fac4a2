"""The case work waiting for a person, for their home page: what to do on which case file, by when.

Each role's sections come from a fixed number of queries whatever the number of items (the case files
of the user's communes and their open deadlines; agencies' assignments; aggregates for coordinators).
"""

import datetime
from collections import defaultdict
from dataclasses import replace

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.access import jurisdiction_of
from agencies.models import Role
from config.reversing import row_url
from notifications.calendar import LOCAL, end_of_day
from notifications.models import Deadline, DeadlineState
from notifications.selectors import OpenDeadline
from notifications.urgency import CSS, Clock, Level, Urgency
from notifications.work import Section, WorkItem, section

from .. import access
from ..choices import (
    OPEN_STATES,
    SAFETY_PLAN_REVIEW_DEADLINE,
    AssignmentStatus,
    CaseState,
    DeadlineKind,
    RiskLevel,
)
from ..escalation import DEADLINE_LABELS
from ..models import ACTIVE_ASSIGNMENT_STATUSES, Assignment, CaseFile, CaseFlag, ContactRule, SafetyPlan
from ..workflow import ACTIONS, stage_of
from .community import verify_items
from .visits import due_visits

# A review shows on the officer's list when it falls due within this many days (or is late).
REVIEW_AHEAD = datetime.timedelta(days=14)
# A planned visit shows on the officer's list this many days before its date (or when late).
VISIT_AHEAD = datetime.timedelta(days=3)
# A transfer nobody has answered for this long is "stuck" for the coordinator.
TRANSFER_STUCK = datetime.timedelta(days=3)

CASE_FIELDS = (
    "pk", "reference", "state", "is_emergency", "commune_id", "commune__name", "transfer_to_id", "officer_id",
    "officer__first_name", "officer__last_name", "officer__username", "child__full_name", "opened_at",
    "risk_level",
)  # fmt: skip


def _open_deadlines(model, ids) -> dict[int, dict[str, OpenDeadline]]:
    """Open deadlines of many targets, by target and kind (one query; plain values, no model objects)."""
    found: dict[int, dict[str, OpenDeadline]] = defaultdict(dict)
    rows = Deadline.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in_array=list(ids), state=DeadlineState.OPEN
    ).values_list("target_id", "kind", "starts_at", "due_at")
    for row in rows:
        found[row[0]][row[1]] = OpenDeadline(*row)
    return found


def _officer_name(row: dict) -> str:
    name = f"{row['officer__first_name']} {row['officer__last_name']}".strip()
    return name or row["officer__username"] or ""


def _case_item(row: dict, action: str, section: str, deadline: OpenDeadline | None, clock: Clock, user) -> WorkItem:
    due = deadline.due_at if deadline else None
    who = ""
    if row["officer_id"] is None:
        who = _("no responsible officer yet: the first to act takes it")
    elif row["officer_id"] != user.pk:
        who = _("responsible: %(name)s") % {"name": _officer_name(row)}
    return WorkItem(
        section=section,
        title=f"{row['reference']} · {row['child__full_name']}",
        detail=str(stage_of(row["state"], row["is_emergency"]).waiting_for),
        url=row_url("cases:action", row["pk"], action),
        action=str(ACTIONS[action].label),
        due_at=due,
        urgency=clock.of(due) if due else None,
        who=f"{row['commune__name']}" + (f" · {who}" if who else ""),
    )


def _safety_item(row: dict, deadline: OpenDeadline, clock: Clock, user) -> WorkItem:
    return replace(
        _case_item(row, "review", "safety_reviews", deadline, clock, user),
        detail=_("Safety plan: review it on its date"),
        url=row_url("cases:safety_edit", row["pk"]),
        action=_("Review the safety plan"),
    )


def _high_risk_without_safety_plan(rows: list[dict], user, clock: Clock) -> list[WorkItem]:
    """Open case files at high risk (not waiting on another commune) with no safety plan: one query."""
    high = {row["pk"]: row for row in rows if row["risk_level"] == RiskLevel.HIGH}
    high = {pk: row for pk, row in high.items() if row["state"] != CaseState.TRANSFER_PENDING}
    if not high:
        return []
    planned = set(SafetyPlan.objects.filter(case_id__in_array=list(high)).values_list("case_id", flat=True))
    items = []
    for pk, row in high.items():
        if pk in planned:
            continue
        items.append(
            replace(
                _case_item(row, "review", "safety_needed", None, clock, user),
                detail=_("High risk: no safety plan yet"),
                url=row_url("cases:safety_edit", pk),
                action=_("Record the safety plan"),
                due_at=None,
                urgency=None,
            )
        )
    return items


def _commune_cases(user, roles) -> tuple[list[dict], dict]:
    """Open case files of the communes where the user holds one of ROLES, with their open deadlines."""
    scope = jurisdiction_of(user, roles)
    if scope.is_empty or scope.is_nationwide:
        return [], {}
    rows = list(
        access.cases_visible_to(user).filter(scope.communes_q("commune"), state__in=OPEN_STATES).values(*CASE_FIELDS)
    )
    return rows, _open_deadlines(CaseFile, [row["pk"] for row in rows])


def officer_sections(user, clock: Clock) -> list[Section]:
    """What a commune officer has to do on the case files of their commune, and the transfers to it."""
    rows, deadlines = _commune_cases(user, access.EDIT_ROLES)
    if not rows and jurisdiction_of(user, access.EDIT_ROLES).is_empty:
        return []
    new, steps, returned, reviews, safety = [], [], [], [], []
    for row in rows:
        state, mine = row["state"], deadlines.get(row["pk"], {})
        safety_review = mine.get(SAFETY_PLAN_REVIEW_DEADLINE)
        if safety_review is not None and safety_review.due_at - clock.now <= REVIEW_AHEAD:
            safety.append(_safety_item(row, safety_review, clock, user))
        if state == CaseState.TRANSFER_PENDING or state in (CaseState.PLAN_SUBMITTED, CaseState.CLOSURE_PROPOSED):
            continue  # the other commune's or the chairman's turn
        stage = stage_of(state, row["is_emergency"])
        action = stage.actions[0]
        deadline = mine.get(stage.deadline) if stage.deadline else None
        if state == CaseState.RECEIVED:
            new.append(_case_item(row, action, "new", deadline, clock, user))
        elif state == CaseState.PLAN_RETURNED:
            returned.append(_case_item(row, action, "returned", deadline, clock, user))
        elif state == CaseState.IN_INTERVENTION:
            if deadline is not None and deadline.due_at - clock.now <= REVIEW_AHEAD:
                reviews.append(_case_item(row, action, "review", deadline, clock, user))
        else:
            steps.append(_case_item(row, action, "step", deadline, clock, user))
    incoming = _transfers_to(user, clock)
    reassign = _assignments_to_reassign(user, clock, access.EDIT_ROLES)
    unsafe = _high_risk_without_safety_plan(rows, user, clock)
    list_url = reverse("cases:list")
    return [
        section(
            "flagged",
            _("Case files flagged for attention"),
            _flag_items(CaseFlag.objects.filter(case_id__in_array=[row["pk"] for row in rows]), clock),
            _("Case files a supervisor flags for attention appear here first, until the flag is lifted or lapses."),
        ),
        section(
            "visits",
            _("Visits due and children not seen for too long"),
            _visit_items(rows, clock, user),
            _(
                "Planned visits falling due within three days, and children of open case files without a contact "
                "for longer than your province allows, appear here."
            ),
        ),
        section(
            "verify",
            _("Reports to verify"),
            verify_items(user, clock),
            _("Reports from collaborators and from the public reporting page appear here, to verify."),
        ),
        section(
            "new",
            _("New reports to assess"),
            new,
            _("New reports for your commune (from the hotline 111, collaborators, police, schools) appear here."),
            f"{list_url}?state=received",
        ),
        section(
            "steps",
            _("Case files: the next legal step"),
            steps,
            _("Case files waiting for your next step (emergency measures, needs meeting, plan) appear here."),
            list_url,
        ),
        section(
            "returned",
            _("Plans returned by the chairman"),
            returned,
            _("Plans the chairman returns for revision appear here."),
            f"{list_url}?state=plan_returned",
        ),
        section(
            "reassign",
            _("Assignments declined or late"),
            reassign,
            _("Assignments an agency declines, or does not carry out in time, appear here to be given again."),
            reverse("cases:coordination"),
        ),
        section(
            "incoming",
            _("Transfers waiting for your commune"),
            incoming,
            _("Case files another commune asks yours to take over appear here."),
        ),
        section(
            "safety_needed",
            _("High risk: safety plans to record"),
            unsafe,
            _("Children assessed at high risk who have no safety plan yet appear here."),
        ),
        section(
            "safety_reviews",
            _("Safety plans to review"),
            safety,
            _("Safety plans whose review date falls within two weeks appear here."),
        ),
        section(
            "reviews",
            _("Reviews due"),
            reviews,
            _("Plans whose review (Form 06) falls due within two weeks appear here."),
            f"{list_url}?state=in_intervention",
        ),
    ]


def _flag_items(flags, clock: Clock) -> list[WorkItem]:
    """The flags holding today on FLAGS' case files, most recent first (one query)."""
    rows = (
        flags.filter(lifted_at__isnull=True, until__gte=clock.today)
        .order_by("-raised_at")
        .values(
            "case_id", "reason", "until", "raised_by__first_name", "raised_by__last_name", "raised_by__username",
            "case__reference", "case__child__full_name", "case__commune__name",
        )
    )  # fmt: skip
    items, seen = [], set()
    for row in rows:
        if row["case_id"] in seen:
            continue
        seen.add(row["case_id"])
        name = f"{row['raised_by__first_name']} {row['raised_by__last_name']}".strip() or row["raised_by__username"]
        until = f"{row['until']:%d/%m/%Y}"
        items.append(
            WorkItem(
                section="flagged",
                title=f"{row['case__reference']} · {row['case__child__full_name']}",
                detail=row["reason"][:160],
                url=row_url("cases:detail", row["case_id"]),
                action=_("Open the case file"),
                urgency=Urgency(Level.OVERDUE, _("flagged until %(date)s") % {"date": until}, CSS[Level.OVERDUE]),
                who=_("%(commune)s · flagged by %(name)s") % {"commune": row["case__commune__name"], "name": name},
            )
        )
    return items


def _visit_items(rows: list[dict], clock: Clock, user) -> list[WorkItem]:
    """Planned visits due within VISIT_AHEAD (or late), and open case files whose no-contact rule fell due
    with no visit planned (three queries)."""
    by_pk = {row["pk"]: row for row in rows}
    planned = due_visits(by_pk, clock.today + VISIT_AHEAD)
    items = []
    record = str(_("Record the visit"))
    for case_id, visit in planned.items():
        row, due = by_pk[case_id], end_of_day(visit.planned_for)
        items.append(
            WorkItem(
                section="visits",
                title=f"{row['reference']} · {row['child__full_name']}",
                detail=_("%(kind)s planned for %(date)s")
                % {"kind": visit.get_kind_display(), "date": f"{visit.planned_for:%d/%m/%Y}"},
                url=row_url("cases:visit_record", case_id, visit.pk),
                action=record,
                due_at=due,
                urgency=clock.of(due),
                who=row["commune__name"],
            )
        )
    rules = dict(ContactRule.objects.filter(case_id__in_array=list(by_pk)).values_list("pk", "case_id"))
    late = Deadline.objects.filter(
        target_type=ContentType.objects.get_for_model(ContactRule),
        target_id__in_array=list(rules),
        kind=DeadlineKind.NO_CONTACT,
        state=DeadlineState.OPEN,
        due_at__lte=clock.now,
    ).values_list("target_id", "starts_at", "due_at")
    for rule_id, starts_at, due in late:
        case_id = rules[rule_id]
        if case_id in planned or case_id not in by_pk:
            continue
        row = by_pk[case_id]
        days = (clock.today - starts_at.astimezone(LOCAL).date()).days
        items.append(
            WorkItem(
                section="visits",
                title=f"{row['reference']} · {row['child__full_name']}",
                detail=_("No contact with the child for %(days)s days") % {"days": max(days, 0)},
                url=row_url("cases:visit_new", case_id),
                action=record,
                due_at=due,
                urgency=clock.of(due),
                who=row["commune__name"],
            )
        )
    return items


def _transfers_to(user, clock: Clock) -> list[WorkItem]:
    rows = access.transfers_waiting_for(user).values("pk", "reference", "commune__name", "updated_at")
    return [
        WorkItem(
            section="incoming",
            title=row["reference"],
            detail=_("Asked by %(commune)s on %(date)s")
            % {"commune": row["commune__name"], "date": f"{timezone.localtime(row['updated_at']):%d/%m/%Y}"},
            url=row_url("cases:action", row["pk"], "accept_transfer"),
            action=str(ACTIONS["accept_transfer"].label),
        )
        for row in rows
    ]


def _assignments_to_reassign(user, clock: Clock, roles) -> list[WorkItem]:
    """Declined assignments not yet given to another agency, and active ones past their due date."""
    scope = jurisdiction_of(user, roles)
    replaced = Assignment.objects.filter(measure=OuterRef("measure"), status__in=ACTIVE_ASSIGNMENT_STATUSES)
    late_or_declined = Q(status=AssignmentStatus.DECLINED) & ~Exists(replaced) | Q(
        status__in=ACTIVE_ASSIGNMENT_STATUSES, due_date__lt=clock.today
    )
    rows = (
        Assignment.objects.filter(case__in=access.cases_visible_to(user).filter(scope.communes_q("commune")))
        .filter(late_or_declined)
        .values("pk", "status", "due_date", "service_type", "agency__name", "case__reference", "case__commune__name")
    )
    # The words read once: a province holds thousands of such assignments, and each translation goes through
    # context-local storage.
    declined_by, late, action = _("Declined by %(agency)s"), _("Late: %(agency)s"), _("Give to another agency")
    items = []
    for row in rows:
        declined = row["status"] == AssignmentStatus.DECLINED
        due = end_of_day(row["due_date"])
        items.append(
            WorkItem(
                section="reassign",
                title=row["case__reference"],
                detail=(declined_by if declined else late) % {"agency": row["agency__name"]},
                url=row_url("cases:reassign", row["pk"]),
                action=action,
                due_at=None if declined else due,
                urgency=None if declined else clock.of(due),
                who=row["case__commune__name"],
            )
        )
    return items


def chairman_sections(user, clock: Clock) -> list[Section]:
    """Plans and closures waiting for the chairman, open emergencies, and overdue steps in the commune."""
    rows, deadlines = _commune_cases(user, frozenset({Role.CHAIRMAN}))
    if not rows and jurisdiction_of(user, frozenset({Role.CHAIRMAN})).is_empty:
        return []
    plans, closures, emergencies, overdue = [], [], [], []
    for row in rows:
        state, mine = row["state"], deadlines.get(row["pk"], {})
        if state == CaseState.PLAN_SUBMITTED:
            plans.append(_case_item(row, "approve_plan", "plans", mine.get(DeadlineKind.PLAN_APPROVAL), clock, user))
        elif state == CaseState.CLOSURE_PROPOSED:
            closures.append(_case_item(row, "approve_closure", "closures", None, clock, user))
        elif state == CaseState.ASSESSED and row["is_emergency"]:
            emergencies.append(_detail_item(row, "emergencies", _("Emergency: measures not yet recorded"), clock))
        else:
            late = [d for d in mine.values() if d.due_at < clock.now]
            if late:
                first = min(late, key=lambda d: d.due_at)
                label = (
                    str(DeadlineKind(first.kind).label)
                    if first.kind in DeadlineKind.values
                    else _(DEADLINE_LABELS.get(first.kind, first.kind))
                )
                overdue.append(_detail_item(row, "overdue", label, clock, first.due_at))
    return [
        section(
            "plans",
            _("Plans waiting for your approval"),
            plans,
            _("Intervention plans the commune officer submits to you appear here."),
        ),
        section(
            "closures",
            _("Closures to decide"),
            closures,
            _("Proposals to end a plan and close the case file appear here."),
        ),
        section(
            "emergencies",
            _("Emergencies open"),
            emergencies,
            _("Case files where the assessment found an emergency appear here until the measures are recorded."),
        ),
        section(
            "overdue",
            _("Overdue steps in your commune"),
            overdue,
            _("Case files whose legal time limit has passed appear here."),
            f"{reverse('cases:list')}?overdue=on",
        ),
    ]


def _detail_item(row: dict, section: str, detail: str, clock: Clock, due=None) -> WorkItem:
    return WorkItem(
        section=section,
        title=f"{row['reference']} · {row['child__full_name']}",
        detail=detail,
        url=row_url("cases:detail", row["pk"]),
        action=_("Open the case file"),
        due_at=due,
        urgency=clock.of(due) if due else None,
        who=row["commune__name"],
    )


def agency_sections(user, clock: Clock) -> list[Section]:
    """The assignments of the user's agencies: to accept, and in hand (progress due)."""
    if not any(m.role == Role.FOCAL_POINT for m in access.active_memberships(user)):
        return []
    rows = list(
        access.assignments_of_agency_staff(user).values(
            "pk", "status", "due_date", "service_type", "request", "case__reference", "case__commune__name"
        )
    )
    acceptance = _open_deadlines(Assignment, [row["pk"] for row in rows])
    to_accept, in_hand = [], []
    for row in rows:
        if row["status"] == AssignmentStatus.PROPOSED:
            deadline = acceptance.get(row["pk"], {}).get("assignment_acceptance")
            due = deadline.due_at if deadline else None
            to_accept.append(_assignment_item(row, "accept", _("Accept or decline"), due, clock))
        else:
            due = end_of_day(row["due_date"])
            in_hand.append(_assignment_item(row, "progress", _("Report progress"), due, clock))
    inbox = reverse("cases:inbox")
    return [
        section(
            "to_accept",
            _("Assignments to accept"),
            to_accept,
            _(
                "Measures of approved plans given to your agency appear here: "
                "accept or decline them within 2 working days."
            ),
            inbox,
        ),
        section(
            "in_hand",
            _("Assignments in hand: progress due"),
            in_hand,
            _("Assignments your agency accepted appear here until they are closed."),
            inbox,
        ),
    ]


def _assignment_item(row: dict, action: str, words: str, due, clock: Clock) -> WorkItem:
    from .. import lists

    return WorkItem(
        section=action,
        title=f"{row['case__reference']} · {lists.label('service_type', row['service_type'])}",
        detail=row["request"][:160],
        url=row_url("cases:assignment", row["pk"]),
        action=words,
        due_at=due,
        urgency=clock.of(due) if due else None,
        who=row["case__commune__name"],
    )


def coordinator_sections(user, clock: Clock) -> list[Section]:
    """Communes with overdue steps, assignments to give again, transfers stuck — across the user's area."""
    roles = frozenset({Role.COORDINATOR})
    scope = jurisdiction_of(user, roles)
    if scope.is_empty:
        return []
    cases = access.cases_visible_to(user).filter(scope.communes_q("commune"))
    overdue = Deadline.objects.filter(
        target_type=ContentType.objects.get_for_model(CaseFile),
        target_id=OuterRef("pk"),
        state=DeadlineState.OPEN,
        due_at__lt=clock.now,
    )
    by_commune = (
        cases.filter(Exists(overdue))
        .values("commune_id", "commune__name")
        .annotate(late=Count("pk"))
        .order_by("-late", "commune__name")
    )
    list_url = reverse("cases:list")
    communes = [
        WorkItem(
            section="communes",
            title=row["commune__name"],
            detail=_("%(count)s case file(s) past a legal time limit") % {"count": row["late"]},
            url=f"{list_url}?commune={row['commune_id']}&overdue=on",
            action=_("See the case files"),
        )
        for row in by_commune
    ]
    stuck = [
        WorkItem(
            section="stuck",
            title=row["reference"],
            detail=_("From %(from)s to %(to)s since %(date)s")
            % {
                "from": row["commune__name"],
                "to": row["transfer_to__name"],
                "date": f"{timezone.localtime(row['updated_at']):%d/%m/%Y}",
            },
            url=row_url("cases:detail", row["pk"]),
            action=_("Open the case file"),
        )
        for row in cases.filter(state=CaseState.TRANSFER_PENDING, updated_at__lt=clock.now - TRANSFER_STUCK).values(
            "pk", "reference", "commune__name", "transfer_to__name", "updated_at"
        )
    ]
    return [
        section(
            "flagged",
            _("Case files flagged for attention"),
            _flag_items(CaseFlag.objects.filter(case__in=cases), clock),
            _("Case files a supervisor flags for attention appear here first, until the flag is lifted or lapses."),
        ),
        section(
            "communes",
            _("Communes with overdue steps"),
            communes,
            _("Communes of your area with a case file past its legal time limit appear here, the most late first."),
            f"{list_url}?overdue=on",
        ),
        section(
            "reassign",
            _("Assignments declined or late"),
            _assignments_to_reassign(user, clock, roles),
            _("Assignments an agency declines, or does not carry out in time, appear here to be given again."),
            reverse("cases:coordination"),
        ),
        section(
            "stuck",
            _("Transfers waiting more than 3 days"),
            stuck,
            _("Transfers between communes that nobody has answered for 3 days appear here."),
        ),
    ]
