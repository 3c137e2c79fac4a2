"""Reads of agencies' assignments: the agency inbox, the coordinator's view, workloads."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .. import access
from ..models import ACTIVE_ASSIGNMENT_STATUSES, Assignment, AssignmentStatus


def assignments_of_my_agencies(user) -> QuerySet[Assignment]:
    """The agency inbox: open assignments of every agency where the user is a focal point, earliest due first."""
    return access.assignments_of_agency_staff(user).select_related("case", "agency").order_by("due_date", "pk")


def open_assignments_in_area(user) -> QuerySet[Assignment]:
    """Assignments needing attention on the case files the user sees in full: open ones, and declined ones
    not yet given to another agency; earliest due (so overdue) first."""
    replaced = Assignment.objects.filter(measure=OuterRef("measure"), status__in=ACTIVE_ASSIGNMENT_STATUSES)
    return (
        Assignment.objects.filter(case__in=access.cases_visible_to(user))
        .filter(Q(status__in=ACTIVE_ASSIGNMENT_STATUSES) | (Q(status=AssignmentStatus.DECLINED) & ~Exists(replaced)))
        .select_related("case", "case__commune", "agency")
        .order_by("due_date", "pk")
    )


@dataclass(frozen=True)
class Closing:
    """What approving a closure ends, for the chairman to see before deciding: the agencies' assignments still
    open (cancelled by the closure) and whether a child assessed at high risk has no safety plan."""

    open_assignments: list
    high_risk_without_safety_plan: bool


def what_closing_ends(case) -> Closing:
    """CASE came through the access door (the chairman deciding on it)."""
    from ..choices import RiskLevel
    from ..models import SafetyPlan

    open_ones = list(
        Assignment.objects.filter(case=case, status__in=ACTIVE_ASSIGNMENT_STATUSES)
        .select_related("agency")
        .order_by("due_date", "pk")
    )
    unsafe = case.risk_level == RiskLevel.HIGH and not SafetyPlan.objects.filter(case=case).exists()
    return Closing(open_assignments=open_ones, high_risk_without_safety_plan=unsafe)


def workload_by_agency(user) -> list[dict]:
    """Per agency: assignments by status on the case files the user sees in full."""
    today = timezone.localdate()
    rows = (
        Assignment.objects.filter(case__in=access.cases_visible_to(user))
        .values("agency_id", "agency__name")
        .annotate(
            proposed=Count("pk", filter=Q(status=AssignmentStatus.PROPOSED)),
            active=Count("pk", filter=Q(status__in=[AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS])),
            overdue=Count("pk", filter=Q(status__in=ACTIVE_ASSIGNMENT_STATUSES, due_date__lt=today)),
            declined=Count("pk", filter=Q(status=AssignmentStatus.DECLINED)),
            done=Count("pk", filter=Q(status=AssignmentStatus.DONE)),
            not_done=Count("pk", filter=Q(status=AssignmentStatus.NOT_DONE)),
        )
        .order_by("-overdue", "agency__name")
    )
    return list(rows)
