"""The safety plans of a case file (fetched through the access door first): every version, newest first."""

from django.db.models import Prefetch

from .. import access
from ..models import CaseFile, SafetyPlan, SafetyPlanItem


def safety_case(user, pk, *, need=access.Need.VIEW, purpose: str | None = "view", fields: dict | None = None):
    """The case file with its child's caregivers, for the safety plan's pages and print."""
    queryset = CaseFile.objects.select_related("child", "commune", "officer").prefetch_related("child__caregivers")
    return access.case_for_user(user, pk, need=need, queryset=queryset, purpose=purpose, fields=fields)


def safety_plans_of(case: CaseFile) -> list[SafetyPlan]:
    return list(
        SafetyPlan.objects.filter(case=case)
        .select_related("recorded_by")
        .prefetch_related(Prefetch("items", queryset=SafetyPlanItem.objects.select_related("provider")))
        .order_by("-number")
    )
