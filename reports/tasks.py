"""Celery tasks of the reports app: idempotent, they take codes and ids."""

import datetime

from celery import shared_task
from django.utils import timezone

from .models import LEASE, MAX_ATTEMPTS, QUEUE_WAIT
from .periods import parse
from .services import reports_open_for_period


@shared_task(ignore_result=True)
def open_period_reports(today: str | None = None) -> int:
    """Every night: when a half-year (or year) ended yesterday, open every commune's draft for it."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    yesterday = day - datetime.timedelta(days=1)
    if (yesterday.month, yesterday.day) == (6, 30):
        return reports_open_for_period(period=parse(f"{yesterday.year}-H1"))
    if (yesterday.month, yesterday.day) == (12, 31):
        return reports_open_for_period(period=parse(f"{yesterday.year}-H2")) + reports_open_for_period(
            period=parse(str(yesterday.year))
        )
    return 0


@shared_task(ignore_result=True)
def render_preview(report_id: int) -> str:
    """Render a draft's PDF with the live figures, step by step, so the page can show progress.

    Idempotent: the rendering is claimed (state "running" with a lease, committed) before the work; a
    duplicate message finds no claimable row and does nothing, and a claim whose lease ran out (the
    worker died) may be taken again."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.db.models import F, Q

    from . import documents
    from .indicators import compute
    from .models import PeriodicReport, RenderState
    from .periods import Period

    now = timezone.now()
    claimable = Q(preview_state=RenderState.QUEUED) | Q(preview_state=RenderState.RUNNING, preview_lease_until__lt=now)
    with transaction.atomic():
        claimed = (
            PeriodicReport.objects.filter(claimable, pk=report_id)
            .filter(preview_attempts__lt=MAX_ATTEMPTS)
            .update(
                preview_state=RenderState.RUNNING,
                preview_progress=10,
                preview_lease_until=now + LEASE,
                preview_attempts=F("preview_attempts") + 1,
            )
        )
    if claimed != 1:
        return "skipped"  # already running or done: a duplicate message does nothing
    report = PeriodicReport.objects.select_related("unit").get(pk=report_id)
    try:
        data = compute(report.unit, Period(report.period_start, report.period_end, report.period_code))
        PeriodicReport.objects.filter(pk=report_id).update(preview_progress=60)
        from .services import report_letterhead

        body, head = report_letterhead(report)
        pdf = documents.report_pdf(
            data,
            letterhead=head,
            symbol=f"BC-{body.symbol}",
            assessment=report.assessment,
            proposals=report.proposals,
        )
    except Exception as error:
        PeriodicReport.objects.filter(pk=report_id).update(
            preview_state=RenderState.FAILED, preview_error=type(error).__name__, preview_lease_until=None
        )
        return "failed"
    report.preview_pdf.save(f"du-thao-{report.unit.code}-{report.period_code}.pdf", ContentFile(pdf), save=False)
    new = report.preview_pdf.name
    storage = report.preview_pdf.storage
    with transaction.atomic():
        row = PeriodicReport.objects.select_for_update().get(pk=report_id)
        if row.preview_state != RenderState.RUNNING:
            # Another rendering of the same draft finished first (this one outlived its lease): its file
            # stays, this one goes, so no file is left without its row.
            transaction.on_commit(lambda: storage.delete(new))
            return "superseded"
        previous = row.preview_pdf.name
        PeriodicReport.objects.filter(pk=report_id).update(
            preview_pdf=new, preview_state=RenderState.DONE, preview_progress=100, preview_lease_until=None
        )
        if previous and previous != new:
            transaction.on_commit(lambda: storage.delete(previous))  # the draft's earlier preview
    return "done"


def redrive(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Queue again the renderings whose message was lost or whose worker died; give up (state "failed",
    the page says so and offers to try again) after MAX_ATTEMPTS claims."""
    from django.db import transaction
    from django.db.models import Q

    from notifications.outbox import enqueue

    from .models import PeriodicReport, RenderState

    now = now or timezone.now()
    stale = PeriodicReport.objects.filter(
        Q(preview_lease_until__isnull=True) | Q(preview_lease_until__lt=now),
        preview_state__in=[RenderState.QUEUED, RenderState.RUNNING],
    )
    with transaction.atomic():
        given_up = stale.filter(preview_attempts__gte=MAX_ATTEMPTS).update(
            preview_state=RenderState.FAILED, preview_error="WorkerLost", preview_lease_until=None
        )
        ids = list(stale.values_list("pk", flat=True))
        PeriodicReport.objects.filter(pk__in=ids).update(
            preview_state=RenderState.QUEUED, preview_progress=0, preview_lease_until=now + QUEUE_WAIT
        )
        for report_id in ids:
            enqueue("reports.tasks.render_preview", report_id)
    return {"requeued": len(ids), "given_up": given_up}


@shared_task(ignore_result=True)
def redrive_previews() -> dict[str, int]:
    """Every five minutes: PDF renderings whose broker message was lost or whose worker died."""
    return redrive()
