"""A report (Mẫu 01) and the forms of abuse it alleges."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import AgeGroup, ReceivingPoint, ReportSource, Setting
from ..lists import abuse_form_choices


class Report(models.Model):
    """A report (thông tin, thông báo, tố giác), form Mẫu 01. One report, one or more children."""

    received_at = models.DateTimeField(_("received at"))
    receiving_point = models.CharField(_("receiving point"), max_length=20, choices=ReceivingPoint.choices)
    commune = models.ForeignKey(
        "agencies.AdministrativeUnit",
        verbose_name=_("commune where the child lives"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, choices=ReportSource.choices)
    reporter_is_anonymous = models.BooleanField(_("anonymous reporter"), default=False)
    reporter_name = models.CharField(_("reporter's name"), max_length=200, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    reporter_relation = models.CharField(_("reporter's relation to the child"), max_length=100, blank=True)
    place_of_occurrence = models.CharField(_("place of occurrence"), max_length=255, blank=True)
    occurred_on = models.DateField(_("date of occurrence"), null=True, blank=True)
    setting = models.CharField(_("setting"), max_length=20, choices=Setting.choices)
    perpetrator_relation = models.CharField(
        _("alleged perpetrator's relation to the child"), max_length=100, blank=True
    )
    perpetrator_age_group = models.CharField(
        _("alleged perpetrator's age group"), max_length=10, choices=AgeGroup.choices, blank=True
    )
    narrative = models.TextField(_("what happened"))
    external_reference = models.CharField(
        _("reference of the sender (e.g. hotline 111 call)"), max_length=100, blank=True
    )
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Chosen by the phone that recorded it offline: a retried send returns this report, never a second one.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The province's extra fields (cases.models.lists.ExtraField), key → value; checked by the services.
    # A database default too: rows written by hand (COPY in the benchmark seed, SQL floors) get an empty object.
    extra = models.JSONField(
        _("extra fields"), default=dict, db_default=models.Value({}, output_field=models.JSONField()), blank=True
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["commune", "received_at"], name="report_commune_received_idx")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.received_at:%d/%m/%Y %H:%M}"


class ReportAbuseForm(models.Model):
    """The forms of abuse a report alleges (Art. 4, with the sexual-abuse sub-types), one row each."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="abuse_forms")
    form = models.CharField(_("form of abuse"), max_length=30, choices=abuse_form_choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "form"], name="report_abuse_form_unique")]
        indexes = [models.Index(fields=["form"], name="report_abuse_form_idx")]
