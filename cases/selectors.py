"""Every read of case files and children that lists, searches or aggregates; scoped by cases.access."""

import datetime
import difflib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from notifications.models import Deadline, DeadlineState

from . import access
from .choices import CaseState, RiskLevel
from .models import CaseEvent, CaseFile, Child, InterventionPlan, PlanMeasure, ReportAbuseForm
from .text import fold


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


# What the case list and its CSV export show: loading only these keeps a page of 50 cheap.
LIST_FIELDS = (
    "reference", "state", "risk_level", "opened_at", "commune_id", "child_id", "report_id", "is_restricted",
    "child__full_name", "commune__name",
)  # fmt: skip


def case_list(user, filters: CaseFilters | None = None, *, list_fields: bool = False) -> QuerySet[CaseFile]:
    """Case files visible to USER, filtered, newest first. LIST_FIELDS: only what lists show."""
    filters = filters or CaseFilters()
    cases = access.cases_visible_to(user)
    cases = (
        cases.select_related("child", "commune").only(*LIST_FIELDS)
        if list_fields
        else cases.select_related("child", "commune", "report")
    )
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.risk_level:
        cases = cases.filter(risk_level=filters.risk_level)
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
        key = fold(filters.query)
        cases = cases.filter(Q(child__name_key__contains=key) | Q(reference__iexact=filters.query.strip()))
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

    def get_state_display(self) -> str:
        return str(CaseState(self.state).label)

    def get_risk_level_display(self) -> str:
        return str(RiskLevel(self.risk_level).label) if self.risk_level else ""


ROW_FIELDS = ("pk", "reference", "state", "risk_level", "opened_at", "child__full_name", "commune__name")


def case_list_page(user, filters: CaseFilters | None, number, *, per_page: int = 50):
    """A page of the case list: the paginator counts on the bare filtered query (no joins), the page's
    rows come as plain values. Returns (page, rows)."""
    from django.core.paginator import Paginator

    cases = case_list(user, filters, list_fields=True)
    page = Paginator(cases, per_page).get_page(number)
    if not page.paginator.count:
        return page, []
    start = page.start_index() - 1
    values = cases.values_list(*ROW_FIELDS)[start : start + per_page]
    return page, [CaseRow(*row) for row in values]


def case_detail(user, pk) -> CaseFile:
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
        Prefetch(
            "plans",
            queryset=InterventionPlan.objects.prefetch_related(
                Prefetch("measures", queryset=PlanMeasure.objects.select_related("agency"))
            ),
        ),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
        "notes__author",
        "attachments",
    )
    return access.case_for_user(user, pk, queryset=queryset)


MIN_SIMILARITY = 0.3  # pg_trgm's default threshold for "similar"


@dataclass(frozen=True)
class ChildMatch:
    child: Child
    score: float


def child_search(
    user, name: str, *, birth_date: datetime.date | None = None, commune_id: int | None = None, limit: int = 10
) -> list[ChildMatch]:
    """Possible existing children: Vietnamese-aware (diacritics folded, đ→d) and typo-tolerant.

    PostgreSQL narrows to children with a close family and given name (cases.name_search) and
    ranks them with pg_trgm; other databases fall back to difflib over the candidates that share
    a word with the name.
    """
    key = fold(name)
    if len(key) < 2:
        return []
    children = access.children_visible_to(user).select_related("residence_commune")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        from .name_search import candidates

        rows = (
            candidates(children, key)
            .annotate(similarity=TrigramSimilarity("name_key", key))
            .order_by("-similarity")[: limit * 5]
        )
        scored = [(child, float(child.similarity)) for child in rows]
        scored = [(child, score) for child, score in scored if score >= MIN_SIMILARITY or key in child.name_key]
    else:
        words = [word for word in key.split() if len(word) > 1] or [key]
        condition = Q()
        for word in words:
            condition |= Q(name_key__contains=word)
        rows = children.filter(condition)[:2000]
        scored = [(child, difflib.SequenceMatcher(None, key, child.name_key).ratio()) for child in rows]
        scored = [(child, score) for child, score in scored if score >= 0.5]
    matches = []
    for child, score in scored:
        if birth_date and child.birth_date.year == birth_date.year:
            score += 0.2 if child.birth_date == birth_date or child.birth_year_only else 0.1
        if commune_id and child.residence_commune_id == commune_id:
            score += 0.1
        matches.append(ChildMatch(child, round(score, 3)))
    matches.sort(key=lambda match: -match.score)
    return matches[:limit]


def assignments_of_my_agencies(user) -> QuerySet:
    """The agency inbox: open assignments of every agency where the user is a focal point, earliest due first."""
    from agencies.models import Role, StaffMembership

    from .models import ACTIVE_ASSIGNMENT_STATUSES, Assignment

    agencies = StaffMembership.objects.filter(user=user, role=Role.FOCAL_POINT, is_active=True).values("agency_id")
    return (
        Assignment.objects.filter(agency_id__in=agencies, status__in=ACTIVE_ASSIGNMENT_STATUSES)
        .filter(case__in=access.cases_assigned_to(user))
        .select_related("case", "agency")
        .order_by("due_date", "pk")
    )


def open_assignments_in_area(user) -> QuerySet:
    """Assignments needing attention on the case files the user sees in full: open ones, and declined ones
    not yet given to another agency; earliest due (so overdue) first."""
    from .models import ACTIVE_ASSIGNMENT_STATUSES, Assignment, AssignmentStatus

    replaced = Assignment.objects.filter(measure=OuterRef("measure"), status__in=ACTIVE_ASSIGNMENT_STATUSES)
    return (
        Assignment.objects.filter(case__in=access.cases_visible_to(user))
        .filter(Q(status__in=ACTIVE_ASSIGNMENT_STATUSES) | (Q(status=AssignmentStatus.DECLINED) & ~Exists(replaced)))
        .select_related("case", "case__commune", "agency")
        .order_by("due_date", "pk")
    )


def workload_by_agency(user) -> list[dict]:
    """Per agency: assignments by status on the case files the user sees in full."""
    from django.db.models import Count

    from .models import Assignment, AssignmentStatus

    today = timezone.localdate()
    rows = (
        Assignment.objects.filter(case__in=access.cases_visible_to(user))
        .values("agency_id", "agency__name")
        .annotate(
            proposed=Count("pk", filter=Q(status=AssignmentStatus.PROPOSED)),
            active=Count("pk", filter=Q(status__in=[AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS])),
            overdue=Count(
                "pk",
                filter=Q(
                    status__in=[AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS],
                    due_date__lt=today,
                ),
            ),
            declined=Count("pk", filter=Q(status=AssignmentStatus.DECLINED)),
            done=Count("pk", filter=Q(status=AssignmentStatus.DONE)),
            not_done=Count("pk", filter=Q(status=AssignmentStatus.NOT_DONE)),
        )
        .order_by("-overdue", "agency__name")
    )
    return list(rows)


def case_viewers(case) -> list[dict]:
    """Who has opened this case file, how often and when last (for the responsible officer)."""
    from django.db.models import Count, Max

    from .models import AuditEvent

    return list(
        AuditEvent.objects.filter(case=case, action__in=["view", "print", "download", "export"])
        .values("user__username", "user__first_name")
        .annotate(times=Count("pk"), last=Max("at"))
        .order_by("-last")
    )


def report_count(unit, *, source: str, since) -> int:
    """How many reports of SOURCE came in under UNIT since a date: a figure, with no personal data."""
    from .models import Report

    return Report.objects.filter(
        commune__path__startswith=unit.path, source=source, received_at__date__gte=since
    ).count()


def staff_who_may_see(user, case) -> list[int]:
    """Users whose role and jurisdiction give them full access to CASE (candidates to be named)."""
    from agencies.access import ancestor_paths
    from agencies.models import StaffMembership

    return list(
        StaffMembership.objects.filter(
            role__in=access.VIEW_ROLES, is_active=True, unit__path__in=ancestor_paths(case.commune.path)
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
