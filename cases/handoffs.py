"""A notice at every hand-off: when a step puts the next move in someone else's hands, they are told.

Every event of the timeline passes through `announce`; the kinds that hand work over have a rule here
that names who acts next and what to tell them. The notice carries the event's key, so a person is told
once per hand-off whatever happens (the notice is written in the step's own transaction: a step that
fails tells nobody). Notices name the case reference and the commune, never the child: they may travel
by email, SMS or Zalo. They are not urgent: outside working hours they wait for the morning.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.access import ancestor_pks, province_pk_of
from agencies.models import AdministrativeUnit, Role, StaffMembership
from notifications import config_cache
from notifications.models import RecipientRole
from notifications.recipients import AgencyStaff, Area
from notifications.services import NotificationDraft, forget_counts_after_commit, in_other_languages, notify_many

from .access import named_on
from .choices import CaseEventKind as K
from .choices import CaseState
from .models import Assignment


@dataclass(frozen=True)
class Notice:
    users: list
    title: str
    body: str
    url: str
    urgent: bool = False  # sent at once on every channel, night or day (an emergency)


def commune_officer_ids(commune) -> list[int]:
    """The commune's child-protection officers (kept while no membership changes: config_cache)."""
    return config_cache.cached(
        "commune_officers",
        commune.pk,
        lambda: list(
            StaffMembership.objects.filter(
                role=Role.COMMUNE_OFFICER, unit=commune, is_active=True, user__is_active=True, agency__is_active=True
            )
            .order_by()
            .values_list("user_id", flat=True)
        ),
    )


def officers_of_commune(commune) -> list:
    ids = commune_officer_ids(commune)
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True)) if ids else []


def officers_of(case) -> list:
    """Who answers for the case file: its responsible officer while they still work as the commune's
    officer; else (nobody yet, someone who left, an integration account) every officer of the commune."""
    ids = commune_officer_ids(case.commune)
    if case.officer_id in ids:
        return list(get_user_model().objects.filter(pk=case.officer_id, is_active=True))
    return officers_of_commune(case.commune)


def _chairmen(case) -> list:
    return Area([case.commune], {RecipientRole.SUPERVISOR}).holders(case.commune, RecipientRole.SUPERVISOR)


def coordinators_over(commune) -> list:
    """The coordinators whose area holds the commune, the nearest level first (a former district's before
    the province's)."""
    above = ancestor_pks(commune.path)
    rows = StaffMembership.objects.filter(
        role=Role.COORDINATOR, unit_id__in=above, is_active=True, user__is_active=True, agency__is_active=True
    ).values_list("user_id", "unit_id")
    nearest = sorted(rows, key=lambda row: (-above.index(row[1]), row[0]))
    users = get_user_model().objects.in_bulk([user for user, _unit in nearest])
    return [users[user] for user, _unit in dict.fromkeys(nearest) if user in users]


def chairmen_of_commune(commune) -> list:
    """The commune's own chairmen (not the levels above it), first appointed first."""
    ids = (
        StaffMembership.objects.filter(
            role=Role.CHAIRMAN, unit=commune, is_active=True, user__is_active=True, agency__is_active=True
        )
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    return list(get_user_model().objects.filter(pk__in=list(ids)).order_by("pk"))


def _case_url(case, action: str | None = None) -> str:
    return reverse("cases:action", args=[case.pk, action]) if action else reverse("cases:detail", args=[case.pk])


def _values(case) -> dict:
    return {"reference": case.reference, "commune": case.commune.name}


def _assessed(event, case) -> list[Notice]:
    if not case.is_emergency:
        return []
    return [
        Notice(
            _chairmen(case),
            _("[%(reference)s] EMERGENCY found at the initial assessment – %(commune)s") % _values(case),
            _("Emergency measures must be taken within 12 hours of the report: direct them with the police."),
            _case_url(case),
            urgent=True,
        )
    ]


def _plan_submitted(event, case) -> list[Notice]:
    return [
        Notice(
            _chairmen(case),
            _("[%(reference)s] Intervention plan waiting for your approval – %(commune)s") % _values(case),
            _("The commune officer submitted the plan (Form 04). Approve it by decision or return it for revision."),
            _case_url(case, "approve_plan"),
        )
    ]


def _plan_returned(event, case) -> list[Notice]:
    return [
        Notice(
            officers_of(case),
            _("[%(reference)s] The chairman returned the plan for revision") % _values(case),
            _("Read the chairman's comments, revise the plan and submit it again."),
            _case_url(case, "submit_plan"),
        )
    ]


def _plan_approved(event, case) -> list[Notice]:
    return [
        Notice(
            officers_of(case),
            _("[%(reference)s] The plan is approved (decision %(number)s)")
            % {**_values(case), "number": event.data.get("decision_number", "")},
            _("Each measure was sent to its agency. Follow the assignments on the case page."),
            _case_url(case),
        )
    ]


def _assignment_url(event) -> str:
    return reverse("cases:assignment", args=[event.data["assignment"]])


def _assignment_proposed(event, case) -> list[Notice]:
    agency_id = Assignment.objects.filter(pk=event.data["assignment"]).values_list("agency_id", flat=True).first()
    return [
        Notice(
            AgencyStaff([agency_id]).focal_points(agency_id),
            _("[%(reference)s] New assignment for %(agency)s – %(commune)s")
            % {**_values(case), "agency": event.data.get("agency", "")},
            _("Accept or decline it within 2 working days; the commune officer follows it."),
            _assignment_url(event),
        )
    ]


def _to_officer(title: str, body: str, *, url: Callable = _assignment_url) -> Callable:
    def rule(event, case) -> list[Notice]:
        values = {**_values(case), "agency": event.data.get("agency", "")}
        return [Notice(officers_of(case), str(title) % values, str(body), url(event))]

    return rule


def _reassign_url(event) -> str:
    return reverse("cases:reassign", args=[event.data["assignment"]])


def _transfer_requested(event, case) -> list[Notice]:
    return [
        Notice(
            officers_of_commune(case.transfer_to),
            _("[%(reference)s] %(commune)s asks your commune to take over a case file") % _values(case),
            _("The child now lives in your commune. Accept the transfer, or decline it with the reason."),
            _case_url(case, "accept_transfer"),
        )
    ]


def _transfer_answered(accepted: bool) -> Callable:
    def rule(event, case) -> list[Notice]:
        if accepted:
            previous = event.data.get("changes", {}).get("commune_id", [None])[0]
            commune = AdministrativeUnit.objects.filter(pk=previous).first()
            users = officers_of_commune(commune) if commune else []
            title = _("[%(reference)s] %(commune)s accepted the transfer") % _values(case)
        else:
            users = officers_of(case)
            title = _("[%(reference)s] The other commune declined the transfer") % _values(case)
        return [Notice(users, title, _("Open the case file to see the answer."), _case_url(case))]

    return rule


def _reviewed(event, case) -> list[Notice]:
    if case.state != CaseState.CLOSURE_PROPOSED:
        return []
    return [
        Notice(
            _chairmen(case),
            _("[%(reference)s] Ending the plan proposed – %(commune)s") % _values(case),
            _("The commune officer's review (Form 06) proposes ending the plan and closing the case file: decide."),
            _case_url(case, "approve_closure"),
        )
    ]


def _closure_decided(approved: bool) -> Callable:
    def rule(event, case) -> list[Notice]:
        title = (
            _("[%(reference)s] The chairman approved ending the plan: case file closed")
            if approved
            else _("[%(reference)s] The chairman refused ending the plan")
        )
        return [
            Notice(
                officers_of(case), title % _values(case), _("Open the case file to see the decision."), _case_url(case)
            )
        ]

    return rule


def _responsibility_reassigned(event, case) -> list[Notice]:
    if event.data.get("handover"):
        return []  # part of a handover of a whole caseload: each officer gets one notice for all the files
    before, after = event.data.get("changes", {}).get("officer_id", [None, None])
    users = list(get_user_model().objects.filter(pk__in=[pk for pk in (before, after) if pk], is_active=True))
    return [
        Notice(
            users,
            _("[%(reference)s] Responsible officer changed – %(commune)s") % _values(case),
            _("The case file was handed from one officer to another: open it to see who answers for it now."),
            _case_url(case),
        )
    ]


def _flag_raised(event, case) -> list[Notice]:
    until = event.data.get("until", "")
    day = f"{until[8:10]}/{until[5:7]}/{until[:4]}" if len(until) == 10 else until
    return [
        Notice(
            officers_of(case),
            _("[%(reference)s] Flagged for attention until %(until)s – %(commune)s") % {**_values(case), "until": day},
            _("A supervisor flagged the case file: open it to read why. It heads your work list until then."),
            _case_url(case),
        )
    ]


RULES: dict[str, Callable] = {
    K.ASSESSED: _assessed,
    K.PLAN_SUBMITTED: _plan_submitted,
    K.PLAN_RETURNED: _plan_returned,
    K.PLAN_APPROVED: _plan_approved,
    K.ASSIGNMENT_PROPOSED: _assignment_proposed,
    K.ASSIGNMENT_ACCEPTED: _to_officer(
        gettext_lazy("[%(reference)s] %(agency)s accepted its assignment"),
        gettext_lazy("The agency will report its progress."),
    ),
    K.ASSIGNMENT_DECLINED: _to_officer(
        gettext_lazy("[%(reference)s] %(agency)s declined its assignment: give it to another agency"),
        gettext_lazy("Read the agency's reason and give the measure to another agency."),
        url=_reassign_url,
    ),
    K.ASSIGNMENT_PROGRESS: _to_officer(
        gettext_lazy("[%(reference)s] %(agency)s reported progress"), gettext_lazy("Read what the agency did.")
    ),
    K.ASSIGNMENT_CLOSED: _to_officer(
        gettext_lazy("[%(reference)s] %(agency)s closed its assignment"),
        gettext_lazy("Read the outcome the agency reported."),
    ),
    K.PLAN_IMPLEMENTED: _to_officer(
        gettext_lazy("[%(reference)s] Every measure of the plan is carried out: review the plan"),
        gettext_lazy("Review the plan (Form 06): continue, draw up a new plan or propose ending it."),
        url=lambda event: reverse("cases:detail", args=[event.case_id]),
    ),
    K.TRANSFER_REQUESTED: _transfer_requested,
    K.TRANSFER_ACCEPTED: _transfer_answered(accepted=True),
    K.TRANSFER_DECLINED: _transfer_answered(accepted=False),
    K.REVIEWED: _reviewed,
    K.CLOSURE_APPROVED: _closure_decided(approved=True),
    K.CLOSURE_REFUSED: _closure_decided(approved=False),
    K.RESPONSIBILITY_REASSIGNED: _responsibility_reassigned,
    K.FLAG_RAISED: _flag_raised,
    K.FLAG_LIFTED: lambda event, case: [
        Notice(
            officers_of(case),
            _("[%(reference)s] Flag lifted – %(commune)s") % _values(case),
            _("The supervisor lifted the flag on the case file."),
            _case_url(case),
        )
    ],
}


def announce(event, *, case, actor) -> int:
    """Tell whoever acts next after EVENT (nobody, for kinds that hand nothing over). Returns notices sent.

    Only people who may open the case file are told (a restricted file: those named on it); the notice is in
    their bell at once, its email or message waits for working hours unless it is urgent."""
    if actor is not None:
        forget_counts_after_commit([actor.pk])  # the actor's own work list has just changed
    rule = RULES.get(event.kind)
    if rule is None:
        return 0
    with translation.override("vi"):
        notices = rule(event, case)
        words = [(str(notice.title), str(notice.body)) for notice in notices]
    # The same notices' words in the pages' other languages (the rule asked again: its people are the same).
    others = in_other_languages(lambda: [(str(notice.title), str(notice.body)) for notice in rule(event, case)])
    allowed = named_on(case) if case.is_restricted else None
    drafts = [
        NotificationDraft(
            user=user,
            title=words[index][0],
            body=words[index][1],
            translations={
                code: {"title": other[index][0][:255], "body": other[index][1]}
                for code, other in others.items()
                if len(other) == len(notices)
            },
            url=notice.url,
            key=f"case-event:{event.pk}",
            is_urgent=notice.urgent,
            may_hold=not notice.urgent,
            shown_at_once=True,
            province_id=province_pk_of(case.commune),
            about=case,
        )
        for index, notice in enumerate(notices)
        for user in notice.users
        if (actor is None or user.pk != actor.pk) and (allowed is None or user.pk in allowed)
    ]
    return notify_many(drafts)
