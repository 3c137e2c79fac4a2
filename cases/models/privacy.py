"""Personal-data duties on a case file: consents, disclosures, data-subject requests."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .case_files import CaseFile
from .children import Caregiver


class ConsentGiver(models.TextChoices):
    CHILD = "child", _("The child (aged 7 or more)")
    REPRESENTATIVE = "representative", _("Legal representative")


class Consent(models.Model):
    """Consent to disclose a child's private information beyond the statutory chain (to whom, why)."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="consents")
    giver = models.CharField(_("given by"), max_length=20, choices=ConsentGiver.choices)
    representative = models.ForeignKey(
        Caregiver,
        verbose_name=_("legal representative"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
    )
    recipient = models.CharField(_("disclosed to"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=500)
    given_on = models.DateField(_("given on"))
    evidence = models.CharField(_("how it was given"), max_length=255)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-pk"]


class Disclosure(models.Model):
    """A disclosure of the child's private information outside the statutory chain, and the consents it rests on."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="disclosures")
    recipient = models.CharField(_("disclosed to"), max_length=200)
    purpose = models.CharField(_("purpose"), max_length=500)
    disclosed_on = models.DateField(_("disclosed on"))
    consents = models.ManyToManyField(Consent, verbose_name=_("consents relied on"), related_name="disclosures")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-disclosed_on", "-pk"]


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access: a copy of everything held")
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")
    RESTRICTION = "restriction", _("Restriction of processing")
    OBJECTION = "objection", _("Objection to processing")
    WITHDRAW_CONSENT = "withdraw_consent", _("Withdrawal of consent")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    REFUSED = "refused", _("Refused, with reasons")


class DataSubjectRequest(models.Model):
    """A request by the child or their representative about the child's personal data: answered
    within 2 working days (the deadline escalates through the notification engine)."""

    case = models.ForeignKey(CaseFile, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("request"), max_length=20, choices=RequestKind.choices)
    requester_name = models.CharField(_("requester's name"), max_length=200)
    requester_relation = models.CharField(_("requester's relation to the child"), max_length=100)
    details = models.TextField(_("details"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("answer due"))
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="dsr_status_due_idx")]
