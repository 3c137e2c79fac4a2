"""Agency assignments: one per measure of an approved plan."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import AssignmentStatus
from ..lists import service_type_choices
from .case_files import CaseFile, PlanMeasure

ACTIVE_ASSIGNMENT_STATUSES = (AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED, AssignmentStatus.IN_PROGRESS)


class Assignment(models.Model):
    """One measure of an approved plan, assigned to an agency, which accepts, acts and reports."""

    case = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="assignments")
    measure = models.ForeignKey(PlanMeasure, on_delete=models.PROTECT, related_name="assignments")
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="assignments"
    )
    service_type = models.CharField(_("service"), max_length=30, choices=service_type_choices)
    request = models.TextField(_("what is asked"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.PROPOSED
    )
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["measure"],
                condition=Q(status__in=["proposed", "accepted", "in_progress"]),
                name="assignment_one_active_per_measure",
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="assignment_decline_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "due_date"], name="assignment_inbox_idx"),
            models.Index(fields=["case", "status"], name="assignment_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} → {self.agency}"


class AssignmentProgress(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="progress")
    text = models.TextField(_("progress"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Chosen by the phone that recorded it offline: a retried send returns this report, never a second one.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
