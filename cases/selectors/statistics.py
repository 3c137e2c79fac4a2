"""Figures for the periodic reports and dashboards: plain rows and counts for a unit's subtree (a path
prefix, "/" for the whole country) and a time range — never names or any other personal data.

The reports app reads case data only through here (an import-linter contract says so).
"""

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from notifications.models import Deadline, DeadlineState

from .. import lists
from ..choices import OPEN_STATES, CaseState, PlanStatus
from ..models import (
    Assignment,
    CaseFile,
    ChildCircumstance,
    InitialAssessment,
    PlanMeasure,
    Report,
    ReportAbuseForm,
)


def report_count(unit, *, source: str, since) -> int:
    """How many reports of SOURCE came in under UNIT since a date: a figure, with no personal data."""
    return Report.objects.filter(
        commune__path__startswith=unit.path, source=source, received_at__date__gte=since
    ).count()


def case_files_received(path: str, start: datetime.datetime, end: datetime.datetime) -> list[tuple]:
    """Every case file opened in [START, END) under PATH, with what its verification found so far:
    (pk, child id, commune path, sex, birth date, report received at, report id, setting, state, is_assessed).

    IS_ASSESSED: the initial risk assessment (Mẫu 02) is recorded, whatever the state is since (the
    verification of the reports' facts is that assessment)."""
    assessed = Exists(InitialAssessment.objects.filter(case=OuterRef("pk")))
    return list(
        CaseFile.objects.filter(commune__path__startswith=path, opened_at__gte=start, opened_at__lt=end)
        .annotate(is_assessed=assessed)
        .values_list(
            "pk",
            "child_id",
            "commune__path",
            "child__sex",
            "child__birth_date",
            "report__received_at",
            "report_id",
            "report__setting",
            "state",
            "is_assessed",
        )
    )


def abuse_forms_by_report(report_ids) -> dict[int, set[str]]:
    """The law's forms of abuse (cases.choices.AbuseForm) each report alleges: a province's own entry counts
    as the legal form the administrators mapped it to, so the indicators count it whatever its label."""
    forms = defaultdict(set)
    legal = {entry.code: entry.legal_code for entry in lists.entries("abuse_form")}
    for report_id, form in ReportAbuseForm.objects.filter(report_id__in=set(report_ids)).values_list(
        "report_id", "form"
    ):
        forms[report_id].add(legal.get(form, form))
    return forms


def reports_received(path: str, start: datetime.datetime, end: datetime.datetime) -> list[tuple[str, str]]:
    """(source, commune path) of every report received in [START, END) under PATH."""
    return list(
        Report.objects.filter(commune__path__startswith=path, received_at__gte=start, received_at__lt=end).values_list(
            "source", "commune__path"
        )
    )


def cases_with_plan_approved(path: str, start: datetime.datetime, end: datetime.datetime) -> list[tuple]:
    """(pk, child id, commune path) of the case files whose plan was approved in [START, END)."""
    return list(
        CaseFile.objects.filter(
            commune__path__startswith=path,
            plans__status=PlanStatus.APPROVED,
            plans__decided_at__gte=start,
            plans__decided_at__lt=end,
        )
        .values_list("pk", "child_id", "commune__path")
        .distinct()
    )


def approved_measures(case_ids) -> list[tuple[str, str]]:
    """(service type, agency type code) of every measure of the approved plans of CASE_IDS; a province's own
    service type counts as the legal one it is mapped to."""
    legal = {entry.code: entry.legal_code for entry in lists.entries("service_type")}
    rows = PlanMeasure.objects.filter(plan__case_id__in=case_ids, plan__status=PlanStatus.APPROVED).values_list(
        "service_type", "agency__agency_type__code"
    )
    return [(legal.get(service, service), agency_type) for service, agency_type in rows]


def circumstances(path: str, first_day: datetime.date, last_day: datetime.date) -> list[tuple]:
    """(child id, group, residence commune path) of the special circumstances current in the days given."""
    return list(
        ChildCircumstance.objects.filter(child__residence_commune__path__startswith=path)
        .filter(Q(since__isnull=True) | Q(since__lte=last_day))
        .filter(Q(until__isnull=True) | Q(until__gte=first_day))
        .values_list("child_id", "group", "child__residence_commune__path")
    )


def children_with_plan_approved_before(child_ids, end: datetime.datetime) -> set[int]:
    return set(
        CaseFile.objects.filter(
            child_id__in=set(child_ids), plans__status=PlanStatus.APPROVED, plans__decided_at__lt=end
        ).values_list("child_id", flat=True)
    )


def deadline_outcomes(case_ids, kind: str) -> list[tuple]:
    """(state, met at, due at) of the deadlines KIND of CASE_IDS that were not cancelled."""
    return list(
        Deadline.objects.filter(
            target_type=ContentType.objects.get_for_model(CaseFile), target_id__in=case_ids, kind=kind
        )
        .exclude(state=DeadlineState.CANCELLED)
        .values_list("state", "met_at", "due_at")
    )


def assignments_created(path: str, start: datetime.datetime, end: datetime.datetime) -> list[tuple]:
    """(agency type code, status, commune path) of the assignments given in [START, END)."""
    return list(
        Assignment.objects.filter(
            case__commune__path__startswith=path, created_at__gte=start, created_at__lt=end
        ).values_list("agency__agency_type__code", "status", "case__commune__path")
    )


def cases_open_at(path: str, end: datetime.datetime) -> list[tuple[int, str]]:
    """(pk, commune path) of the case files open at END (opened before, not closed by then)."""
    return list(
        CaseFile.objects.filter(commune__path__startswith=path, opened_at__lt=end)
        .exclude(state=CaseState.NOT_CHILD_PROTECTION)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end))
        .values_list("pk", "commune__path")
    )


def cases_late_at(case_ids, end: datetime.datetime) -> set[int]:
    """Those of CASE_IDS with a deadline due before END and not met by then. An END still to come (the
    current period) is taken as now: a deadline due tomorrow is not late yet."""
    end = min(end, timezone.now())
    return set(
        Deadline.objects.filter(
            target_type=ContentType.objects.get_for_model(CaseFile), target_id__in=case_ids, due_at__lt=end
        )
        .filter(Q(state=DeadlineState.OPEN) | Q(met_at__gte=end))
        .values_list("target_id", flat=True)
    )


def cases_closed(path: str, start: datetime.datetime, end: datetime.datetime) -> list[str]:
    """The commune path of each case file closed in [START, END)."""
    return list(
        CaseFile.objects.filter(commune__path__startswith=path, closed_at__gte=start, closed_at__lt=end).values_list(
            "commune__path", flat=True
        )
    )


def reports_received_count(path: str, start: datetime.datetime, end: datetime.datetime) -> int:
    return Report.objects.filter(commune__path__startswith=path, received_at__gte=start, received_at__lt=end).count()


def cases_open_count(path: str) -> int:
    """Case files open now under PATH."""
    return CaseFile.objects.filter(commune__path__startswith=path, state__in=OPEN_STATES).count()


def cases_late_count(path: str, now: datetime.datetime) -> int:
    """Open case files under PATH with a legal time limit passed and not met."""
    late = Deadline.objects.filter(
        target_type=ContentType.objects.get_for_model(CaseFile),
        target_id=OuterRef("pk"),
        state=DeadlineState.OPEN,
        due_at__lt=now,
    )
    return CaseFile.objects.filter(commune__path__startswith=path, state__in=OPEN_STATES).filter(Exists(late)).count()
