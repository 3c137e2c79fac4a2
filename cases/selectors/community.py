"""Reads of reports from the community: the three words a reporter may learn, a collaborator's own list,
the public lookup by receipt code, and the officer's work items "to verify"."""

import dataclasses
import datetime
import hmac
from dataclasses import dataclass

from django.utils.translation import gettext as _

from config.reversing import row_url
from notifications.urgency import CSS, Clock, Level
from notifications.work import WorkItem

from .. import access
from ..choices import CaseState
from ..models import CommunityReport, CommunityReportStatus, PublicStatus, Urgency
from ..receipts import receipt_digest

FINISHED_STATES = (CaseState.CLOSED, CaseState.NOT_CHILD_PROTECTION)
# An urgent report waits for verification no longer than the emergency decision's own limit.
VERIFY_WITHIN = {
    Urgency.DANGER_NOW: datetime.timedelta(hours=12),
    Urgency.SOON: datetime.timedelta(days=2),
    Urgency.NOT_URGENT: datetime.timedelta(days=5),
}


def public_status(found: CommunityReport) -> PublicStatus:
    """Received (not yet verified), being handled (a case file is open), closed: nothing else."""
    if found.status == CommunityReportStatus.TO_VERIFY:
        return PublicStatus.RECEIVED
    if found.status == CommunityReportStatus.CLOSED or found.report_id is None:
        return PublicStatus.CLOSED
    states = set(found.report.case_files.values_list("state", flat=True))
    return PublicStatus.CLOSED if states and states <= set(FINISHED_STATES) else PublicStatus.IN_HAND


@dataclass(frozen=True)
class OwnReport:
    """One of a collaborator's reports as they see it: what they typed, and the three-word status."""

    pk: int
    received_at: datetime.datetime
    child: str
    place: str
    what: str
    urgency: str
    status: PublicStatus


def own_reports(user) -> list[OwnReport]:
    rows = access.own_community_reports(user).select_related("report").order_by("-received_at")
    return [
        OwnReport(
            pk=row.pk,
            received_at=row.received_at,
            child=row.child,
            place=row.place,
            what=row.what,
            urgency=row.get_urgency_display(),
            status=public_status(row),
        )
        for row in rows
    ]


def status_by_receipt(code: str) -> PublicStatus | None:
    """The status of the public report with this receipt code, or None: the same None for an unknown
    code, a malformed one or a collaborator's report (no code); digests compared in constant time."""
    digest = receipt_digest(code)
    found = CommunityReport.objects.filter(receipt_digest=digest).select_related("report").first()
    if found is None or not hmac.compare_digest(found.receipt_digest, digest):
        return None
    return public_status(found)


def _in_danger(urgency):
    """A child said to be in danger now: its badge in the colour of what is late, whatever time is left."""
    return dataclasses.replace(urgency, css=CSS[Level.OVERDUE]) if urgency else urgency


def verify_items(user, clock: Clock) -> list[WorkItem]:
    """The officer's "to verify" items: every report from the community of their communes not yet handled."""
    rows = (
        access.community_reports_to_verify(user)
        .filter(status=CommunityReportStatus.TO_VERIFY)
        .select_related("commune", "hamlet")
        .order_by("received_at")
    )
    items = []
    for row in rows:
        due = row.received_at + VERIFY_WITHIN[row.urgency]
        danger = row.urgency == Urgency.DANGER_NOW
        where = row.hamlet.name if row.hamlet_id else row.place
        items.append(
            WorkItem(
                section="verify",
                title=f"{row.get_source_display()} · {where}"[:120],
                detail=str(row.get_urgency_display()),
                url=row_url("cases:community_detail", row.pk),
                action=_("Verify"),
                due_at=due,
                urgency=_in_danger(clock.of(due)) if danger else clock.of(due),
                who=row.commune.name,
                danger=danger,
            )
        )
    return items
