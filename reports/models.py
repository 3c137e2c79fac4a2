import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned for correction")


# A rendering takes seconds (the national roll-up under 10 s in make bench): a worker still "running"
# after LEASE has died (SIGKILL, out of memory) and the rendering is queued again. A queued rendering not
# claimed after QUEUE_WAIT lost its broker message (a Redis restarted empty) and is queued again too.
# (A rendering that outlives its lease is harmless: only the last to finish keeps its file.)
LEASE = datetime.timedelta(minutes=3)
QUEUE_WAIT = datetime.timedelta(minutes=2)
MAX_ATTEMPTS = 3


class RenderState(models.TextChoices):
    IDLE = "idle", _("Not requested")
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class PeriodicReport(models.Model):
    """A unit's periodic report (báo cáo định kỳ). Submitting freezes it: the numbers as JSON, the PDF
    and XLSX as files, with the SHA-256 of each, so later changes to case data never alter it."""

    unit = models.ForeignKey(
        "agencies.AdministrativeUnit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    period_code = models.CharField(_("period"), max_length=30)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    assessment = models.TextField(_("assessment"), blank=True)
    proposals = models.TextField(_("proposals"), blank=True)
    data = models.JSONField(_("frozen figures"), null=True, blank=True)
    data_sha256 = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(upload_to="reports/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    xlsx = models.FileField(upload_to="reports/%Y/", blank=True)
    xlsx_sha256 = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("comment of the level above"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # A preview of a draft with the live figures, rendered by a Celery task (a province's takes seconds).
    preview_pdf = models.FileField(upload_to="reports/previews/%Y/", blank=True)
    preview_state = models.CharField(max_length=20, choices=RenderState.choices, default=RenderState.IDLE)
    preview_progress = models.PositiveSmallIntegerField(default=0)
    preview_error = models.CharField(max_length=200, blank=True)
    # Queued: when the message counts as lost and is queued again. Running: the worker's lease; past it
    # the worker is taken for dead and the rendering is queued again (reports.tasks.redrive_previews).
    preview_lease_until = models.DateTimeField(null=True, blank=True)
    preview_attempts = models.PositiveSmallIntegerField(default=0)
    # Who issues it (the unit's People's Committee by default, or one of its departments) and, once submitted,
    # its entry in that body's outgoing-document register (number and symbol, the PDF, its signature).
    issuing_body = models.ForeignKey(
        "outgoing.IssuingBody",
        verbose_name=_("issuing body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    document = models.ForeignKey(
        "outgoing.OutgoingDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")
        ordering = ["-period_end", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "period_code"], name="report_one_per_unit_period")]
        indexes = [models.Index(fields=["period_code", "status"], name="report_period_status_idx")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period_code}"


class IndicatorReference(models.Model):
    """An indicator's code and name in Thông tư 13/2021/TT-BLĐTBXH, as read in the official text (overrides
    the transcription built into reports/indicators/circular.py)."""

    indicator = models.CharField(_("indicator"), max_length=60, unique=True)
    code = models.CharField(_("code in the circular"), max_length=20, blank=True)
    circular_name = models.CharField(_("name in the circular"), max_length=300, blank=True)
    source = models.CharField(_("where it was read"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("indicator code (Circular 13/2021)")
        verbose_name_plural = _("indicator codes (Circular 13/2021)")
        ordering = ["indicator"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.code or '—'}"
