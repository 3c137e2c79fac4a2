"""Reads for the personal-data duties: the register of data-subject requests, and what is held about a child."""

from django.db.models import QuerySet

from .. import access
from ..models import CaseFile, DataSubjectRequest, RequestStatus


def data_requests_in_area(user, *, limit: int = 500) -> list[DataSubjectRequest]:
    """Data-subject requests on the case files the user handles, open ones first, soonest due first."""
    rows = (
        DataSubjectRequest.objects.filter(case__in=access.privacy_scope(user))
        .select_related("case__commune")
        .order_by("-status", "due_at")[:limit]
    )
    return sorted(rows, key=lambda r: (r.status != RequestStatus.OPEN, r.due_at))


def case_files_of_child(user, case: CaseFile) -> QuerySet[CaseFile]:
    """Every case file of CASE's child that the user may open, oldest first."""
    return (
        access.cases_visible_to(user)
        .filter(child=case.child_id)
        .select_related("commune", "report")
        .order_by("opened_at")
    )
