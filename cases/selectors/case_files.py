"""Reads of case files that list or show them: always scoped by the access door, which records them."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from agencies.models import AdministrativeUnit
from audit.models import READ_ACTIONS, AuditEvent
from notifications.models import Deadline, DeadlineState
from notifications.selectors import OpenDeadline, open_deadlines_column, open_deadlines_for_targets, open_deadlines_in

from .. import access
from ..choices import OPEN_STATES, CaseState, RiskLevel
from ..models import CaseEvent, CaseFile, CaseFlag, InterventionPlan, PlanMeasure, ReportAbuseForm
from ..text import fold, number


@dataclass
class CaseFilters:
    state: str = ""
    risk_level: str = ""
    overdue: bool = False
    commune: int | None = None
    abuse_form: str = ""
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None
    query: str = ""
    officer: int | None = None
    is_open: bool = False


def case_list(user, filters: CaseFilters | None = None, *, as_values: bool = False) -> QuerySet[CaseFile]:
    """Case files visible to USER, filtered, newest first. AS_VALUES: the caller reads plain values (counts,
    values_list): no related objects to load."""
    filters = filters or CaseFilters()
    cases = access.cases_visible_to(user)
    if not as_values:
        cases = cases.select_related("child", "commune", "report")
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.risk_level:
        cases = cases.filter(risk_level=filters.risk_level)
    if filters.officer:
        cases = cases.filter(officer_id=filters.officer)
    if filters.is_open:
        cases = cases.filter(state__in=OPEN_STATES)
    if filters.commune:
        cases = cases.filter(commune_id=filters.commune)
    if filters.abuse_form:
        cases = cases.filter(
            Exists(ReportAbuseForm.objects.filter(report_id=OuterRef("report_id"), form=filters.abuse_form))
        )
    if filters.opened_from:
        cases = cases.filter(opened_at__date__gte=filters.opened_from)
    if filters.opened_to:
        cases = cases.filter(opened_at__date__lte=filters.opened_to)
    if filters.overdue:
        cases = cases.filter(
            Exists(
                Deadline.objects.filter(
                    target_type=ContentType.objects.get_for_model(CaseFile),
                    target_id=OuterRef("pk"),
                    state=DeadlineState.OPEN,
                    due_at__lt=timezone.now(),
                )
            )
        )
    if filters.query.strip():
        typed = filters.query.strip()
        key = fold(typed)
        found = Q(child__name_key__contains=key) | Q(reference__iexact=typed)
        if (said := number(typed)) is not None and len(typed) <= 9:
            # A case file's number as said on the phone: "56" or "000056" for HS-2026-000056.
            found |= Q(reference__endswith=f"-{said:06d}")
        cases = cases.filter(found)
    return cases.order_by("-opened_at", "-pk")


@dataclass(frozen=True)
class CaseRow:
    """One line of the case list: plain values, no model objects to build."""

    pk: int
    reference: str
    state: str
    risk_level: str
    opened_at: datetime.datetime
    child_name: str
    commune_name: str
    is_flagged: bool = False  # a supervisor's flag holds today
    deadlines: tuple[OpenDeadline, ...] = ()  # its open deadlines, soonest due first

    def get_state_display(self) -> str:
        return str(CaseState(self.state).label)

    def get_risk_level_display(self) -> str:
        return str(RiskLevel(self.risk_level).label) if self.risk_level else ""


ROW_FIELDS = ("pk", "reference", "state", "risk_level", "opened_at", "child__full_name", "commune__name")


def case_list_page(user, filters: CaseFilters | None, number, *, per_page: int = 50, query_string: str = ""):
    """A page of the case list, its read recorded: the paginator counts on the bare filtered query (no
    joins), the page's rows come as plain values with their open deadlines (in the same query where the
    database allows). Returns (page, rows)."""
    cases = case_list(user, filters, as_values=True)
    page = Paginator(cases, per_page).get_page(number)
    rows = []
    if page.paginator.count:
        start = page.start_index() - 1
        today, flags = timezone.localdate(), flags_in_area(user)
        # The communes' names from the user's memberships when their area is made of them (no join); a file
        # another commune transfers to them is named by one more query.
        names = access.commune_names_at_hand(user)
        fields = (*ROW_FIELDS[:-1], "commune_id") if names else ROW_FIELDS
        deadlines = open_deadlines_column(CaseFile, cases.db)
        if deadlines is None:
            found = cases.values_list(*fields)[start : start + per_page]
            held = open_deadlines_for_targets(CaseFile, [row[0] for row in found])
            found = [(*row, held.get(row[0], ())) for row in found]
        else:
            found = cases.annotate(open_deadlines=deadlines).values_list(*fields, "open_deadlines")
            found = [(*row[:-1], open_deadlines_in(row[0], row[-1])) for row in found[start : start + per_page]]
        if names:
            if missing := {row[6] for row in found} - names.keys():
                names = {**names, **dict(AdministrativeUnit.objects.filter(pk__in=missing).values_list("pk", "name"))}
            found = [(*row[:6], names.get(row[6], ""), *row[7:]) for row in found]
        rows = [
            CaseRow(*row[:-1], is_flagged=flags.get(row[0], datetime.date.min) >= today, deadlines=tuple(row[-1]))
            for row in found
        ]
    access.record_read("view", "case_list", fields={"cases": [row.pk for row in rows], "query": query_string})
    return page, rows


def flags_in_area(user) -> dict[int, datetime.date]:
    """The flags raised on the case files the user sees in full and not lifted (a handful), as case file →
    the last day one holds, kept with the user's memberships (raising or lifting one renews them): a list
    marks its rows from them instead of asking the database row by row."""

    def read() -> dict[int, datetime.date]:
        held: dict[int, datetime.date] = {}
        visible = access.cases_visible_to(user).values("pk")
        rows = CaseFlag.objects.filter(lifted_at__isnull=True, until__gte=timezone.localdate(), case__in=visible)
        for case_id, until in rows.values_list("case_id", "until"):
            held[case_id] = max(until, held.get(case_id, until))
        return held

    return access.kept_about(user, "flags", read)


def case_detail(user, pk, *, purpose: str | None = "view", fields: dict | None = None) -> CaseFile:
    """One case file with everything its page shows, in a fixed number of queries."""
    queryset = CaseFile.objects.select_related(
        "child", "child__residence_commune", "child__residence_hamlet", "commune", "report", "officer", "transfer_to"
    ).prefetch_related(
        "report__abuse_forms",
        "child__caregivers",
        "child__circumstances",
        "initial_assessments",
        "emergency_measures",
        "specific_assessments",
        "reviews",
        # The current safety plan first (SafetyPlan's ordering: newest version first).
        "safety_plans",
        Prefetch(
            "plans",
            queryset=InterventionPlan.objects.prefetch_related(
                Prefetch("measures", queryset=PlanMeasure.objects.select_related("agency", "provider"))
            ),
        ),
        "notes__author",
        "attachments",
    )
    case = access.case_for_user(user, pk, queryset=queryset, purpose=purpose, fields=fields)
    prefetch_related_objects([case], Prefetch("events", queryset=timeline_of(case)))
    return case


# Every event of a case file is written after the file is opened (its opening time is the report's time of
# receipt, which may lie at most a few minutes ahead); the margin is wide all the same.
TIMELINE_MARGIN = datetime.timedelta(days=1)


def timeline_of(case: CaseFile) -> QuerySet[CaseEvent]:
    """The case file's events, oldest first. Bounded by the file's opening: the timeline is partitioned by
    month, and without the bound every month's partition is planned and searched."""
    return CaseEvent.objects.filter(case=case, at__gte=case.opened_at - TIMELINE_MARGIN).select_related("actor")


def case_viewers(case) -> list[dict]:
    """Who has opened this case file, how often and when last (for the responsible officer)."""
    return list(
        AuditEvent.objects.filter(case_id=case.pk, action__in=READ_ACTIONS)
        .values("user__username", "user__first_name")
        .annotate(times=Count("pk"), last=Max("at"))
        .order_by("-last")
    )
