"""Reports from the community: a collaborator's short form from their hamlet and the public reporting
page. They are not yet a report of the procedure (Mẫu 01): the commune officer verifies each one and
records it as a report (whose 12 hours count from the moment it arrived) or closes it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CommunitySource(models.TextChoices):
    COLLABORATOR = "collaborator", _("Collaborator")
    PUBLIC = "public", _("Public reporting page")


class Urgency(models.TextChoices):
    DANGER_NOW = "danger_now", _("The child is in danger now")
    SOON = "soon", _("Help is needed in the next few days")
    NOT_URGENT = "not_urgent", _("Not urgent")


class CommunityReportStatus(models.TextChoices):
    TO_VERIFY = "to_verify", _("To verify")
    RECORDED = "recorded", _("Recorded as a report")
    CLOSED = "closed", _("Closed without a case file")


class PublicStatus(models.TextChoices):
    """The only thing a reporter learns: three words, nothing about the child or the work done."""

    RECEIVED = "received", _("Received")
    IN_HAND = "in_hand", _("Being handled")
    CLOSED = "closed", _("Closed")


class CommunityReport(models.Model):
    source = models.CharField(_("source"), max_length=20, choices=CommunitySource.choices)
    commune = models.ForeignKey(
        "agencies.AdministrativeUnit", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    hamlet = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("hamlet"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    child = models.CharField(_("who: the child"), max_length=200)
    place = models.CharField(_("where"), max_length=255)
    what = models.TextField(_("what happened"), max_length=2000)
    urgency = models.CharField(_("how urgent"), max_length=20, choices=Urgency.choices)
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # SHA-256 of the public receipt code: the code itself is shown once and never stored.
    receipt_digest = models.CharField(max_length=64, blank=True, default="")
    photo = models.FileField(upload_to="community/%Y/%m/", blank=True)
    photo_type = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(
        _("status"), max_length=20, choices=CommunityReportStatus.choices, default=CommunityReportStatus.TO_VERIFY
    )
    report = models.OneToOneField(
        "cases.Report", null=True, blank=True, on_delete=models.PROTECT, related_name="community_report"
    )
    closing_reason = models.TextField(_("reason"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    # Chosen by the collaborator's phone that recorded it offline: a resend returns this report.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("report from the community")
        verbose_name_plural = _("reports from the community")
        constraints = [
            models.UniqueConstraint(
                fields=["receipt_digest"], condition=~Q(receipt_digest=""), name="community_receipt_unique"
            ),
            models.CheckConstraint(
                condition=Q(source="public") | Q(submitted_by__isnull=False),
                name="community_collaborator_named",
            ),
            models.CheckConstraint(
                condition=~Q(status="recorded") | Q(report__isnull=False), name="community_recorded_has_report"
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "status"], name="community_commune_status_idx"),
            models.Index(fields=["submitted_by", "received_at"], name="community_submitter_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_at:%d/%m/%Y %H:%M}"
