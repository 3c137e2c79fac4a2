"""Keeping the hotline 111 informed: when a case file of a report it passed on moves, its integration
account gets a notice (and through its own webhook endpoint, a signed call) saying the status and the
outcome of each legal limit; the hotline reads the detail from the API. No names, no narrative."""

from notifications.outbox import enqueue_later

from .access import HOTLINE_AGENCY_TYPE
from .models import CaseFile, Report


def is_hotline_report(case: CaseFile) -> bool:
    return Report.objects.filter(
        pk=case.report_id, received_by__memberships__agency__agency_type__code=HOTLINE_AGENCY_TYPE
    ).exists()


def follow(case: CaseFile) -> None:
    """After a step on CASE (inside its transaction): if the hotline passed its report on, queue the notice
    in the outbox, for the beat's relay within a minute (the step's deadlines are settled by then, and a
    hung broker costs the step nothing)."""
    if is_hotline_report(case):
        enqueue_later("cases.tasks.hotline_status_tell", case.pk)
