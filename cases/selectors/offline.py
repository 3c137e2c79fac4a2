"""What the phone keeps for offline reading: the officer's own open case files, in short."""

from django.db.models import Prefetch

from .. import access
from ..choices import OPEN_STATES, CaseState, VisitStatus
from ..models import AssignmentStatus, Visit
from .assignments import assignments_of_my_agencies


def own_open_cases(user) -> list[dict]:
    planned = Prefetch(
        "visits", queryset=Visit.objects.filter(status=VisitStatus.PLANNED).order_by("planned_for"), to_attr="planned"
    )
    cases = (
        access.cases_visible_to(user)
        .filter(officer=user, state__in=OPEN_STATES)
        .select_related("child")
        .prefetch_related(planned)
        .order_by("-opened_at")[:200]
    )
    rows = [
        {
            "id": case.pk,
            "reference": case.reference,
            "version": case.version,
            "state": case.get_state_display(),
            "can_assess": case.state == CaseState.RECEIVED,
            "child": case.child.full_name,
            # A visit recorded offline may be one of these (recorded once: a second recording is refused).
            "planned_visits": [
                {"id": visit.pk, "kind": visit.kind, "planned_for": visit.planned_for.isoformat()}
                for visit in case.planned
            ],
        }
        for case in cases
    ]
    access.record_read("view", "offline_cases", fields={"cases": [row["id"] for row in rows]})
    return rows


def own_open_assignments(user) -> list[dict]:
    """The open assignments of the user's agencies, for a progress report recorded offline (no child's name:
    an agency sees what its assignment needs)."""
    assignments = assignments_of_my_agencies(user).filter(
        status__in=(AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS)
    )[:200]
    rows = [
        {
            "id": assignment.pk,
            "reference": assignment.case.reference,
            "agency": assignment.agency.name,
            "version": assignment.version,
            "state": assignment.get_status_display(),
        }
        for assignment in assignments
    ]
    access.record_read("view", "offline_assignments", fields={"assignments": [row["id"] for row in rows]})
    return rows
