"""What happens on a case file over time: its typed timeline, notes and attachments."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import CaseEventKind, CaseState
from .case_files import CaseFile


class CaseEvent(models.Model):
    """Append-only timeline of a case file, written only through cases.events (one function per kind)."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("event"), max_length=40, choices=CaseEventKind.choices)
    from_state = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    to_state = models.CharField(max_length=30, choices=CaseState.choices, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["case", "at"], name="case_event_case_at_idx"),
            # An officer's latest activity (the caseload page): one index probe per officer.
            models.Index(fields=["actor", "at"], name="case_event_actor_at_idx"),
        ]
        constraints = [
            # Every kind is typed and labelled: a free string cannot reach the timeline.
            models.CheckConstraint(condition=Q(kind__in=CaseEventKind.values), name="case_event_kind_known"),
        ]


class Note(models.Model):
    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Chosen by the phone that recorded it offline: a retried send returns this note, never a second one.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at"]


class Attachment(models.Model):
    """A file on a case. Stored under a random name outside the web root; served only after a check."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="attachments")
    # Set when an agency attached it to its progress report on an assignment.
    assignment = models.ForeignKey(
        "Assignment", null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Chosen by the phone that recorded it offline: a retried upload returns this file, never a second one.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-uploaded_at"]
