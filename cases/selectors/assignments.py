"""Reads of agencies' assignments: the agency inbox, the coordinator's view, workloads."""

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
