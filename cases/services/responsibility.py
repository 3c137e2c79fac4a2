"""Who answers for a case file: handing it from one officer of the commune to another, one file at a time
or all of an officer's open files at once (leave, departure), with the same locks, checks and events."""

import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import province_pk_of
from notifications.services import NotificationDraft, notify_many, worded

from .. import access, events, handoffs
from ..choices import OPEN_STATES
from ..models import CaseFile
from .common import case_lock, case_touch, tracked


def _officer_error(case: CaseFile, officer, officers: set[int]) -> str | None:
    """Why OFFICER cannot answer for the locked CASE (None when they can). OFFICERS: the commune's."""
    if officer is None or officer.pk not in officers:
        return _("Choose a child-protection officer of the case file's commune.")
    if case.is_restricted and officer.pk not in access.named_on(case):
        return _("This case file is restricted: name this officer on it first, then hand it over.")
    if officer.pk == case.officer_id:
        return _("This officer already answers for the case file.")
    return None


def _reason_errors(reason: str) -> dict:
    return {} if reason.strip() else {"reason": [_("Give the reason (leave, departure, workload…).")]}


def _hand(*, actor, case: CaseFile, officer, reason: str, handover: str = "") -> CaseFile:
    """The change itself, on a locked and checked file: the new officer, a new version, the event (which
    writes the audit row and, outside a handover, tells both officers)."""
    before = tracked(case)
    case.officer = officer
    change = case_touch(case, fields=("officer",), before=before)
    events.responsibility_reassigned_event(case=case, actor=actor, change=change, reason=reason, handover=handover)
    return case


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
    errors = _reason_errors(reason)
    officers = {user.pk for user in handoffs.officers_of_commune(locked.commune)}
    if problem := _officer_error(locked, officer, officers):
        errors["officer"] = [problem]
    if errors:
        raise ValidationError(errors)
    return _hand(actor=actor, case=locked, officer=officer, reason=reason.strip())


@dataclass(frozen=True)
class KeptFile:
    """A file the handover left with its officer, and why (never dropped silently)."""

    pk: int
    reference: str
    reason: str
    # Whether the person handing over may open it (else the page shows the reason, not the reference).
    is_visible: bool


@dataclass
class _Between:
    """Whose open files, to whom, in which commune."""

    from_officer: object
    to_officer: object
    commune: object


@dataclass
class Handover(_Between):
    handed: list[CaseFile] = field(default_factory=list)
    kept: list[KeptFile] = field(default_factory=list)
    # Open files that were not on the list checked (given to the officer since, or unrestricted since).
    unconfirmed: list[KeptFile] = field(default_factory=list)


@dataclass(frozen=True)
class PlannedFile:
    """A file a handover would move, as its check page shows it (no child's name: as on the caseload)."""

    pk: int
    reference: str
    state: str
    opened_at: object


@dataclass
class HandoverPlan(_Between):
    """What `caseload_hand_over` would do now: the files that would go, and those that would stay and why."""

    moving: list[PlannedFile] = field(default_factory=list)
    staying: list[KeptFile] = field(default_factory=list)


def _refusal() -> str:
    return _("Only the commune's chairman or a coordinator hands over an officer's case files.")


def _check_handover(*, actor, commune, from_officer, to_officer, reason: str) -> set[int]:
    """Refuse what no file could make right (the right to hand over, the two officers, the reason); returns
    the commune's officers."""
    if not access.may_hand_over_caseload(actor, commune):
        raise PermissionDenied(_refusal())
    errors = _reason_errors(reason)
    officers = {user.pk for user in handoffs.officers_of_commune(commune)}
    if to_officer is None or to_officer.pk not in officers:
        errors["to_officer"] = [_("Choose a child-protection officer of this commune.")]
    elif from_officer is not None and to_officer.pk == from_officer.pk:
        errors["to_officer"] = [_("Choose another officer than the one whose case files are handed over.")]
    if from_officer is None:
        errors["from_officer"] = [_("Choose the officer whose case files are handed over.")]
    if errors:
        raise ValidationError(errors)
    return officers


def _why_it_stays(actor, case: CaseFile, to_officer, officers: set[int], visible: set[int]) -> KeptFile | None:
    """Why CASE stays with its officer in a handover to TO_OFFICER (None: it goes). The check page and the
    handover itself decide by this one function."""
    if not access.can_assign_officer(actor, case):
        raise PermissionDenied(_refusal())
    if case.is_restricted and case.pk not in visible:
        # As for a single file: who may not open a restricted file does not move it either.
        problem = _("It is restricted and does not name you: someone named on it hands it over.")
        return KeptFile(case.pk, case.reference or f"#{case.pk}", problem, False)
    if problem := _officer_error(case, to_officer, officers):
        return KeptFile(case.pk, case.reference or f"#{case.pk}", problem, case.pk in visible)
    return None


def _open_files_of(officer, commune):
    return CaseFile.objects.filter(commune=commune, officer=officer, state__in=OPEN_STATES)


def _visible_files_of(actor, officer, commune) -> set[int]:
    return set(access.cases_visible_to(actor).filter(commune=commune, officer=officer).values_list("pk", flat=True))


def caseload_handover_plan(*, actor, commune, from_officer, to_officer, reason: str) -> HandoverPlan:
    """What handing FROM_OFFICER's open files in COMMUNE to TO_OFFICER would do now, for the person to check
    before it is done; writes nothing. The same checks and refusals as `caseload_hand_over`."""
    officers = _check_handover(
        actor=actor, commune=commune, from_officer=from_officer, to_officer=to_officer, reason=reason
    )
    plan = HandoverPlan(from_officer=from_officer, to_officer=to_officer, commune=commune)
    visible = _visible_files_of(actor, from_officer, commune)
    for case in _open_files_of(from_officer, commune).order_by("opened_at", "pk"):
        if kept := _why_it_stays(actor, case, to_officer, officers, visible):
            plan.staying.append(kept)
        else:
            plan.moving.append(PlannedFile(case.pk, case.reference or f"#{case.pk}", case.state, case.opened_at))
    if not plan.moving and not plan.staying:
        raise ValidationError({"from_officer": [_("This officer has no open case file in this commune.")]})
    return plan


@transaction.atomic
def caseload_hand_over(
    *, actor, commune, from_officer, to_officer, reason: str, confirmed: Collection[int] | None = None
) -> Handover:
    """Hand every open file FROM_OFFICER answers for in COMMUNE to TO_OFFICER (leave, departure), in one
    transaction, file by file through the same checks as a single handover. A file that cannot go (a
    restricted file that does not name the new officer) stays with its officer and is reported back.
    CONFIRMED: the files the person saw on the check page; a file the officer came to answer for since then
    stays with them too (reported apart): nothing moves that was not shown. Each officer gets one notice
    summing it up, not one per file."""
    officers = _check_handover(
        actor=actor, commune=commune, from_officer=from_officer, to_officer=to_officer, reason=reason
    )
    result = Handover(from_officer=from_officer, to_officer=to_officer, commune=commune)
    token = uuid.uuid4().hex
    visible = _visible_files_of(actor, from_officer, commune)
    # Locked in one order: two handovers at once cannot deadlock.
    pks = _open_files_of(from_officer, commune).order_by("pk").values_list("pk", flat=True)
    for pk in pks:
        locked = case_lock(CaseFile(pk=pk))
        if locked.officer_id != from_officer.pk or locked.commune_id != commune.pk:
            continue  # handed or transferred by someone else since the list was read: not theirs any more
        if kept := _why_it_stays(actor, locked, to_officer, officers, visible):
            result.kept.append(kept)
            continue
        if confirmed is not None and pk not in confirmed:
            problem = _("It was not on the list you checked: check the handover again if it goes too.")
            result.unconfirmed.append(KeptFile(pk, locked.reference or f"#{pk}", problem, pk in visible))
            continue
        result.handed.append(_hand(actor=actor, case=locked, officer=to_officer, reason=reason.strip(), handover=token))
    if not result.handed and not result.kept and not result.unconfirmed:
        raise ValidationError({"from_officer": [_("This officer has no open case file in this commune.")]})
    _announce_handover(result, actor=actor, reason=reason.strip(), token=token)
    return result


def _announce_handover(result: Handover, *, actor, reason: str, token: str) -> None:
    """One notice to each officer (not one per file); no child's name (it may travel by SMS or email)."""
    people = {user.pk: user for user in get_user_model().objects.filter(
        pk__in=[result.from_officer.pk, result.to_officer.pk], is_active=True
    )}  # fmt: skip
    values = {
        "count": len(result.handed),
        "commune": result.commune.name,
        "to": result.to_officer.get_full_name() or result.to_officer.username,
        "from": result.from_officer.get_full_name() or result.from_officer.username,
        "reason": reason,
    }
    cases_url = reverse("cases:list")

    def left_with_you() -> str:
        kept = (
            ngettext(
                "%(kept)s restricted case file stays with you: it does not name the new officer.",
                "%(kept)s restricted case files stay with you: they do not name the new officer.",
                len(result.kept),
            )
            % {"kept": len(result.kept)}
            if result.kept
            else ""
        )
        unconfirmed = (
            ngettext(
                "%(kept)s other open case file stays with you: it was not on the list checked.",
                "%(kept)s other open case files stay with you: they were not on the list checked.",
                len(result.unconfirmed),
            )
            % {"kept": len(result.unconfirmed)}
            if result.unconfirmed
            else ""
        )
        return " ".join(filter(None, [_("Reason: %(reason)s") % values, kept, unconfirmed]))

    def draft(officer, make) -> NotificationDraft:
        return NotificationDraft(
            user=people[officer.pk],
            **worded(make),
            url=f"{cases_url}?{urlencode({'officer': officer.pk})}",
            key=f"handover:{token}",
            shown_at_once=True,
            may_hold=True,
            province_id=province_pk_of(result.commune),
        )

    drafts = []
    if result.handed and result.to_officer.pk in people:
        drafts.append(
            draft(
                result.to_officer,
                lambda: (
                    ngettext(
                        "%(count)s case file of %(commune)s handed over to you",
                        "%(count)s case files of %(commune)s handed over to you",
                        len(result.handed),
                    )
                    % values,
                    _("You now answer for them (from %(from)s). Reason: %(reason)s") % values,
                ),
            )
        )
    if result.handed and result.from_officer.pk in people:
        drafts.append(
            draft(
                result.from_officer,
                lambda: (
                    ngettext(
                        "%(count)s of your case files in %(commune)s handed over to %(to)s",
                        "%(count)s of your case files in %(commune)s handed over to %(to)s",
                        len(result.handed),
                    )
                    % values,
                    left_with_you(),
                ),
            )
        )
    notify_many(drafts)
