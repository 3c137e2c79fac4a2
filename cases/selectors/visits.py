"""What the case page and the work lists show of visits, contacts and flags. The case file itself comes
through the access door; these read what belongs to it."""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from agencies.models import StaffMembership

from .. import contacts
from ..choices import OPEN_STATES, VisitStatus
from ..models import CaseFile, CaseFlag, ContactRule, Visit


@dataclass(frozen=True)
class ContactSummary:
    """The last contact with the child and the next visit, as the case page shows them."""

    last_on: datetime.date | None  # None: no contact yet since the case file was opened
    last_kind: str  # label
    days_since: int  # since the last contact, else since the opening
    days_allowed: int  # N of the province
    is_open: bool  # a closed case file has no rule running
    next_visit: Visit | None

    @property
    def is_late(self) -> bool:
        return self.is_open and self.days_since >= self.days_allowed


def contact_summary(case: CaseFile, today: datetime.date | None = None) -> ContactSummary:
    today = today or timezone.localdate()
    rule = ContactRule.objects.filter(case=case).first()
    since = rule.last_contact_at if rule else case.opened_at
    contacted = rule is not None and rule.is_contact
    next_visit = (
        case.visits.filter(status=VisitStatus.PLANNED).select_related("planned_by").order_by("planned_for").first()
    )
    return ContactSummary(
        last_on=timezone.localtime(since).date() if contacted else None,
        last_kind=rule.get_last_contact_kind_display() if contacted else "",
        days_since=(today - timezone.localtime(since).date()).days,
        days_allowed=contacts.days_allowed(case),
        is_open=case.state in OPEN_STATES,
        next_visit=next_visit,
    )


def visits_of(case: CaseFile) -> list[Visit]:
    """Every visit of the case file, planned ones first (soonest first), then those done (latest first)."""
    visits = list(case.visits.select_related("planned_by", "recorded_by").prefetch_related("visitors"))
    planned = sorted((v for v in visits if v.status == VisitStatus.PLANNED), key=lambda v: v.planned_for)
    done = [v for v in visits if v.status == VisitStatus.DONE]
    return planned + done


def visit_of_case(case: CaseFile, pk) -> Visit | None:
    """A visit of CASE (a case the access door gave): None when it belongs to another case file."""
    try:
        return case.visits.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def visit_companions(case: CaseFile) -> QuerySet:
    """Who may be named as having gone on a visit: the active staff of the case's commune and its hamlets
    (officer, chairman, collaborators, the commune's police and health focal points)."""
    ids = (
        StaffMembership.objects.filter(is_active=True, unit__path__startswith=case.commune.path)
        .values_list("user_id", flat=True)
        .distinct()
    )
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("first_name", "username")


def active_flag(case: CaseFile) -> CaseFlag | None:
    """The flag holding today (lifted or past its date: none)."""
    return (
        case.flags.filter(lifted_at__isnull=True, until__gte=timezone.localdate()).select_related("raised_by").first()
    )


def flagged_case_ids(case_ids, today: datetime.date | None = None) -> dict[int, CaseFlag]:
    """Case pk → its flag holding today, for lists (one query)."""
    today = today or timezone.localdate()
    rows = CaseFlag.objects.filter(case_id__in_array=list(case_ids), lifted_at__isnull=True, until__gte=today)
    return {flag.case_id: flag for flag in rows.order_by("raised_at")}


def due_visits(case_ids, until: datetime.date) -> dict[int, Visit]:
    """Case pk → its earliest planned visit on or before UNTIL (one query)."""
    rows = Visit.objects.filter(case_id__in_array=list(case_ids), status=VisitStatus.PLANNED, planned_for__lte=until)
    found: dict[int, Visit] = {}
    for visit in rows.order_by("-planned_for"):
        found[visit.case_id] = visit
    return found
