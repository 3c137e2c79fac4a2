"""The hotline 111's loop: for each report it passed on, where the case files stand and whether each legal
limit was met (12 hours, 5 and 7 working days). No names, no narrative: only references, codes, times."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import AdministrativeUnit
from notifications.models import Deadline, DeadlineState

from .. import access
from ..choices import CaseState, DeadlineKind
from ..models import CaseFile, PublicStatus, Report

FINISHED_STATES = (CaseState.CLOSED, CaseState.NOT_CHILD_PROTECTION)
# The legal limits a report starts (Decree 56/2017): 12 hours, 5 and 7 working days (or the province's).
INTAKE_DEADLINES = (DeadlineKind.EMERGENCY_DECISION, DeadlineKind.PLAN_SUBMISSION, DeadlineKind.PLAN_APPROVAL)


class Outcome:
    MET = "met"  # done within the limit
    LATE = "late"  # done, after the limit
    MISSED = "missed"  # not done and the limit has passed (or it was cancelled after it passed)
    PENDING = "pending"  # not done, still within the limit
    NOT_APPLICABLE = "not_applicable"  # the step was not needed (transferred, not child protection…)

    LABELS = {
        MET: _("met"),
        LATE: _("met late"),
        MISSED: _("missed"),
        PENDING: _("still within the limit"),
        NOT_APPLICABLE: _("not needed"),
    }


def outcome_of(deadline: Deadline | None, now: datetime.datetime) -> str:
    if deadline is None:
        return Outcome.NOT_APPLICABLE
    if deadline.state == DeadlineState.MET:
        return Outcome.MET if deadline.met_at is None or deadline.met_at <= deadline.due_at else Outcome.LATE
    if deadline.state == DeadlineState.CANCELLED:
        ended = deadline.closed_at or now
        return Outcome.MISSED if ended > deadline.due_at else Outcome.NOT_APPLICABLE
    return Outcome.MISSED if now > deadline.due_at else Outcome.PENDING


@dataclass(frozen=True)
class Limit:
    kind: str
    label: str
    due_at: datetime.datetime
    met_at: datetime.datetime | None
    outcome: str

    @property
    def outcome_label(self) -> str:
        return str(Outcome.LABELS[self.outcome])


@dataclass(frozen=True)
class CaseStatus:
    reference: str
    status: str  # PublicStatus
    limits: list[Limit]


@dataclass
class ReportStatus:
    report_id: int
    external_reference: str
    received_at: datetime.datetime
    commune_code: str
    commune: str
    province_code: str
    province: str
    cases: list[CaseStatus] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The report's status: being handled while any of its case files is."""
        statuses = {case.status for case in self.cases}
        if PublicStatus.IN_HAND in statuses:
            return PublicStatus.IN_HAND
        return PublicStatus.CLOSED if statuses else PublicStatus.RECEIVED

    @property
    def status_label(self) -> str:
        return str(PublicStatus(self.status).label)


def case_public_status(state: str) -> str:
    return PublicStatus.CLOSED if state in FINISHED_STATES else PublicStatus.IN_HAND


def _first_deadlines(case_ids: list[int]) -> dict[int, dict[str, Deadline]]:
    """The first deadline of each intake kind per case file (the one the report started; a reopened file
    has later ones), in one query."""
    found: dict[int, dict[str, Deadline]] = defaultdict(dict)
    rows = Deadline.objects.filter(
        target_type=ContentType.objects.get_for_model(CaseFile), target_id__in=case_ids, kind__in=INTAKE_DEADLINES
    ).order_by("starts_at", "pk")
    for row in rows:
        found[row.target_id].setdefault(row.kind, row)
    return found


def statuses_of(reports: QuerySet[Report], *, now: datetime.datetime | None = None) -> list[ReportStatus]:
    """The status and the legal limits of each report, a fixed number of queries whatever their number."""
    now = now or timezone.now()
    rows = list(
        reports.select_related("commune")
        .order_by("-received_at", "-pk")
        .values("pk", "external_reference", "received_at", "commune__code", "commune__name", "commune__path")
    )
    province_ids = {int(row["commune__path"].strip("/").split("/")[0]) for row in rows}
    provinces = {unit.pk: unit for unit in AdministrativeUnit.objects.filter(pk__in=province_ids)}
    cases = list(
        CaseFile.objects.filter(report_id__in=[row["pk"] for row in rows])
        .order_by("pk")
        .values("pk", "report_id", "reference", "state")
    )
    deadlines = _first_deadlines([case["pk"] for case in cases])
    by_report: dict[int, list[CaseStatus]] = defaultdict(list)
    labels = dict(DeadlineKind.choices)
    for case in cases:
        limits = []
        for kind in INTAKE_DEADLINES:
            deadline = deadlines.get(case["pk"], {}).get(kind)
            if deadline is None:
                continue
            limits.append(
                Limit(
                    kind=kind,
                    label=str(labels[kind]),
                    due_at=deadline.due_at,
                    met_at=deadline.met_at if deadline.state == DeadlineState.MET else None,
                    outcome=outcome_of(deadline, now),
                )
            )
        by_report[case["report_id"]].append(
            CaseStatus(reference=case["reference"], status=case_public_status(case["state"]), limits=limits)
        )
    result = []
    for row in rows:
        province = provinces.get(int(row["commune__path"].strip("/").split("/")[0]))
        result.append(
            ReportStatus(
                report_id=row["pk"],
                external_reference=row["external_reference"],
                received_at=row["received_at"],
                commune_code=row["commune__code"],
                commune=row["commune__name"],
                province_code=province.code if province else "",
                province=province.name if province else "",
                cases=by_report.get(row["pk"], []),
            )
        )
    return result


def passed_on_page(user, number, *, per_page: int = 30):
    """A page of the reports the user's hotline passed on, newest first: (page, their statuses)."""
    reports = access.reports_passed_on_by(user).order_by("-received_at", "-pk")
    page = Paginator(reports.values_list("pk", flat=True), per_page).get_page(number)
    return page, statuses_of(reports.model.objects.filter(pk__in=list(page.object_list)))


def passed_on_statuses(user, *, report_id: int | None = None) -> list[ReportStatus]:
    """For the hotline's integration account: the reports its hotline passed on (one, with REPORT_ID)."""
    reports = access.reports_passed_on_by(user)
    if report_id is not None:
        reports = reports.filter(pk=report_id)
    return statuses_of(reports)


@dataclass
class ProvinceTimeliness:
    """One province's line on the supervisor's page: reports, case files, and per limit how many were met
    in time, late, missed, still running or not needed."""

    code: str
    name: str
    reports: int = 0
    case_files: int = 0
    in_hand: int = 0
    closed: int = 0
    limits: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> int:
        return self.limits.get(kind, {}).get(outcome, 0)

    def share_met(self, kind: str) -> float | None:
        """Share met in time among the limits already decided (met, late or missed)."""
        decided = sum(self.count(kind, outcome) for outcome in (Outcome.MET, Outcome.LATE, Outcome.MISSED))
        return self.count(kind, Outcome.MET) / decided if decided else None


def timeliness_by_province(statuses: list[ReportStatus]) -> list[ProvinceTimeliness]:
    lines: dict[str, ProvinceTimeliness] = {}
    for report in statuses:
        line = lines.setdefault(
            report.province_code, ProvinceTimeliness(code=report.province_code, name=report.province)
        )
        line.reports += 1
        for case in report.cases:
            line.case_files += 1
            line.in_hand += case.status == PublicStatus.IN_HAND
            line.closed += case.status == PublicStatus.CLOSED
            for limit in case.limits:
                counts = line.limits.setdefault(limit.kind, {})
                counts[limit.outcome] = counts.get(limit.outcome, 0) + 1
    return sorted(lines.values(), key=lambda line: line.name)


def supervisor_statuses(user, *, province_code: str = "") -> list[ReportStatus]:
    """For a 111 supervisor: every report the hotline passed on (404 for anyone else), optionally one province."""
    reports = access.hotline_reports_for_supervisor(user)
    if province_code:
        province = AdministrativeUnit.objects.filter(level="province", code=province_code).first()
        reports = reports.filter(commune__path__startswith=province.path) if province else reports.none()
    access.record_read("view", "hotline_reports", fields={"province": province_code})
    return statuses_of(reports)
