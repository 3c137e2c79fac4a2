"""Celery tasks of the reports app: idempotent, they take codes and ids."""

import datetime

from celery import shared_task
from django.utils import timezone

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
    """Render a draft's PDF with the live figures, step by step, so the page can show progress."""
    from django.core.files.base import ContentFile
    from django.db import transaction

    from . import documents
    from .indicators import compute
    from .models import PeriodicReport, RenderState
    from .periods import Period

    with transaction.atomic():
        claimed = PeriodicReport.objects.filter(pk=report_id, preview_state=RenderState.QUEUED).update(
            preview_state=RenderState.RUNNING, preview_progress=10
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
            preview_state=RenderState.FAILED, preview_error=type(error).__name__
        )
        return "failed"
    report.preview_pdf.save(f"du-thao-{report.unit.code}-{report.period_code}.pdf", ContentFile(pdf), save=False)
    PeriodicReport.objects.filter(pk=report_id).update(
        preview_pdf=report.preview_pdf.name, preview_state=RenderState.DONE, preview_progress=100
    )
    return "done"
