"""Retention: case files closed more than RETENTION_YEARS ago are pseudonymised, batch by batch,
with every figure the statistics count kept intact."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.recorder import record

from ..ages import age_group
from ..choices import CaseState
from ..list_stamps import stamped_at_the_end
from ..models import (
    Assignment,
    AssignmentProgress,
    Attachment,
    Caregiver,
    CaseFile,
    CaseFlag,
    Child,
    Consent,
    DataSubjectRequest,
    EmergencyMeasure,
    Household,
    InitialAssessment,
    InterventionPlan,
    Note,
    PlanMeasure,
    Report,
    Review,
    SafetyPlan,
    SafetyPlanItem,
    SpecificAssessment,
    Visit,
)
from ..text import fold as name_key

PSEUDONYM_PREFIX = "Trẻ em ẩn danh"
ERASED = ""


def _pseudonym(child_pk: int) -> str:
    return f"{PSEUDONYM_PREFIX} #{child_pk}"


def _generalised_birth_date(birth: datetime.date, report_days: list[datetime.date]) -> datetime.date:
    """The first of the birth month, unless that would change the child's age group on a report day."""
    candidate = birth.replace(day=1)
    if any(age_group(candidate, day) != age_group(birth, day) for day in report_days):
        return birth
    return candidate


def retention_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    now = now or timezone.now()
    years = settings.RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - years, day=28)


def _ended_before(cutoff) -> Q:
    """Closed before CUTOFF, or found not to be child protection with no activity since."""
    return Q(state=CaseState.CLOSED, closed_at__lt=cutoff) | Q(
        state=CaseState.NOT_CHILD_PROTECTION, updated_at__lt=cutoff
    )


def pseudonymise_expired(*, now: datetime.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Pseudonymise the case files closed before the retention cut-off, batch by batch.

    Kept: everything the statistics count (sex, age group, ethnicity, commune, dates, forms of abuse,
    setting, states, assignments). Gone: names, ID number, address, school, phone numbers, every free
    text and the attachments. A child is pseudonymised only when none of their case files is still
    open or within retention. Idempotent: a second run finds nothing to do.
    """
    cutoff = retention_cutoff(now)
    done = {"case_files": 0, "children": 0, "reports": 0, "attachments": 0}
    while True:
        # A batch spans the country: its communes' list stamps at its end, not held while it writes.
        with transaction.atomic(), stamped_at_the_end():
            cases = list(
                CaseFile.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(_ended_before(cutoff), pseudonymised_at__isnull=True)
                .order_by("pk")[:batch]
            )
            if not cases:
                return done
            for key, count in _pseudonymise(cases, cutoff).items():
                done[key] += count


def _pseudonymise(cases: list[CaseFile], cutoff) -> dict[str, int]:
    now = timezone.now()
    ids = [case.pk for case in cases]
    InitialAssessment.objects.filter(case_id__in=ids).update(notes=ERASED)
    EmergencyMeasure.objects.filter(case_id__in=ids).update(description=ERASED, taken_by=ERASED)
    SpecificAssessment.objects.filter(case_id__in=ids).update(
        information=ERASED, needs=ERASED, participants=ERASED, minutes=ERASED
    )
    InterventionPlan.objects.filter(case_id__in=ids).update(objectives=ERASED, decision_note=ERASED)
    PlanMeasure.objects.filter(plan__case_id__in=ids).update(description=ERASED)
    Review.objects.filter(case_id__in=ids).update(findings=ERASED)
    SafetyPlan.objects.filter(case_id__in=ids).update(review_note=ERASED)
    SafetyPlanItem.objects.filter(plan__case_id__in=ids).update(text=ERASED, who=ERASED, phone=ERASED)
    Note.objects.filter(case_id__in=ids).update(text=ERASED)
    Visit.objects.filter(case_id__in=ids).update(observations=ERASED, people_seen=ERASED, other_visitors=ERASED)
    CaseFlag.objects.filter(case_id__in=ids).update(reason=ERASED)
    Assignment.objects.filter(case_id__in=ids).update(request=ERASED, decline_reason=ERASED, outcome=ERASED)
    AssignmentProgress.objects.filter(assignment__case_id__in=ids).update(text=ERASED)
    Consent.objects.filter(case_id__in=ids).update(purpose=ERASED, evidence=ERASED)
    DataSubjectRequest.objects.filter(case_id__in=ids).update(requester_name=ERASED, details=ERASED, answer=ERASED)
    attachments = 0
    for attachment in Attachment.objects.filter(case_id__in=ids):
        attachment.file.delete(save=False)
        attachment.delete()
        attachments += 1
    CaseFile.objects.filter(pk__in=ids).update(closure_note=ERASED, pseudonymised_at=now)

    # Reports and children whose every case file has ended its retention: found in one query each.
    held = CaseFile.objects.filter(~_ended_before(cutoff))
    reports = Report.objects.filter(
        pk__in=Report.objects.filter(case_files__pk__in=ids).exclude(case_files__in=held).values("pk")
    ).update(
        reporter_name=ERASED,
        reporter_phone=ERASED,
        place_of_occurrence=ERASED,
        narrative=ERASED,
        external_reference=ERASED,
    )
    children = list(Child.objects.filter(case_files__pk__in=ids).exclude(case_files__in=held).distinct())
    received = defaultdict(list)
    for child_id, at in CaseFile.objects.filter(child__in=children).values_list("child_id", "report__received_at"):
        received[child_id].append(timezone.localtime(at).date())
    for child in children:
        pseudonym = _pseudonym(child.pk)
        child.full_name, child.name_key = pseudonym, name_key(pseudonym)
        child.birth_date = _generalised_birth_date(child.birth_date, received[child.pk])
        child.personal_id = child.address = child.school = child.disability = ERASED
    Child.objects.bulk_update(
        children, ["full_name", "name_key", "birth_date", "personal_id", "address", "school", "disability"]
    )
    Caregiver.objects.filter(child__in=children).update(full_name=ERASED, phone=ERASED)
    # A family group's address goes with the last of its children whose files are still held.
    households = {child.household_id for child in children if child.household_id}
    if households:
        still_held = Child.objects.filter(household_id__in=households, case_files__in=held).values("household_id")
        Household.objects.filter(pk__in=households).exclude(pk__in=still_held).update(address=ERASED)
    for case in cases:
        record("change", "case", case.pk, case=case, fields={"event": "pseudonymised"})
    return {"case_files": len(cases), "children": len(children), "reports": reports, "attachments": attachments}
