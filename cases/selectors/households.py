"""The family group on a case page and the history snapshot at intake: only what the user may see, read
through the access door's querysets (a restricted file the user is not named on is never read, nor
counted), in a fixed number of queries whatever the family's size."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from notifications.selectors import open_deadlines_for_targets

from .. import access
from ..choices import CaseState, PlanStatus
from ..models import Caregiver, CaseFile, Child, InterventionPlan, ReportAbuseForm

SNAPSHOT_LIMIT = 30  # earlier case files shown; a child with more has the case list's search


@dataclass(frozen=True)
class FamilyFile:
    """A sibling's (or household member's) case file on a case page."""

    case: CaseFile
    next_deadline: object | None  # notifications.models.Deadline


@dataclass
class Family:
    household: object | None
    children: list[Child] = field(default_factory=list)
    caregivers: list[Caregiver] = field(default_factory=list)
    files: list[FamilyFile] = field(default_factory=list)


def family_of_case(user, case: CaseFile) -> Family:
    """The family group of CASE's child: its other children, their caregivers and their case files (with
    each file's next deadline), all within the user's access."""
    household = case.child.household
    if household is None:
        return Family(household=None)
    children = list(
        access.household_children_visible_to(user, household.pk)
        .exclude(pk=case.child_id)
        .prefetch_related("caregivers")
        .order_by("birth_date", "pk")
    )
    caregivers = _distinct_caregivers([case.child, *children])
    files = list(
        access.household_cases_visible_to(user, household.pk)
        .exclude(child_id=case.child_id)
        .select_related("child")
        .only("pk", "reference", "state", "opened_at", "child_id", "child__full_name", "is_restricted")
        .order_by("child__birth_date", "child_id", "-opened_at")
    )
    deadlines = open_deadlines_for_targets(CaseFile, [item.pk for item in files])
    return Family(
        household=household,
        children=children,
        caregivers=caregivers,
        files=[FamilyFile(item, (deadlines.get(item.pk) or [None])[0]) for item in files],
    )


def _distinct_caregivers(children) -> list[Caregiver]:
    """Caregivers recorded on several siblings' reports appear once (same name and relation)."""
    seen, result = set(), []
    for child in children:
        for caregiver in child.caregivers.all():
            key = (caregiver.full_name.casefold(), caregiver.relation.casefold())
            if key not in seen:
                seen.add(key)
                result.append(caregiver)
    return result


@dataclass(frozen=True)
class ReportedPerpetrator:
    """An alleged perpetrator already recorded: a caregiver marked so, or the relation a report named."""

    description: str
    case_reference: str
    on: object  # date


@dataclass
class HistorySnapshot:
    """What is already known about a child and their family when a new report or case file is opened."""

    cases: list[CaseFile] = field(default_factory=list)
    perpetrators: list[ReportedPerpetrator] = field(default_factory=list)
    open_plans: list[InterventionPlan] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.cases or self.perpetrators or self.open_plans)


def history_snapshot(user, child: Child, *, before_case: CaseFile | None = None) -> HistorySnapshot:
    """Earlier reports and case files of CHILD and of CHILD's family group, the alleged perpetrators they
    recorded and the plans still open — only from the case files the user may open in full. BEFORE_CASE:
    the case file being looked at (it and anything opened after it are left out)."""
    whose = Q(child_id=child.pk)
    if child.household_id is not None:
        whose |= Q(child__household_id=child.household_id)
    cases = access.cases_visible_to(user).filter(whose)
    if before_case is not None:
        # The same report's other children are the family section's, not history.
        cases = cases.exclude(report_id=before_case.report_id).filter(opened_at__lte=before_case.opened_at)
    cases = list(
        cases.select_related("child", "report")
        .prefetch_related(
            Prefetch("report__abuse_forms", queryset=ReportAbuseForm.objects.only("report_id", "form")),
            Prefetch(
                "plans",
                queryset=InterventionPlan.objects.filter(status__in=[PlanStatus.SUBMITTED, PlanStatus.APPROVED])
                .only("pk", "case_id", "number", "status", "objectives", "submitted_at")
                .order_by("-number"),
                to_attr="standing_plans",
            ),
        )
        .order_by("-opened_at", "-pk")[:SNAPSHOT_LIMIT]
    )
    snapshot = HistorySnapshot(cases=cases)
    children_seen = {item.child_id for item in cases}
    perpetrators = (
        Caregiver.objects.filter(
            is_alleged_perpetrator=True,
            child__in=access.children_visible_to(user).filter(pk__in=children_seen),
        ).only("full_name", "relation", "child_id")
        if children_seen
        else []
    )
    first_case = {}
    for item in sorted(cases, key=lambda case: case.opened_at):
        first_case.setdefault(item.child_id, item)
    people_seen = set()
    for caregiver in perpetrators:
        person = (caregiver.full_name.casefold(), caregiver.relation.casefold())
        if person in people_seen:  # recorded on several siblings
            continue
        people_seen.add(person)
        known = first_case.get(caregiver.child_id)
        snapshot.perpetrators.append(
            ReportedPerpetrator(
                description=f"{caregiver.full_name} ({caregiver.relation})",
                case_reference=known.reference if known else "",
                on=known.opened_at if known else None,
            )
        )
    reports_seen = set()
    for item in cases:
        # Once per report: a report about several siblings names the alleged perpetrator once.
        if item.report.perpetrator_relation.strip() and item.report_id not in reports_seen:
            reports_seen.add(item.report_id)
            snapshot.perpetrators.append(
                ReportedPerpetrator(
                    description=item.report.perpetrator_relation.strip(),
                    case_reference=item.reference,
                    on=item.opened_at,
                )
            )
        if item.state not in (CaseState.CLOSED, CaseState.NOT_CHILD_PROTECTION) and item.standing_plans:
            plan = item.standing_plans[0]
            plan.case_reference = item.reference
            snapshot.open_plans.append(plan)
    return snapshot
