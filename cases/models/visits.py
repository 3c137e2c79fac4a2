"""Visits to the child (home, school, elsewhere), the no-contact rule of each open case file, and the flags
supervisors raise on a case file for attention."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..choices import ContactKind, VisitKind, VisitStatus
from .case_files import CaseFile


class Visit(models.Model):
    """A visit planned, then recorded as done (or cancelled). Recording one is a contact with the child."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(_("kind of visit"), max_length=20, choices=VisitKind.choices)
    status = models.CharField(_("status"), max_length=20, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_on = models.DateField(_("date of the visit"), null=True, blank=True)
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("who went")
    )
    other_visitors = models.CharField(_("who else went"), max_length=255, blank=True)
    child_seen = models.BooleanField(_("the child was seen"), null=True, blank=True)
    people_seen = models.CharField(_("whom they saw"), max_length=255, blank=True)
    observations = models.TextField(_("observations"), blank=True)
    next_visit_on = models.DateField(_("next visit"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Chosen by the phone that recorded the visit offline: a resend returns this visit, records nothing twice.
    idempotency_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-done_on", "-planned_for", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False, child_seen__isnull=False),
                name="visit_done_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="planned") | Q(planned_for__isnull=False), name="visit_planned_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["case", "planned_for"], condition=Q(status="planned"), name="visit_planned_idx"),
            models.Index(fields=["planned_for"], condition=Q(status="planned"), name="visit_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.done_on or self.planned_for}"


class ContactRule(models.Model):
    """The no-contact rule of one case file: when the child was last contacted and how. While the case file
    is open, a deadline of kind "no_contact" on this row falls due N days after that contact (cases.contacts);
    a separate target keeps it apart from the legal time limits of the procedure."""

    case = models.OneToOneField(CaseFile, on_delete=models.CASCADE, related_name="contact_rule")
    last_contact_at = models.DateTimeField(_("last contact"))
    last_contact_kind = models.CharField(_("kind of contact"), max_length=20, choices=ContactKind.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("no-contact rule")
        verbose_name_plural = _("no-contact rules")

    @property
    def is_contact(self) -> bool:
        return self.last_contact_kind != ContactKind.OPENED


class CaseFlag(models.Model):
    """A supervisor's flag on a case file: why it needs attention, until when. It lapses by itself after
    its date, or is lifted."""

    case = models.ForeignKey(CaseFile, on_delete=models.CASCADE, related_name="flags")
    reason = models.TextField(_("why it needs attention"))
    until = models.DateField(_("until"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("flagged at"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["case", "until"], condition=Q(lifted_at__isnull=True), name="flag_active_idx")]
