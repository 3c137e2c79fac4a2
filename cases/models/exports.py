import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    CASE_LIST = "case_list", _("Case list")
    AUDIT = "audit", _("Audit trail")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel (XLSX)")
    CSV = "csv", _("CSV")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class Export(models.Model):
    """A file of personal data a user asked for (a filtered case list, the audit trail), built by a task from
    the filter they used, kept encrypted at rest with the server's key until it expires; handed out only to
    them, in a ZIP encrypted with a password they choose at download time (never stored)."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=20, choices=ExportKind.choices)
    file_format = models.CharField(_("format"), max_length=10, choices=ExportFormat.choices)
    # The filter as the page's query string: the task reads it with the page's own form.
    query = models.CharField(max_length=2000, blank=True)
    state = models.CharField(max_length=20, choices=ExportState.choices, default=ExportState.QUEUED)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "expires_at"], name="export_state_expires_idx")]

    def __str__(self) -> str:
        return f"{self.kind} · {self.token}"
